@echo @server-control @transparent-path @fresh-server
Feature: Connection establishment
  Once a server has stopped, nothing of it may keep its port: a client that
  connects there is refused by the kernel at once, not left waiting.

  @must @id:conn.stopped-port-refused
  Scenario: After the server stops, its port refuses connections at once
    Source: RFC 9293 section 3.5.2; connect(2) ECONNREFUSED
    Given an echo server
    And the server has been stopped
    When a client connects to the port the server used
    Then the connection is refused with ECONNREFUSED within 100 ms
