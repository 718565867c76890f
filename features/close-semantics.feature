@transparent-path
Feature: Close semantics
  How a conforming server ends connections, and how it copes when its peer
  ends them first. A server finishes a reply with an orderly close (all the
  data, then end-of-stream, never a reset), even when the client sent bytes it
  never read. A reset or a broken pipe ends that one connection, never the
  server, and leaks nothing.
  After every scenario that leaves it running, the server must still serve a
  fresh client, and must exit with code 0 within 2 s of SIGTERM.

  @file @profile @id:close.orderly
  Scenario: A reply ends with all its data and then end-of-stream
    Source: sockspec contract (file service; Closing connections); RFC 9293 section 3.6
    Given a file server whose root holds a text file, a 5 MiB binary file and an empty file
    When a client requests "random-5MiB.bin"
    Then the reply is OK with the exact contents of "random-5MiB.bin"
    And the connection closed in order, with end-of-stream and no reset

  @echo @profile @id:close.echo-half-close
  Scenario: After half-closing, the client still receives the whole echo
    Source: RFC 862, TCP Based Echo Service; RFC 9293 section 3.6.1; sockspec contract (echo)
    Given an echo server
    When a client sends 256 KiB of random bytes and half-closes
    Then the client receives exactly the bytes it sent, then end-of-stream

  @file @profile @id:close.file-half-close
  Scenario: A client that half-closes after its request still gets the whole reply
    Source: sockspec contract (file service); RFC 9293 section 3.6.1
    Given a file server whose root holds a text file, a 5 MiB binary file and an empty file
    When a client sends the request for "random-5MiB.bin" and half-closes at once
    Then the reply is OK with the exact contents of "random-5MiB.bin"
    And the connection closed in order, with end-of-stream and no reset

  @file @server-control @profile @id:close.lingering
  Scenario: The reply survives extra bytes the server never reads
    Source: sockspec contract (Closing connections); RFC 9293 section 3.6.1 (SHLD-3)
    Given a file server whose root holds a text file, a 5 MiB binary file and an empty file
    When a client sends the request for "hello.txt" followed by 64 KiB of bytes the server does not read
    And the client reads nothing until the server has finished with the connection
    Then the reply is OK with the exact contents of "hello.txt"
    And the connection closed in order, with end-of-stream and no reset

  @echo @server-control @profile @id:close.reset-releases-descriptors
  Scenario: Descriptors are released after clients reset
    Source: sockspec contract (Starting and stopping the server, rule 6)
    Given an echo server
    When 200 clients each reset their connection in the middle of an exchange
    Then the server has closed every one of those connections and is still running

  @file @server-control @profile @id:close.reset-mid-reply
  Scenario: A client that leaves during a large reply does not bring the server down
    Source: sockspec contract (Starting and stopping the server, rule 6); send(2) EPIPE
    Given a file server whose root holds a text file, a 5 MiB binary file and an empty file
    When a client requests "random-5MiB.bin" and resets the connection while the reply is still being sent
    Then the server has closed that connection and is still running
