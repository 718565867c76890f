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

  @profile @id:udp.same-port-reply
  Scenario: A datagram is echoed from the port it was sent to
    Source: sockspec contract (udp-echo: "from the same socket"); RFC 862, UDP Based Echo Service
    When a client sends the datagram "ping"
    Then the client receives the datagram "ping" from the server's own address and port

  @must @id:udp.boundaries
  Scenario: Back-to-back datagrams keep their boundaries
    Source: RFC 862, UDP Based Echo Service
    When a client sends datagrams of 100, 1, 1400 and 7 bytes back to back
    Then the client receives 4 datagrams, each identical to one it sent

  @profile @id:udp.empty-datagram
  Scenario: The empty datagram is echoed as an empty datagram
    Source: RFC 862, UDP Based Echo Service; RFC 768 (Length); sockspec contract (udp-echo: "from the same socket")
    When a client sends an empty datagram
    Then the client receives an empty datagram

  @must @id:udp.empty-datagram-others-answered
  Scenario: After an empty datagram from one client, another client is still answered
    Source: RFC 862, UDP Based Echo Service ("When a datagram is received, the data from it is sent back in an answering datagram")
    Given a client has sent an empty datagram
    When another client sends the datagram "still answering"
    Then that client receives "still answering" back

  @profile @id:udp.max-ipv4-datagram
  Scenario: The largest IPv4 datagram comes back whole
    Source: sockspec contract (udp-echo: "up to 65507 bytes"); RFC 1122 section 3.3.2
    When a client sends a datagram of 65507 random bytes
    Then the client receives exactly that datagram back

  @profile @id:udp.concurrent-10
  Scenario: 10 concurrent clients each get only their own replies
    Source: RFC 862, UDP Based Echo Service; sockspec contract (udp-echo: "from the same socket")
    When 10 clients at once each exchange 100 numbered datagrams with the server
    Then every client received exactly its own 100 datagrams and nothing else

  @server-control @transparent-path @should @fresh-server @id:udp.stopped-port-refused
  Scenario: After the server stops, a connected client sending to its port sees ECONNREFUSED
    Source: RFC 1122 section 3.2.2.1; udp(7) ECONNREFUSED
    Given a UDP client connected to the server's port
    And the server has been stopped
    When the connected client sends a datagram
    Then the client's socket reports ECONNREFUSED
