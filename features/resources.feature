@server-control @transparent-path
Feature: Resources under pressure
  Real servers meet clients that use up what they have. A conforming server that
  runs out of descriptors neither dies nor spins: on Linux accept() then fails
  with EMFILE and leaves the connection queued, so a loop that retries at once
  busy-waits on a listener that stays readable. Once descriptors come free it
  serves the clients that waited, or closes them, and never leaves them hanging.
  It stops reading from a client that does not read its echo instead of
  buffering without limit, and a thousand idle connections neither keep a fresh
  client waiting nor keep their descriptors once they leave.
  After every scenario that leaves it running, the server must still serve a
  fresh client, and must exit with code 0 within 2 s of SIGTERM.

  Rule: An echo server out of descriptors waits for one without spinning, then serves again

    Background:
      Given an echo server limited to 64 open descriptors
      And idle clients have connected until the server takes no more and 4 wait in its accept queue, 100 at most

    @echo @resource-limits @profile @id:resources.echo-descriptors-no-spin
    Scenario: Out of descriptors, the echo server neither dies nor spins
      Source: sockspec contract (Resources: out of descriptors); accept(2) EMFILE
      Then over the next second the server keeps running and is on the CPU for less than 20% of it

    @echo @resource-limits @profile @id:resources.echo-descriptors-recovery
    Scenario: Once descriptors come free, every echo client that waited is served or closed
      Source: sockspec contract (Resources: out of descriptors); accept(2) EMFILE
      When the clients the server took leave
      Then each client that was still waiting gets its line back or its connection closed within 5 seconds
      And a fresh client is still served

  Rule: A web server out of descriptors waits for one without spinning, then serves again

    Background:
      Given a web server limited to 64 open descriptors
      And idle clients have connected until the server takes no more and 4 wait in its accept queue, 100 at most

    @http @resource-limits @profile @id:resources.http-descriptors-no-spin
    Scenario: Out of descriptors, the web server neither dies nor spins
      Source: sockspec contract (Resources: out of descriptors); accept(2) EMFILE
      Then over the next second the server keeps running and is on the CPU for less than 20% of it

    @http @resource-limits @profile @id:resources.http-descriptors-recovery
    Scenario: Once descriptors come free, every web client that waited is served or closed
      Source: sockspec contract (Resources: out of descriptors); accept(2) EMFILE
      When the clients the server took leave
      Then each client that was still waiting gets its response or its connection closed within 5 seconds
      And a fresh client is still served

  Rule: An echo server stops reading from a client that does not read

    @echo @profile @id:resources.echo-backpressure
    Scenario: A client that sends 256 MiB and reads nothing is not buffered in the server's memory
      Source: sockspec contract (Resources: backpressure); RFC 9293 section 3.8.6 (window management)
      Given an echo server
      When a client sends 256 MiB of random bytes and reads nothing, until the server stops taking them
      Then the server's resident memory has grown by less than 64 MiB
      And once the client reads, it receives every byte it sent, in order

  # The thousand clients connect 20 at a time: the server's accept queue must hold a
  # burst of them, so these scenarios need the listen backlog sockspec passes (128).
  Rule: A thousand idle echo clients neither delay a fresh one nor keep their descriptors

    Background:
      Given an echo server
      And 1000 idle clients are connected, each taken by the server

    @echo @backlog-option @profile @id:resources.echo-idle-fresh-client
    Scenario: With 1000 idle clients connected, a fresh echo client is served at once
      Source: sockspec contract (Resources: idle clients; echo: "Serve at least 64 clients at once")
      Then a fresh client is served within 2 seconds

    @echo @backlog-option @profile @id:resources.echo-idle-released
    Scenario: Once 1000 idle echo clients leave, the server holds no more descriptors than before
      Source: sockspec contract (Resources: idle clients; Starting and stopping the server, rule 6)
      When the idle clients leave
      Then the server closes every one of their connections

  Rule: A thousand idle web clients neither delay a fresh one nor keep their descriptors

    Background:
      Given a web server
      And 1000 idle clients are connected, each taken by the server

    @http @backlog-option @profile @id:resources.http-idle-fresh-client
    Scenario: With 1000 idle clients connected, a fresh web client is served at once
      Source: sockspec contract (Resources: idle clients)
      Then a fresh client is served within 2 seconds

    @http @backlog-option @profile @id:resources.http-idle-released
    Scenario: Once 1000 idle web clients leave, the server holds no more descriptors than before
      Source: sockspec contract (Resources: idle clients; Starting and stopping the server, rule 6)
      When the idle clients leave
      Then the server closes every one of their connections
