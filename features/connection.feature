@echo @server-control @transparent-path
Feature: Connection establishment
  Once a server has stopped, nothing of it may keep its port: a client that
  connects there is refused by the kernel at once, not left waiting.

  Scenario: After the server stops, its port refuses connections at once
    Given an echo server
    And the server has been stopped
    When a client connects to the port the server used
    Then the connection is refused with ECONNREFUSED within 100 ms
