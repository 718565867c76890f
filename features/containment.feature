Feature: Containment in the served root
  The file and http services serve the files under their root and never a byte
  of a file outside it, whatever name leads there: a symbolic link inside the
  root that points out, a folder beside the root whose name begins with the
  root's, ".." segments that only a later step of the server's lookup
  uncovers, encoded forms of "." and "/", or an absolute path behind the
  leading slash. Secret files of recognisable contents lie outside the root; a
  scenario fails if a piece of any of them is among the bytes the server sends,
  those after its reply included. Following a symbolic link out of the root is
  what many real servers do by default, and only sockspec's contract forbids it.
  After every scenario the server must still serve a fresh client, and must
  exit with code 0 within 2 s of SIGTERM.

  Rule: The file service refuses every name that resolves outside its root

    Background:
      Given a file server serving its root
      And secret files lie outside that root

    @file @profile @id:containment.file-symlink
    Scenario: A symbolic link to a file outside the root is forbidden
      Source: sockspec contract (file service: FORBIDDEN, "any name that resolves outside the root (for example through a symbolic link)")
      Given the root holds "secret-link.txt", a symbolic link to a secret file outside it
      When a client requests "secret-link.txt"
      Then no byte of a file outside the root was sent
      And the reply is the error FORBIDDEN

    @file @profile @id:containment.file-symlinked-dir
    Scenario: A file under a symbolic link to a folder outside the root is forbidden
      Source: sockspec contract (file service: FORBIDDEN, "any name that resolves outside the root (for example through a symbolic link)")
      Given the root holds "elsewhere-link", a symbolic link to a folder outside it that holds "secret.txt"
      When a client requests "elsewhere-link/secret.txt"
      Then no byte of a file outside the root was sent
      And the reply is the error FORBIDDEN

    @file @profile @id:containment.file-sibling-prefix
    Scenario Outline: A name that resolves into a folder beside the root whose name begins with the root's is forbidden
      Source: sockspec contract (file service: FORBIDDEN, "any name that resolves outside the root")
      Given a folder "root-secret" beside the root, whose name begins with the root's, holds a secret file "secret.txt"
      And the root holds "sibling-link.txt", a symbolic link to that file
      When a client requests "<name>"
      Then no byte of a file outside the root was sent
      And the reply is the error FORBIDDEN

      Examples:
        | name                      |
        | ../root-secret/secret.txt |
        | sibling-link.txt          |

    @file @profile @id:containment.file-parent-after-folder
    Scenario: ".." segments after a real folder that climb past it are forbidden
      Source: sockspec contract (file service: FORBIDDEN, "a `..` component")
      Given the root holds a folder "sub"
      When a client requests "sub/../../secret.txt"
      Then no byte of a file outside the root was sent
      And the reply is the error FORBIDDEN

    @file @profile @id:containment.file-four-dots
    Scenario: "....//" is an ordinary name, not a way out
      Source: sockspec contract (file service: NOT_FOUND, FORBIDDEN)
      When a client requests "....//secret.txt"
      Then no byte of a file outside the root was sent
      And the reply is the error NOT_FOUND

  Rule: The http service sends no byte from outside its root, whatever the target

    Background:
      Given a web server serving its root
      And secret files lie outside that root

    @http @profile @id:containment.http-symlink
    Scenario: A symbolic link to a file outside the root gets 403 or 404
      Source: sockspec contract (http: "a symbolic link leading out")
      Given the root holds "secret-link.txt", a symbolic link to a secret file outside it
      When a client fetches "/secret-link.txt"
      Then no byte of a file outside the root was sent
      And the response status is 403 or 404

    @http @profile @id:containment.http-symlinked-dir
    Scenario: A file under a symbolic link to a folder outside the root gets 403 or 404
      Source: sockspec contract (http: "a symbolic link leading out")
      Given the root holds "elsewhere-link", a symbolic link to a folder outside it that holds "secret.txt"
      When a client fetches "/elsewhere-link/secret.txt"
      Then no byte of a file outside the root was sent
      And the response status is 403 or 404

    @http @profile @id:containment.http-sibling-symlink
    Scenario: A symbolic link into a folder beside the root whose name begins with the root's gets 403 or 404
      Source: sockspec contract (http: "a symbolic link leading out")
      Given a folder "root-secret" beside the root, whose name begins with the root's, holds a secret file "secret.txt"
      And the root holds "sibling-link.txt", a symbolic link to that file
      When a client fetches "/sibling-link.txt"
      Then no byte of a file outside the root was sent
      And the response status is 403 or 404

    @http @must @id:containment.http-escape-no-leak
    Scenario Outline: A target that leads out of the root on a naive mapping never reaches a byte outside it
      Source: RFC 9110 section 17.3; RFC 3986 sections 2.2, 2.4, 3.3 and 7.3; RFC 3629 section 10
      Given a folder "root-secret" beside the root, whose name begins with the root's, holds a secret file "secret.txt"
      And the root holds a folder "sub"
      When a client asks for a secret file outside the root by <way>
      Then no byte of a file outside the root was sent

      Examples:
        | way                                                                   |
        | ".." into the folder beside the root whose name begins with the root's |
        | ".." segments after a real folder, climbing past it ("sub/../../")    |
        | "....//", which a filter that removes "../" once turns into "../"     |
        | ".." then a percent-encoded slash ("..%2f")                           |
        | a doubly percent-encoded ".." ("%252e%252e")                          |
        | an overlong UTF-8 encoding of ".." ("%c0%ae%c0%ae")                   |
        | its absolute path after the leading slash ("//")                      |
        | its absolute path after a percent-encoded slash ("/%2f")              |

    @http @profile @id:containment.http-escape-refused
    Scenario Outline: A target that leads out of the root on a naive mapping is refused
      Source: RFC 9110 sections 15.5.1, 15.5.4, 15.5.5 and 17.3; sockspec contract (http)
      Given a folder "root-secret" beside the root, whose name begins with the root's, holds a secret file "secret.txt"
      And the root holds a folder "sub"
      When a client asks for a secret file outside the root by <way>
      Then no byte of a file outside the root was sent
      And the response status is 400, 403 or 404

      Examples:
        | way                                                                   |
        | ".." into the folder beside the root whose name begins with the root's |
        | ".." segments after a real folder, climbing past it ("sub/../../")    |
        | "....//", which a filter that removes "../" once turns into "../"     |
        | ".." then a percent-encoded slash ("..%2f")                           |
        | a doubly percent-encoded ".." ("%252e%252e")                          |
        | an overlong UTF-8 encoding of ".." ("%c0%ae%c0%ae")                   |
        | its absolute path after the leading slash ("//")                      |
        | its absolute path after a percent-encoded slash ("/%2f")              |
