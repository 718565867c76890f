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

  @profile @id:file.directory
  Scenario: A folder inside the root is reported as NOT_FOUND
    Source: sockspec contract (file service: NOT_FOUND, "not a regular file")
    When a client requests "sub"
    Then the reply is the error NOT_FOUND

  @profile @id:file.root-itself
  Scenario: The root folder itself is reported as NOT_FOUND
    Source: sockspec contract (file service: NOT_FOUND, "not a regular file")
    When a client requests "."
    Then the reply is the error NOT_FOUND

  @profile @id:file.parent-inside-root
  Scenario: A ".." component is forbidden even where the path stays inside the root
    Source: sockspec contract (file service: FORBIDDEN, "a .. component")
    When a client requests "sub/../hello.txt"
    Then the reply is the error FORBIDDEN

  @profile @id:file.request-limit
  Scenario: 1024 bytes without a newline are a BAD_REQUEST at once, with no wait for more
    Source: sockspec contract (file service: BAD_REQUEST, "no newline within the first 1024 bytes")
    When a client sends 1024 bytes without a newline
    Then the reply is the error BAD_REQUEST

  @profile @id:file.longest-request
  Scenario: A request line of exactly 1024 bytes, newline included, is read as a file name
    Source: sockspec contract (file service: "at most 1024 bytes including the newline")
    When a client requests a missing file by a name of 1023 bytes
    Then the reply is the error NOT_FOUND

  @profile @id:file.half-closed-request
  Scenario: A request line cut short by the client's half-close is a BAD_REQUEST
    Source: sockspec contract (file service: "ending in \n"; BAD_REQUEST); RFC 9293 section 3.6.1
    When a client sends "hello.txt" without its newline and half-closes
    Then the reply is the error BAD_REQUEST

  @server-control @profile @id:file.empty-extra-bytes
  Scenario: An empty file is sent as OK 0 and an orderly close even when more bytes follow the request
    Source: sockspec contract (file service: "OK 0"; Closing connections); RFC 9293 section 3.6.1 (SHLD-3)
    When a client sends the request for "empty.txt" followed by 1 KiB of bytes the server does not read
    And the client reads nothing until the server has finished with the connection
    Then the reply is OK with the exact contents of "empty.txt"
    And the connection closed in order, with end-of-stream and no reset

  @server-control @profile @id:file.byte-after-reply
  Scenario: A client that sends a byte after the whole reply is queued still gets all of it
    Source: sockspec contract (Closing connections); RFC 9293 section 3.6; RFC 2525 section 2.17
    When a client requests "random-5MiB.bin" and sends one more byte once the server has queued the whole reply and shut down its sending side
    Then the reply is OK with the exact contents of "random-5MiB.bin"
    And the connection closed in order, with end-of-stream and no reset

  @server-control @profile @id:file.drain-timeout
  Scenario: A client that never closes its side does not hold the server's connection for long
    Source: sockspec contract (Closing connections: "or a short timeout")
    When a client requests "hello.txt" and keeps its side of the connection open after the reply
    Then the server releases that connection within 5 s of its end-of-stream

  @server-control @profile @fresh-server @id:file.grown-during-send
  Scenario: A file that grows while it is sent is cut at the announced size
    Source: sockspec contract (file service: "exactly <size> bytes of the file")
    When a client requests a file of its own that grows by 64 KiB once the server has announced its size
    Then the reply is OK with the file as it was when its size was announced
