@echo @server-control @transparent-path @backlog-option @fresh-server
Feature: A full listen queue
  While a server does not accept, the kernel completes handshakes for it and
  queues them, up to a limit set by the listen backlog. What happens to the
  next connection differs between kernels: Linux completes backlog + 1
  handshakes and then drops further SYNs, so the next client is left waiting
  (it retransmits its SYN after about a second) while the server's
  ListenOverflows counter rises; BSD and Windows refuse it at once. Nothing
  queued may be lost: once the server accepts again, every client is served.
  "Not accepting" is a frozen server: its process is stopped, then resumed.

  @linux @profile @id:backlog.linux-queue-limit
  Scenario Outline: A frozen server's queue completes backlog + 1 connections, and no more
    Source: listen(2); POSIX listen(); sockspec contract (--backlog)
    Given an echo server listening with a backlog of <backlog>
    And the server is frozen
    When clients keep connecting until an attempt is not answered
    Then exactly <completed> connections completed
    And the next attempt is left waiting, its SYN dropped and counted in the server's ListenOverflows

    Examples:
      | backlog | completed |
      | 1       | 2         |
      | 4       | 5         |

  @linux @profile @id:backlog.thaw-serves-all
  Scenario: After thawing, every queued client and the waiting one are served without loss
    Source: listen(2); accept(2); RFC 862, TCP Based Echo Service
    Given an echo server listening with a backlog of 1
    And the server is frozen
    And clients keep connecting until an attempt is not answered
    And every connected client has sent its own message
    When the server is thawed
    Then every queued client receives exactly its own message back
    And the waiting client connects and is served

  # tcp_abort_on_overflow only resets a connection whose queue filled up
  # during its handshake. A SYN that meets an already-full queue is dropped all
  # the same (checked on this kernel in a namespace of its own), so a client
  # of a frozen server still waits rather than being reset.
  @linux @namespace-sysctl @profile @id:backlog.abort-on-overflow-dropped
  Scenario: With tcp_abort_on_overflow, an attempt against an already-full queue is still dropped
    Source: tcp(7) tcp_abort_on_overflow; listen(2)
    Given an echo server listening with a backlog of 1 in a namespace where net.ipv4.tcp_abort_on_overflow is 1
    And the server is frozen
    When clients keep connecting until an attempt is not answered
    Then exactly 2 connections completed
    And the next attempt is left waiting, its SYN dropped and counted in the server's ListenOverflows

  @bsd @windows @profile @id:backlog.full-queue-refused
  Scenario: A connection beyond a full queue is refused at once
    Source: listen(2)
    Given an echo server listening with a backlog of 1
    And the server is frozen
    When 3 clients connect one after another
    Then the connection of client 3 is refused with ECONNREFUSED within 100 ms
