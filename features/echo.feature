@echo
Feature: Echo service
  A conforming echo server sends back every byte it receives, unchanged and in
  order, on the same connection. When the client half-closes its side, the
  server still sends everything it owes and then closes its own side.
  After every scenario that leaves it running, the server must still serve a
  fresh client, and must exit with code 0 within 2 s of SIGTERM.

  Background:
    Given an echo server

  Scenario: A line comes back
    When a client sends the line "hello, sockspec"
    Then the client receives the same line back

  Scenario: 1 MiB of random bytes comes back identical
    When a client sends 1 MiB of random bytes
    Then the client receives exactly the bytes it sent

  Scenario: All 256 byte values come back unchanged
    When a client sends every byte value from 0 to 255
    Then the client receives exactly the bytes it sent

  Scenario: A message delivered one byte at a time comes back whole
    When a client sends a 32-byte message one byte at a time, pausing 5 ms between bytes
    Then the client receives exactly the bytes it sent

  Scenario: 64 concurrent clients each get exactly their own bytes
    When 64 clients connected at the same time each send 64 KiB of their own random bytes
    Then every client receives exactly its own bytes

  Scenario: A client that leaves without sending does not disturb the next one
    Given a client connected and closed its connection without sending anything
    When a client sends the line "next in line"
    Then the client receives the same line back
