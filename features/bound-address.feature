@server-control @host-option
Feature: Bound address
  A server told to listen on one address listens there and nowhere else. One
  that binds the wildcard address instead (0.0.0.0 or "::", every interface of
  the machine) still serves its clients on loopback, so nothing else notices;
  but it has put a service meant for this machine on every network the machine
  is on. The kernel's own table of the server's sockets says where it is bound,
  and a client of another address of the machine is refused. On Linux every
  address of 127.0.0.0/8 is loopback, so 127.0.0.2 is such an address without
  any setup; for a server on "::1", 127.0.0.1 is.
  The harness chooses the address (hence server control), and the server must
  get exactly that address: the docker runtime tells a server to listen on
  every address of its container, so these scenarios cannot run there.
  After every scenario the server must still serve a fresh client, and must
  exit with code 0 within 2 s of SIGTERM.

  @echo @profile @id:bound.echo-ipv4
  Scenario: An echo server told 127.0.0.1 listens on 127.0.0.1 only
    Source: sockspec contract (--host: "listens on that address only"); bind(2); ip(7) INADDR_ANY
    Given an echo server listening on "127.0.0.1"
    Then the kernel lists the server's socket bound to "127.0.0.1" and to no other address

  @echo @linux @profile @id:bound.echo-ipv4-other-address-refused
  Scenario: An echo server told 127.0.0.1 refuses a client of 127.0.0.2
    Source: sockspec contract (--host: "listens on that address only"); RFC 9293 section 3.10.7.1 (a SYN to no listener is answered with RST); connect(2) ECONNREFUSED
    Given an echo server listening on "127.0.0.1"
    When a client connects to the server's port on "127.0.0.2"
    Then the connection is refused with ECONNREFUSED within 100 ms

  @echo @ipv6 @profile @id:bound.echo-ipv6
  Scenario: An echo server told ::1 listens on ::1 only, not on "::"
    Source: sockspec contract (--host: "listens on that address only"); bind(2); ipv6(7) in6addr_any
    Given an echo server listening on "::1"
    Then the kernel lists the server's socket bound to "::1" and to no other address

  @echo @ipv6 @profile @id:bound.echo-ipv6-ipv4-client-refused
  Scenario: An echo server told ::1 refuses a client of 127.0.0.1
    Source: sockspec contract (--host: "listens on that address only"); ipv6(7) IPV6_V6ONLY (a dual-stack "::" listener takes IPv4 clients too); connect(2) ECONNREFUSED
    Given an echo server listening on "::1"
    When a client connects to the server's port on "127.0.0.1"
    Then the connection is refused with ECONNREFUSED within 100 ms

  @http @profile @id:bound.http-ipv4
  Scenario: A web server told 127.0.0.1 listens on 127.0.0.1 only
    Source: sockspec contract (--host: "listens on that address only"); bind(2); ip(7) INADDR_ANY
    Given a web server listening on "127.0.0.1"
    Then the kernel lists the server's socket bound to "127.0.0.1" and to no other address

  @http @linux @profile @id:bound.http-ipv4-other-address-refused
  Scenario: A web server told 127.0.0.1 refuses a client of 127.0.0.2
    Source: sockspec contract (--host: "listens on that address only"); RFC 9293 section 3.10.7.1 (a SYN to no listener is answered with RST); connect(2) ECONNREFUSED
    Given a web server listening on "127.0.0.1"
    When a client connects to the server's port on "127.0.0.2"
    Then the connection is refused with ECONNREFUSED within 100 ms

  @udp-echo @profile @id:bound.udp-ipv4
  Scenario: A UDP echo server told 127.0.0.1 is bound to 127.0.0.1 only
    Source: sockspec contract (--host: "listens on that address only"); bind(2); ip(7) INADDR_ANY
    Given a UDP echo server listening on "127.0.0.1"
    Then the kernel lists the server's socket bound to "127.0.0.1" and to no other address

  @udp-echo @linux @profile @id:bound.udp-ipv4-other-address-unreachable
  Scenario: A datagram to 127.0.0.2 finds no UDP echo server told 127.0.0.1
    Source: sockspec contract (--host: "listens on that address only"); RFC 1122 section 4.1.3.1 (ICMP port unreachable); udp(7) ECONNREFUSED
    Given a UDP echo server listening on "127.0.0.1"
    And a UDP client connected to the server's port on "127.0.0.2"
    When the connected client sends a datagram
    Then the client's socket reports ECONNREFUSED

  @udp-echo @ipv6 @profile @id:bound.udp-ipv6
  Scenario: A UDP echo server told ::1 is bound to ::1 only, not to "::"
    Source: sockspec contract (--host: "listens on that address only"); bind(2); ipv6(7) in6addr_any
    Given a UDP echo server listening on "::1"
    Then the kernel lists the server's socket bound to "::1" and to no other address
