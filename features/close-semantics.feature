@transparent-path
Feature: Close semantics
  How a conforming server ends connections, and how it copes when its peer
  ends them first. A server finishes a reply with an orderly close (all the
  data, then end-of-stream, never a reset), even when the client sent bytes it
  never read. A reset or a broken pipe ends that one connection, never the
  server, and leaks nothing.
  After every scenario that leaves it running, the server must still serve a
  fresh client, and must exit with code 0 within 2 s of SIGTERM.

  @file
  Scenario: A reply ends with all its data and then end-of-stream
    Given a file server whose root holds a text file, a 5 MiB binary file and an empty file
    When a client requests "random-5MiB.bin"
    Then the reply is OK with the exact contents of "random-5MiB.bin"
    And the connection closed in order, with end-of-stream and no reset

  @echo
  Scenario: After half-closing, the client still receives the whole echo
    Given an echo server
    When a client sends 256 KiB of random bytes and half-closes
    Then the client receives exactly the bytes it sent, then end-of-stream

  @file
  Scenario: A client that half-closes after its request still gets the whole reply
    Given a file server whose root holds a text file, a 5 MiB binary file and an empty file
    When a client sends the request for "random-5MiB.bin" and half-closes at once
    Then the reply is OK with the exact contents of "random-5MiB.bin"
    And the connection closed in order, with end-of-stream and no reset

  @file @server-control
  Scenario: The reply survives extra bytes the server never reads
    Given a file server whose root holds a text file, a 5 MiB binary file and an empty file
    When a client sends the request for "hello.txt" followed by 64 KiB of bytes the server does not read
    And the client reads nothing until the server has finished with the connection
    Then the reply is OK with the exact contents of "hello.txt"
    And the connection closed in order, with end-of-stream and no reset

  @echo @server-control
  Scenario: Descriptors are released after clients reset
    Given an echo server
    When 200 clients each reset their connection in the middle of an exchange
    Then the server has closed every one of those connections and is still running

  @file @server-control
  Scenario: A client that leaves during a large reply does not bring the server down
    Given a file server whose root holds a text file, a 5 MiB binary file and an empty file
    When a client requests "random-5MiB.bin" and resets the connection while the reply is still being sent
    Then the server has closed that connection and is still running
