@udp-echo
Feature: UDP datagrams
  A conforming UDP echo server sends every datagram back to its sender as one
  datagram, from the port the client sent it to, with its boundaries and
  contents intact: the empty datagram included, up to the largest datagram
  IPv4 can carry (65507 bytes). On loopback no datagram is expected to be lost.
  After every scenario that leaves it running, the server must still echo a
  fresh datagram, and must exit with code 0 within 2 s of SIGTERM.

  Background:
    Given a UDP echo server

  Scenario: A datagram is echoed from the port it was sent to
    When a client sends the datagram "ping"
    Then the client receives the datagram "ping" from the server's own address and port

  Scenario: Back-to-back datagrams keep their boundaries
    When a client sends datagrams of 100, 1, 1400 and 7 bytes back to back
    Then the client receives 4 datagrams, each identical to one it sent

  Scenario: The empty datagram is echoed as an empty datagram
    When a client sends an empty datagram
    Then the client receives an empty datagram

  Scenario: The largest IPv4 datagram comes back whole
    When a client sends a datagram of 65507 random bytes
    Then the client receives exactly that datagram back

  Scenario: 10 concurrent clients each get only their own replies
    When 10 clients at once each exchange 100 numbered datagrams with the server
    Then every client received exactly its own 100 datagrams and nothing else

  @server-control @transparent-path
  Scenario: After the server stops, a connected client sending to its port sees ECONNREFUSED
    Given a UDP client connected to the server's port
    And the server has been stopped
    When the connected client sends a datagram
    Then the client's socket reports ECONNREFUSED
