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

  Scenario: A text file is sent whole
    When a client requests "hello.txt"
    Then the reply is OK with the exact contents of "hello.txt"

  Scenario: A 5 MiB binary file arrives intact
    When a client requests "random-5MiB.bin"
    Then the reply is OK with the exact contents of "random-5MiB.bin"

  Scenario: A client that starts reading late still gets the whole 5 MiB file
    When a client requests "random-5MiB.bin" and reads nothing until 200 ms after the reply begins
    Then the reply is OK with the exact contents of "random-5MiB.bin"

  Scenario: An empty file is sent as OK 0
    When a client requests "empty.txt"
    Then the reply is OK with the exact contents of "empty.txt"

  Scenario: A missing file is reported as NOT_FOUND
    When a client requests "no-such-file.txt"
    Then the reply is the error NOT_FOUND

  Scenario: A parent-directory path is forbidden
    When a client requests the secret file by a path through ".."
    Then no byte of the secret file was sent
    And the reply is the error FORBIDDEN

  Scenario: An absolute path is forbidden
    When a client requests the secret file by its absolute path
    Then no byte of the secret file was sent
    And the reply is the error FORBIDDEN

  Scenario: A request line split across several segments is understood
    When a client sends the request for "hello.txt" in 4 pieces, pausing 20 ms between them
    Then the reply is OK with the exact contents of "hello.txt"

  Scenario: An over-long request is a BAD_REQUEST and the server keeps serving
    When a client sends 2000 bytes without a newline
    Then the reply is the error BAD_REQUEST
    And a new client requesting "hello.txt" still gets it whole

  Scenario: An empty file name is a BAD_REQUEST
    When a client requests ""
    Then the reply is the error BAD_REQUEST

  Scenario: A file name holding a NUL byte is a BAD_REQUEST
    When a client requests a file name with a NUL byte in it
    Then the reply is the error BAD_REQUEST
