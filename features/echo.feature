@echo
Feature: Echo service
  A conforming echo server sends back every byte it receives, unchanged and in
  order, on the same connection. When the client half-closes its side, the
  server still sends everything it owes and then closes its own side.
  After every scenario that leaves it running, the server must still serve a
  fresh client, and must exit with code 0 within 2 s of SIGTERM.

  Background:
    Given an echo server

  @must @id:echo.line
  Scenario: A line comes back
    Source: RFC 862, TCP Based Echo Service
    When a client sends the line "hello, sockspec"
    Then the client receives the same line back

  @must @id:echo.random-1mib
  Scenario: 1 MiB of random bytes comes back identical
    Source: RFC 862, TCP Based Echo Service
    When a client sends 1 MiB of random bytes
    Then the client receives exactly the bytes it sent

  @must @id:echo.all-byte-values
  Scenario: All 256 byte values come back unchanged
    Source: RFC 862, TCP Based Echo Service
    When a client sends every byte value from 0 to 255
    Then the client receives exactly the bytes it sent

  @must @id:echo.byte-at-a-time
  Scenario: A message delivered one byte at a time comes back whole
    Source: RFC 862, TCP Based Echo Service; RFC 9293 section 2.2
    When a client sends a 32-byte message one byte at a time, pausing 5 ms between bytes
    Then the client receives exactly the bytes it sent

  @profile @id:echo.concurrent-64
  Scenario: 64 concurrent clients each get exactly their own bytes
    Source: sockspec contract (echo: "Serve at least 64 clients at once"); RFC 862
    When 64 clients connected at the same time each send 64 KiB of their own random bytes
    Then every client receives exactly its own bytes

  @must @id:echo.silent-client-then-next
  Scenario: A client that leaves without sending does not disturb the next one
    Source: RFC 862, TCP Based Echo Service
    Given a client connected and closed its connection without sending anything
    When a client sends the line "next in line"
    Then the client receives the same line back
