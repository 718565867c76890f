@file
Feature: File exchange
  The client sends one line holding a relative file name. The server answers
  "OK <size>" followed by exactly that many bytes of the file, or
  "ERR <CODE> <text>", and then closes the connection. It serves the files under
  its root and never a byte from outside it.
  After every scenario that leaves it running, the server must still serve a
  fresh client, and must exit with code 0 within 2 s of SIGTERM.

  Background:
    Given a file server whose root holds a text file, a 5 MiB binary file and an empty file
    And a secret file lies just outside that root

  @profile @id:file.text
  Scenario: A text file is sent whole
    Source: sockspec contract (file service)
    When a client requests "hello.txt"
    Then the reply is OK with the exact contents of "hello.txt"

  @profile @id:file.binary-5mib
  Scenario: A 5 MiB binary file arrives intact
    Source: sockspec contract (file service)
    When a client requests "random-5MiB.bin"
    Then the reply is OK with the exact contents of "random-5MiB.bin"

  @profile @id:file.late-reader
  Scenario: A client that starts reading late still gets the whole 5 MiB file
    Source: sockspec contract (file service)
    When a client requests "random-5MiB.bin" and reads nothing until 200 ms after the reply begins
    Then the reply is OK with the exact contents of "random-5MiB.bin"

  @profile @id:file.empty
  Scenario: An empty file is sent as OK 0
    Source: sockspec contract (file service: "OK 0")
    When a client requests "empty.txt"
    Then the reply is OK with the exact contents of "empty.txt"

  @profile @id:file.not-found
  Scenario: A missing file is reported as NOT_FOUND
    Source: sockspec contract (file service: NOT_FOUND)
    When a client requests "no-such-file.txt"
    Then the reply is the error NOT_FOUND

  @profile @id:file.traversal-parent
  Scenario: A parent-directory path is forbidden
    Source: sockspec contract (file service: FORBIDDEN)
    When a client requests the secret file by a path through ".."
    Then no byte of the secret file was sent
    And the reply is the error FORBIDDEN

  @profile @id:file.traversal-absolute
  Scenario: An absolute path is forbidden
    Source: sockspec contract (file service: FORBIDDEN)
    When a client requests the secret file by its absolute path
    Then no byte of the secret file was sent
    And the reply is the error FORBIDDEN

  @profile @id:file.split-request
  Scenario: A request line split across several segments is understood
    Source: sockspec contract (file service); RFC 9293 section 2.2
    When a client sends the request for "hello.txt" in 4 pieces, pausing 20 ms between them
    Then the reply is OK with the exact contents of "hello.txt"

  @profile @id:file.overlong-request
  Scenario: An over-long request is a BAD_REQUEST and the server keeps serving
    Source: sockspec contract (file service: BAD_REQUEST)
    When a client sends 2000 bytes without a newline
    Then the reply is the error BAD_REQUEST
    And a new client requesting "hello.txt" still gets it whole

  @profile @id:file.empty-name
  Scenario: An empty file name is a BAD_REQUEST
    Source: sockspec contract (file service: BAD_REQUEST)
    When a client requests ""
    Then the reply is the error BAD_REQUEST

  @profile @id:file.nul-in-name
  Scenario: A file name holding a NUL byte is a BAD_REQUEST
    Source: sockspec contract (file service: BAD_REQUEST)
    When a client requests a file name with a NUL byte in it
    Then the reply is the error BAD_REQUEST
