@file @server-control @transparent-path
Feature: Address reuse
  A server that closes its connections first leaves them in TIME_WAIT on its
  own side. Restarted at once on the same port, it must still bind: the
  contract asks for SO_REUSEADDR. Reuse has a limit, though: while one server
  listens on a port, a second one must not start there.

  @profile @fresh-server @id:reuse.restart-time-wait
  Scenario: A restarted server binds the port its closed connections left in TIME_WAIT
    Source: sockspec contract (Starting and stopping the server, rule 5); socket(7) SO_REUSEADDR
    Given a file server whose root holds a text file, a 5 MiB binary file and an empty file
    And a client has fetched "hello.txt", so the server's side of that connection is in TIME_WAIT
    When the server is stopped and started again at once on the same port
    Then the new server listens on that port and serves "hello.txt"

  @profile @id:reuse.second-listener-refused
  Scenario: A second server cannot start on a port where one is listening
    Source: sockspec contract (Starting and stopping the server, rule 4); bind(2) EADDRINUSE; socket(7) SO_REUSEADDR
    Given a file server whose root holds a text file, a 5 MiB binary file and an empty file
    When a second file server is started on the same port
    Then the second server exits with a non-zero code without printing LISTENING
    And its stderr names the error "Address already in use"
