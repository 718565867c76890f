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

  @profile @id:http.index
  Scenario: "/" serves the index page as HTML
    Source: sockspec contract (http); RFC 1945 section 7.2.2
    When a client gets "/" over HTTP/1.0
    Then the response is 200 with the contents of "index.html" as "text/html"

  @profile @id:http.text-http11
  Scenario: A text file is served as plain text over HTTP/1.1
    Source: sockspec contract (http); RFC 9112 sections 9.3 and 9.6; RFC 9110 section 8.3
    When a client gets "/hello.txt" over HTTP/1.1
    Then the response is 200 with the contents of "hello.txt" as "text/plain"

  @profile @id:http.binary-10mib
  Scenario: A 10 MiB binary file arrives whole with the right length
    Source: sockspec contract (http); RFC 9110 sections 8.3 and 8.6
    When a client gets "/random-10MiB.bin" over HTTP/1.0
    Then the response is 200 with the contents of "random-10MiB.bin" as "application/octet-stream"

  @profile @id:http.not-found
  Scenario: A missing page is 404
    Source: RFC 9110 section 15.5.5; RFC 1945 section 9.4
    When a client gets "/no-such-page.html" over HTTP/1.0
    Then the response status is 404

  @profile @id:http.traversal
  Scenario: A parent-directory path gets no byte from outside the root
    Source: RFC 1945 section 12.5; RFC 9110 section 17.3
    When a client gets the secret file by a path through ".."
    Then no byte of the secret file was sent
    And the response status is 403 or 404

  @profile @id:http.traversal-encoded
  Scenario: A percent-encoded parent-directory path gets no byte from outside the root
    Source: RFC 1945 section 12.5; RFC 9110 sections 4.2.3 and 17.3
    When a client gets the secret file by a path through "%2e%2e"
    Then no byte of the secret file was sent
    And the response status is 403 or 404

  @profile @id:http.fragmented-request
  Scenario: A request delivered in small fragments with pauses is served
    Source: sockspec contract (http: "may arrive in many small TCP segments"); RFC 9293 section 2.2
    When a client sends its request for "/hello.txt" in 8 pieces, pausing 20 ms between them
    Then the response is 200 with the contents of "hello.txt" as "text/plain"

  @profile @id:http.slow-client
  Scenario: A client sending its request slowly does not delay other web clients
    Source: sockspec contract (http: "One slow client ... must not delay any other client")
    Given a slow client is sending its request one byte per second
    When another client gets "/hello.txt" over HTTP/1.0
    Then the response is 200 with the contents of "hello.txt" as "text/plain"
    And the slow client is still sending its request

  @profile @id:http.method-not-allowed
  Scenario: A method other than GET is 405
    Source: RFC 9110 section 9.1
    When a client sends a POST request for "/hello.txt"
    Then the response status is 405

  @should @id:http.missing-version
  Scenario: A request line without an HTTP version is 400
    Source: RFC 9112 section 2.2 (RFC 1945 section 5 asks otherwise)
    When a client sends a request line without an HTTP version
    Then the response status is 400

  @should @id:http.header-no-colon
  Scenario: A header line without a colon is 400
    Source: RFC 9112 section 2.2
    When a client sends a request with a header line that has no colon
    Then the response status is 400

  @profile @id:http.head-8kib
  Scenario: A request head of exactly 8 KiB is served
    Source: sockspec contract (http: request head up to 8192 bytes); RFC 9110 section 5.4
    When a client requests "/hello.txt" with a request head 8 KiB long
    Then the response is 200 with the contents of "hello.txt" as "text/plain"

  @profile @id:http.head-over-8kib
  Scenario: A request head over 8 KiB is 400
    Source: RFC 9110 section 5.4; sockspec contract (http: over 8192 bytes is 400)
    When a client sends a request whose head is 9 KiB long
    Then the response status is 400
