@client
Feature: File client
  The target's client fetches one file from a file service: it connects, sends
  the file name and saves exactly the bytes the server declared, however they
  are split on the wire. When it cannot, its exit code says why: 3 when nothing
  accepts the connection, 4 when the server answers ERR, 5 when the reply breaks
  the protocol or ends before the declared size, 6 when no complete reply
  arrives within its timeout. A client that fails leaves no file behind.
  In these scenarios sockspec plays the file server, misbehaving on purpose.

  @profile @id:client.fetch-5mib
  Scenario: A 5 MiB file is fetched and saved whole
    Source: sockspec contract (The client, exit code 0)
    Given a file server that serves the file
    When the client fetches "random-5MiB.bin"
    Then the client exits with code 0
    And the saved file holds exactly the contents of "random-5MiB.bin"

  @profile @id:client.request-line
  Scenario: The request is the file name and one newline
    Source: sockspec contract (The client: "sends `<file name>\n`")
    Given a file server that serves the file
    When the client fetches "hello.txt"
    Then the client's request was exactly "hello.txt" and a newline
    And the client exits with code 0

  @profile @id:client.one-byte-segments
  Scenario: A reply arriving one byte per segment is saved whole
    Source: sockspec contract (The client: "down to one byte per segment")
    Given a file server that sends its reply one byte per segment
    When the client fetches "hello.txt"
    Then the client exits with code 0
    And the saved file holds exactly the contents of "hello.txt"

  @profile @id:client.err-reply
  Scenario: An ERR reply is reported with its code
    Source: sockspec contract (The client, exit code 4)
    Given a file server that answers ERR NOT_FOUND
    When the client fetches "hello.txt"
    Then the client exits with code 4
    And the client names NOT_FOUND in its output
    And no file is left behind

  @profile @id:client.refused
  Scenario: A refused connection is reported at once
    Source: sockspec contract (The client, exit code 3); connect(2) ECONNREFUSED
    Given a port on which nothing listens
    When the client fetches "hello.txt" from that port with a timeout of 20000 ms
    Then the client exits with code 3
    And the client gave up within 2000 ms
    And no file is left behind

  @profile @id:client.short-reply
  Scenario: A reply that ends before the declared size is a protocol error
    Source: sockspec contract (The client, exit code 5)
    Given a file server that closes the connection halfway through the file
    When the client fetches "random-5MiB.bin"
    Then the client exits with code 5
    And no file is left behind

  @profile @id:client.reset-mid-reply
  Scenario: A reset in the middle of the reply is a protocol error
    Source: sockspec contract (The client, exit code 5)
    Given a file server that resets the connection halfway through the file
    When the client fetches "random-5MiB.bin"
    Then the client exits with code 5
    And no file is left behind

  @profile @id:client.timeout
  Scenario: A server that never answers makes the client time out on time
    Source: sockspec contract (The client, exit code 6)
    Given a file server that never answers
    When the client fetches "hello.txt" with a timeout of 1000 ms
    Then the client exits with code 6
    And the client closed its connection 1000 ms after connecting, give or take 20%
    And no file is left behind

  @profile @id:client.timeout-trickle
  Scenario: A server that trickles its reply makes the client time out on time
    Source: sockspec contract (The client, exit code 6: "the whole exchange, not each read")
    Given a file server that sends the file one byte every 300 ms
    When the client fetches "hello.txt" with a timeout of 1000 ms
    Then the client exits with code 6
    And the client closed its connection 1000 ms after connecting, give or take 20%
    And no file is left behind

  @profile @id:client.size-not-number
  Scenario: A declared size that is not a number is a protocol error
    Source: sockspec contract (The client, exit code 5)
    Given a file server that declares a size that is not a number
    When the client fetches "hello.txt"
    Then the client exits with code 5
    And no file is left behind

  @profile @id:client.size-trailing-letters
  Scenario: A declared size with letters after its digits is a protocol error
    Source: sockspec contract (The client, exit code 5: "a header that is not `OK <decimal size>`")
    Given a file server that declares a size with letters after its digits
    When the client fetches "hello.txt"
    Then the client exits with code 5
    And no file is left behind
