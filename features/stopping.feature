@server-control @transparent-path @fresh-server
Feature: Stopping with clients connected
  The contract asks a server to exit with code 0 within 2 s of SIGTERM, also
  while clients are connected. A server that stops gracefully, waiting for
  its connections to end, or that looks at a stop flag only between clients,
  is held up by any client that does not finish: one that connected and sent
  nothing, one half-way through its request, one that reads nothing of a
  large reply while the server is blocked writing it. The harness stops the
  server (hence server control) with such a client attached, once the kernel
  shows the client in that state on the server's side of the connection
  (hence an end-to-end path: a proxy would hold that connection instead). A target outside sockspec's profile is held
  to its own stop signal and grace period, with whatever exit code it uses.

  @echo @profile @id:stop.echo-idle-client
  Scenario: An echo server with an idle client exits with code 0 on SIGTERM
    Source: sockspec contract (Starting and stopping the server, rule 3: "also while clients are connected")
    Given an echo server
    And a client is connected and has sent nothing
    When the server is asked to stop
    Then the server exits with code 0 within 2 s

  @file @profile @id:stop.file-idle-client
  Scenario: A file server with an idle client exits with code 0 on SIGTERM
    Source: sockspec contract (Starting and stopping the server, rule 3: "also while clients are connected")
    Given a file server whose root holds a 10 MiB binary file
    And a client is connected and has sent nothing
    When the server is asked to stop
    Then the server exits with code 0 within 2 s

  @http @profile @id:stop.http-idle-client
  Scenario: A web server with an idle client exits with code 0 on SIGTERM
    Source: sockspec contract (Starting and stopping the server, rule 3: "also while clients are connected")
    Given a web server whose root holds an index page, a text file and a 10 MiB binary file
    And a client is connected and has sent nothing
    When the server is asked to stop
    Then the server exits with code 0 within 2 s

  @file @profile @id:stop.file-mid-request
  Scenario: A file server in the middle of reading a request exits with code 0 on SIGTERM
    Source: sockspec contract (Starting and stopping the server, rule 3: "also while clients are connected")
    Given a file server whose root holds a 10 MiB binary file
    And a client has sent the first half of its request line, and the server has read it
    When the server is asked to stop
    Then the server exits with code 0 within 2 s

  @http @profile @id:stop.http-mid-request
  Scenario: A web server in the middle of reading a request exits with code 0 on SIGTERM
    Source: sockspec contract (Starting and stopping the server, rule 3: "also while clients are connected")
    Given a web server whose root holds an index page, a text file and a 10 MiB binary file
    And a client has sent the first half of its request line, and the server has read it
    When the server is asked to stop
    Then the server exits with code 0 within 2 s

  @echo @profile @id:stop.echo-mid-reply
  Scenario: An echo server blocked writing to a client that does not read exits with code 0 on SIGTERM
    Source: sockspec contract (Starting and stopping the server, rule 3: "also while clients are connected")
    Given an echo server
    And a client that reads nothing is owed a large reply, and the server's writes to it are backed up
    When the server is asked to stop
    Then the server exits with code 0 within 2 s

  @file @profile @id:stop.file-mid-reply
  Scenario: A file server blocked writing to a client that does not read exits with code 0 on SIGTERM
    Source: sockspec contract (Starting and stopping the server, rule 3: "also while clients are connected")
    Given a file server whose root holds a 10 MiB binary file
    And a client that reads nothing is owed a large reply, and the server's writes to it are backed up
    When the server is asked to stop
    Then the server exits with code 0 within 2 s

  @http @profile @id:stop.http-mid-reply
  Scenario: A web server blocked writing to a client that does not read exits with code 0 on SIGTERM
    Source: sockspec contract (Starting and stopping the server, rule 3: "also while clients are connected")
    Given a web server whose root holds an index page, a text file and a 10 MiB binary file
    And a client that reads nothing is owed a large reply, and the server's writes to it are backed up
    When the server is asked to stop
    Then the server exits with code 0 within 2 s
