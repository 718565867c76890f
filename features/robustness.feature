Feature: Bad peers
  Clients that are slow, abrupt or speak nonsense get nothing worse than their
  own connection closed: they neither delay other clients nor crash the server.
  After every scenario that leaves it running, the server must still serve a
  fresh client, and must exit with code 0 within 2 s of SIGTERM.

  @echo @profile @id:robust.slow-client
  Scenario: A slow client does not delay other clients
    Source: sockspec contract (echo: "Serve at least 64 clients at once")
    Given an echo server
    And a slow client is sending its message one byte per second
    When another client sends the line "not waiting"
    Then that client receives the same line back while the slow client is still sending

  @echo @profile @id:robust.connect-drop-burst
  Scenario: 500 connections opened and dropped in a burst leave the server serving
    Source: sockspec contract (Starting and stopping the server, rule 6; --backlog)
    Given an echo server listening with a backlog of 512
    When 500 clients connect at once and each drops its connection straight away
    Then a new client still gets its line echoed

  @file @profile @id:robust.file-garbage
  Scenario: Binary garbage on the file service is a BAD_REQUEST, not a crash
    Source: sockspec contract (file service: BAD_REQUEST)
    Given a file server whose root holds a text file, a 5 MiB binary file and an empty file
    When a client sends 4 KiB of random binary bytes holding no newline
    Then the reply is the error BAD_REQUEST

  @http @should @id:robust.http-garbage
  Scenario: Binary garbage on the web service is a 400, not a crash
    Source: RFC 9112 section 2.2; RFC 9110 section 8.6
    Given a web server whose root holds an index page, a text file and a 10 MiB binary file
    When a client sends 4 KiB of random binary bytes as its request line
    Then the response status is 400
