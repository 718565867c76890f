@server-control @transparent-path
Feature: Broken pipes
  A client can go away at any point of an exchange, and a server that writes
  to a connection whose peer is gone gets EPIPE and, unless it sends with
  MSG_NOSIGNAL or ignores the signal, SIGPIPE, whose default action kills the
  whole process (POSIX send()). On Linux which write raises it depends on how
  the client left and when (docs/linux-notes.md, "Broken pipes"): after the
  client's FIN the server's first write draws a reset and the next one raises
  SIGPIPE; after a FIN and then a reset the very first write does; after a
  reset alone the first write fails with ECONNRESET and only the next one
  raises it. A server that stops writing at its first error survives only the
  last of these. Each scenario below takes one of these paths.
  The server must survive every one: the broken pipe ends that connection,
  never the server, which still serves the next client.

  @file @profile @fresh-server @id:pipe.file-closed-before-reply
  Scenario: A client that closes before the reply does not bring the file server down
    Source: sockspec contract (Starting and stopping the server, rule 6); POSIX send() EPIPE and SIGPIPE; Linux tcp_reset() (CLOSE_WAIT: EPIPE), sk_stream_error()
    Given a file server whose root holds a text file, a 5 MiB binary file and an empty file
    When a client requests "random-5MiB.bin", then closes the connection before the server replies
    Then the server is still running and serves the next client

  @file @profile @fresh-server @id:pipe.file-reset-before-reply
  Scenario: A client that resets before the reply does not bring the file server down
    Source: sockspec contract (Starting and stopping the server, rule 6); POSIX send() EPIPE and SIGPIPE; Linux tcp_reset() (ECONNRESET), sk_stream_error()
    Given a file server whose root holds a text file, a 5 MiB binary file and an empty file
    When a client requests "random-5MiB.bin", then resets the connection before the server replies
    Then the server is still running and serves the next client

  @file @profile @fresh-server @id:pipe.file-half-closed-reset-before-reply
  Scenario: A client that half-closes and resets before the reply does not bring the file server down
    Source: sockspec contract (Starting and stopping the server, rule 6); POSIX send() EPIPE and SIGPIPE; Linux tcp_reset() (CLOSE_WAIT: EPIPE), sk_stream_error()
    Given a file server whose root holds a text file, a 5 MiB binary file and an empty file
    When a client requests "random-5MiB.bin", then half-closes and resets the connection before the server replies
    Then the server is still running and serves the next client

  @file @profile @id:pipe.file-half-closed-reset-mid-reply
  Scenario: A client that half-closed and resets during a large reply does not bring the file server down
    Source: sockspec contract (Starting and stopping the server, rule 6); POSIX send() EPIPE and SIGPIPE; Linux tcp_reset() (CLOSE_WAIT: EPIPE), sk_stream_wait_memory(), sk_stream_error()
    Given a file server whose root holds a text file, a 5 MiB binary file and an empty file
    When a client requests "random-5MiB.bin", half-closes, then resets the connection while the reply is still being sent
    Then the server is still running and serves the next client

  @echo @profile @fresh-server @id:pipe.echo-closed-before-echo
  Scenario: A client that closes before its bytes are echoed does not bring the echo server down
    Source: sockspec contract (Starting and stopping the server, rule 6); POSIX send() EPIPE and SIGPIPE; Linux tcp_reset() (CLOSE_WAIT: EPIPE), sk_stream_error()
    Given an echo server
    When a client sends 80 KiB of random bytes, then closes the connection before the server echoes them
    Then the server is still running and serves the next client

  @echo @profile @fresh-server @id:pipe.echo-reset-before-echo
  Scenario: A client that resets before its bytes are echoed does not bring the echo server down
    Source: sockspec contract (Starting and stopping the server, rule 6); POSIX send() EPIPE and SIGPIPE; Linux tcp_reset() (ECONNRESET), sk_stream_error()
    Given an echo server
    When a client sends 80 KiB of random bytes, then resets the connection before the server echoes them
    Then the server is still running and serves the next client

  @echo @profile @fresh-server @id:pipe.echo-half-closed-reset-before-echo
  Scenario: A client that half-closes and resets before its bytes are echoed does not bring the echo server down
    Source: sockspec contract (Starting and stopping the server, rule 6); POSIX send() EPIPE and SIGPIPE; Linux tcp_reset() (CLOSE_WAIT: EPIPE), sk_stream_error()
    Given an echo server
    When a client sends 80 KiB of random bytes, then half-closes and resets the connection before the server echoes them
    Then the server is still running and serves the next client

  @http @profile @fresh-server @id:pipe.http-closed-before-response
  Scenario: A client that closes before the response does not bring the web server down
    Source: sockspec contract (Starting and stopping the server, rule 6); POSIX send() EPIPE and SIGPIPE; Linux tcp_reset() (CLOSE_WAIT: EPIPE), sk_stream_error()
    Given a web server whose root holds an index page, a text file and a 10 MiB binary file
    When a client gets "/random-10MiB.bin", then closes the connection before the server responds
    Then the server is still running and serves the next client

  @http @profile @fresh-server @id:pipe.http-reset-before-response
  Scenario: A client that resets before the response does not bring the web server down
    Source: sockspec contract (Starting and stopping the server, rule 6); POSIX send() EPIPE and SIGPIPE; Linux tcp_reset() (ECONNRESET), sk_stream_error()
    Given a web server whose root holds an index page, a text file and a 10 MiB binary file
    When a client gets "/random-10MiB.bin", then resets the connection before the server responds
    Then the server is still running and serves the next client

  @http @profile @fresh-server @id:pipe.http-half-closed-reset-before-response
  Scenario: A client that half-closes and resets before the response does not bring the web server down
    Source: sockspec contract (Starting and stopping the server, rule 6); POSIX send() EPIPE and SIGPIPE; Linux tcp_reset() (CLOSE_WAIT: EPIPE), sk_stream_error()
    Given a web server whose root holds an index page, a text file and a 10 MiB binary file
    When a client gets "/random-10MiB.bin", then half-closes and resets the connection before the server responds
    Then the server is still running and serves the next client

  @http @profile @id:pipe.http-reset-mid-response
  Scenario: A client that resets during a large response does not bring the web server down
    Source: sockspec contract (Starting and stopping the server, rule 6); POSIX send() EPIPE and SIGPIPE; Linux tcp_reset() (ECONNRESET), sk_stream_wait_memory(), sk_stream_error()
    Given a web server whose root holds an index page, a text file and a 10 MiB binary file
    When a client gets "/random-10MiB.bin", then resets the connection while the response is still being sent
    Then the server is still running and serves the next client

  @http @profile @id:pipe.http-half-closed-reset-mid-response
  Scenario: A client that half-closed and resets during a large response does not bring the web server down
    Source: sockspec contract (Starting and stopping the server, rule 6); POSIX send() EPIPE and SIGPIPE; Linux tcp_reset() (CLOSE_WAIT: EPIPE), sk_stream_wait_memory(), sk_stream_error()
    Given a web server whose root holds an index page, a text file and a 10 MiB binary file
    When a client gets "/random-10MiB.bin", half-closes, then resets the connection while the response is still being sent
    Then the server is still running and serves the next client
