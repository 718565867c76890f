@http
Feature: Web page exchange
  The client sends an HTTP/1.0 or HTTP/1.1 GET request: a request line, header
  lines and an empty line. The server answers with a status line, the headers
  Content-Length, Content-Type and Connection: close, exactly Content-Length
  bytes of body, and then closes the connection. It serves the files under its
  root ("/" is the index page) and never a byte from outside it. Requests it
  cannot serve get 404 (no such page), 403 (outside the root), 405 (a method
  other than GET) or 400 (a malformed request, or a request head over 8 KiB).
  After every scenario the server must still serve a fresh client, and must
  exit with code 0 within 2 s of SIGTERM.

  Background:
    Given a web server whose root holds an index page, a text file and a 10 MiB binary file
    And a secret file lies just outside that root

  Scenario: "/" serves the index page as HTML
    When a client gets "/" over HTTP/1.0
    Then the response is 200 with the contents of "index.html" as "text/html"

  Scenario: A text file is served as plain text over HTTP/1.1
    When a client gets "/hello.txt" over HTTP/1.1
    Then the response is 200 with the contents of "hello.txt" as "text/plain"

  Scenario: A 10 MiB binary file arrives whole with the right length
    When a client gets "/random-10MiB.bin" over HTTP/1.0
    Then the response is 200 with the contents of "random-10MiB.bin" as "application/octet-stream"

  Scenario: A missing page is 404
    When a client gets "/no-such-page.html" over HTTP/1.0
    Then the response status is 404

  Scenario: A parent-directory path gets no byte from outside the root
    When a client gets the secret file by a path through ".."
    Then no byte of the secret file was sent
    And the response status is 403 or 404

  Scenario: A percent-encoded parent-directory path gets no byte from outside the root
    When a client gets the secret file by a path through "%2e%2e"
    Then no byte of the secret file was sent
    And the response status is 403 or 404

  Scenario: A request delivered in small fragments with pauses is served
    When a client sends its request for "/hello.txt" in 8 pieces, pausing 20 ms between them
    Then the response is 200 with the contents of "hello.txt" as "text/plain"

  Scenario: A client sending its request slowly does not delay other web clients
    Given a slow client is sending its request one byte per second
    When another client gets "/hello.txt" over HTTP/1.0
    Then the response is 200 with the contents of "hello.txt" as "text/plain"
    And the slow client is still sending its request

  Scenario: A method other than GET is 405
    When a client sends a POST request for "/hello.txt"
    Then the response status is 405

  Scenario: A request line without an HTTP version is 400
    When a client sends a request line without an HTTP version
    Then the response status is 400

  Scenario: A header line without a colon is 400
    When a client sends a request with a header line that has no colon
    Then the response status is 400

  Scenario: A request head of exactly 8 KiB is served
    When a client requests "/hello.txt" with a request head 8 KiB long
    Then the response is 200 with the contents of "hello.txt" as "text/plain"

  Scenario: A request head over 8 KiB is 400
    When a client sends a request whose head is 9 KiB long
    Then the response status is 400
