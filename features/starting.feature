@server-control
Feature: Starting a server
  A server is started with the contract's command line: the service, then
  --host, --port, --backlog and, for the file and http services, --root, in
  any order. It binds the address and port it was given, prints one line,
  "LISTENING <port>", on its standard output, and writes its logs to standard
  error only. A server that cannot bind where it was told exits with a
  non-zero code, prints no LISTENING line, and names the error on standard
  error.

  @file @contract-start @profile @id:start.options-any-order
  Scenario: A server takes its options in any order
    Source: sockspec contract (Starting and stopping the server: "the flags follow in any order")
    Given a file server started on a free port with its options in the reverse of the documented order
    Then the server listens on that port and serves "hello.txt" from its root

  @file @contract-start @profile @fresh-server @id:start.stdout-listening-only
  Scenario: A server writes nothing on standard output but its LISTENING line
    Source: sockspec contract (Starting and stopping the server, rules 1 and 2: "Write logs to stderr only")
    Given a file server whose root holds a text file, a 5 MiB binary file and an empty file
    And the server has served a file, refused a name that does not exist and rejected a request without a newline
    And the server has been stopped
    Then everything the server wrote on standard output was one line, "LISTENING" and its port

  @echo @host-option @profile @id:start.unassignable-address
  Scenario: A server told an address this machine does not have exits and names the error
    Source: sockspec contract (Starting and stopping the server, rule 4); bind(2) EADDRNOTAVAIL; RFC 5737 section 3 (192.0.2.0/24 is assigned to no network)
    When an echo server is started on an address that no interface of this machine has
    Then the server exits with a non-zero code without printing LISTENING
    And its stderr names the error "Cannot assign requested address"

  @udp-echo @profile @id:start.second-udp-refused
  Scenario: A second UDP echo server cannot start on a port where one is bound
    Source: sockspec contract (Starting and stopping the server, rule 4); bind(2) EADDRINUSE; socket(7) SO_REUSEADDR
    Given a UDP echo server
    When a second UDP echo server is started on the same port
    Then the second server exits with a non-zero code without printing LISTENING
    And its stderr names the error "Address already in use"
