@echo @server-control
Feature: IPv6
  The contract's --host takes IPv6 literals (the harness chooses the address a
  server listens on, hence server control). A server told to listen on "::1"
  serves IPv6 clients; a server told to listen on "::" is dual stack
  (IPV6_V6ONLY off) and serves IPv4 clients as well.
  After every scenario that leaves it running, the server must still serve a
  fresh client, and must exit with code 0 within 2 s of SIGTERM.

  @ipv6 @profile @id:ipv6.loopback
  Scenario: Echo works over the IPv6 loopback
    Source: sockspec contract (--host); RFC 862, TCP Based Echo Service
    Given an echo server listening on "::1"
    When a client connects over IPv6 and sends the line "hello over IPv6"
    Then the client receives the same line back

  @profile @id:ipv6.dual-stack-ipv4
  Scenario: A dual-stack server serves an IPv4 client
    Source: sockspec contract (--host "::", dual stack); ipv6(7) IPV6_V6ONLY
    Given an echo server listening on "::"
    When a client connects over IPv4 and sends the line "hello over IPv4"
    Then the client receives the same line back

  @ipv6 @profile @id:ipv6.dual-stack-ipv6
  Scenario: A dual-stack server serves an IPv6 client
    Source: sockspec contract (--host "::"); ipv6(7) IPV6_V6ONLY
    Given an echo server listening on "::"
    When a client connects over IPv6 and sends the line "hello again over IPv6"
    Then the client receives the same line back
