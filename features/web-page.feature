@http
Feature: Web page exchange
  The client sends HTTP/1.0 or HTTP/1.1 requests: a request line, header
  lines and an empty line. It reads each response the way HTTP delimits it
  (by Content-Length, by the chunked coding, or by the server's close) and
  never waits for a close that HTTP/1.1 did not promise. The server serves the
  files under its root ("/" is the index page), answers HEAD as it answers GET
  but without content, and never sends a byte from outside its root. Scenarios
  tagged @profile hold the server to sockspec's contract as well: every
  response carries an exact Content-Length (a 200 also its Content-Type and
  "Connection: close"), the server closes the connection after it, and
  requests it cannot serve get exactly 404 (no such page), 403 or 404 (outside
  the root), 405 (a method other than GET and HEAD) or 400 (a malformed
  request, an HTTP/1.1 request without exactly one Host, or a request head over
  8 KiB). After every scenario the server must still serve a fresh client, and
  must exit with code 0 within 2 s of SIGTERM.

  Background:
    Given a web server whose root holds an index page, a text file and a 10 MiB binary file
    And a secret file lies just outside that root

  @profile @id:http.index
  Scenario: "/" serves the index page as HTML
    Source: sockspec contract (http); RFC 1945 section 7.2.2
    When a client gets "/" over HTTP/1.0
    Then the response is 200 with the contents of "index.html" as "text/html"
    And the response has an exact Content-Length and "Connection: close", and then the server closes the connection

  @profile @id:http.text-http11
  Scenario: A text file is served as plain text over HTTP/1.1
    Source: sockspec contract (http); RFC 9112 sections 9.3 and 9.6; RFC 9110 section 8.3
    When a client gets "/hello.txt" over HTTP/1.1
    Then the response is 200 with the contents of "hello.txt" as "text/plain"
    And the response has an exact Content-Length and "Connection: close", and then the server closes the connection

  @profile @id:http.binary-10mib
  Scenario: A 10 MiB binary file arrives whole with the right length
    Source: sockspec contract (http); RFC 9110 sections 8.3 and 8.6
    When a client gets "/random-10MiB.bin" over HTTP/1.0
    Then the response is 200 with the contents of "random-10MiB.bin" as "application/octet-stream"
    And the response has an exact Content-Length and "Connection: close", and then the server closes the connection

  @must @id:http.http10-whole-file
  Scenario: An HTTP/1.0 request gets the whole file, however the response is delimited
    Source: RFC 1945 sections 7.2.2 and 8.1; RFC 9112 sections 6.3 and 9.3
    When a client gets "/random-10MiB.bin" over HTTP/1.0
    Then the response is 200 with the contents of "random-10MiB.bin"

  @profile @id:http.not-found
  Scenario: A missing page is 404
    Source: RFC 9110 section 15.5.5; RFC 1945 section 9.4; sockspec contract (http)
    When a client gets "/no-such-page.html" over HTTP/1.0
    Then the response status is 404
    And the response has an exact Content-Length, and then the server closes the connection

  @profile @id:http.traversal
  Scenario: A parent-directory path gets no byte from outside the root
    Source: RFC 1945 section 12.5; RFC 9110 section 17.3; sockspec contract (http)
    When a client gets the secret file by a path through ".."
    Then no byte of the secret file was sent
    And the response status is 403 or 404
    And the response has an exact Content-Length, and then the server closes the connection

  @must @id:http.traversal-no-leak
  Scenario: A parent-directory path never reaches a byte outside the root
    Source: RFC 1945 section 12.5; RFC 9110 sections 4.2.3 and 17.3; RFC 3986 section 5.2.4
    When a client gets the secret file by a path through ".."
    Then no byte of the secret file was sent

  @profile @id:http.traversal-encoded
  Scenario: A percent-encoded parent-directory path gets no byte from outside the root
    Source: RFC 1945 section 12.5; RFC 9110 sections 4.2.3 and 17.3; sockspec contract (http)
    When a client gets the secret file by a path through "%2e%2e"
    Then no byte of the secret file was sent
    And the response status is 403 or 404
    And the response has an exact Content-Length, and then the server closes the connection

  @must @id:http.traversal-encoded-no-leak
  Scenario: A percent-encoded parent-directory path never reaches a byte outside the root
    Source: RFC 1945 sections 5.1.2 and 12.5; RFC 9110 sections 4.2.3 and 17.3; RFC 3986 section 5.2.4
    When a client gets the secret file by a path through "%2e%2e"
    Then no byte of the secret file was sent

  @profile @id:http.fragmented-request
  Scenario: A request delivered in small fragments with pauses is served
    Source: sockspec contract (http: "may arrive in many small TCP segments"); RFC 9293 section 2.2
    When a client sends its request for "/hello.txt" in 8 pieces, pausing 20 ms between them
    Then the response is 200 with the contents of "hello.txt" as "text/plain"
    And the response has an exact Content-Length and "Connection: close", and then the server closes the connection

  @profile @id:http.slow-client
  Scenario: A client sending its request slowly does not delay other web clients
    Source: sockspec contract (http: "One slow client ... must not delay any other client")
    Given a slow client is sending its request one byte per second
    When another client gets "/hello.txt" over HTTP/1.0
    Then the response is 200 with the contents of "hello.txt" as "text/plain"
    And the response has an exact Content-Length and "Connection: close", and then the server closes the connection
    And the slow client is still sending its request

  @profile @id:http.slow-reader
  Scenario: A client reading its response slowly does not delay other web clients
    Source: sockspec contract (http: "One slow client (sending its request a byte at a time, or reading the reply slowly) must not delay any other client")
    Given a client has requested "/random-10MiB.bin" and reads nothing, until the server can send it no more
    When another client gets "/hello.txt" over HTTP/1.0
    Then the response is 200 with the contents of "hello.txt" as "text/plain"
    And the response has an exact Content-Length and "Connection: close", and then the server closes the connection
    And the client that reads nothing is still connected

  @profile @id:http.method-not-allowed
  Scenario: A method other than GET is 405
    Source: RFC 9110 section 9.1; RFC 1945 section 8.3; sockspec contract (http)
    When a client posts empty content to "/hello.txt" over HTTP/1.0
    Then the response status is 405
    And the response has an exact Content-Length, and then the server closes the connection

  @should @id:http.method-not-implemented
  Scenario: A method the server does not implement is 405 or 501
    Source: RFC 9110 sections 9.1, 15.5.6 and 15.6.2
    When a client sends an HTTP/1.1 request for "/hello.txt" with a method the server does not implement
    Then the response status is 405 or 501

  @should @id:http.missing-version
  Scenario: A request line without an HTTP version is 400
    Source: RFC 9112 section 2.2 (RFC 1945 section 5 asks otherwise)
    When a client sends a request line without an HTTP version
    Then the response status is 400

  @should @id:http.missing-version-either
  Scenario: A request line without an HTTP version gets 400 or an HTTP/0.9 response
    Source: RFC 9112 sections 2.2 and 3; RFC 1945 sections 3.1, 4.1, 5 and 6
    When a client sends a request line without an HTTP version
    Then the response is 400, or the contents of "hello.txt" as an HTTP/0.9 response

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
    And the response has an exact Content-Length and "Connection: close", and then the server closes the connection

  @profile @id:http.head-over-8kib
  Scenario: A request head over 8 KiB is 400
    Source: RFC 9110 section 5.4; sockspec contract (http: over 8192 bytes is 400)
    When a client sends a request whose head is 9 KiB long
    Then the response status is 400
    And the response has an exact Content-Length, and then the server closes the connection

  @must @id:http.host-missing
  Scenario: An HTTP/1.1 server answers an HTTP/1.1 request without a Host header with 400
    Source: RFC 9112 section 3.2; RFC 9110 sections 2.5 and 6.2
    When a client sends an HTTP/1.1 request for "/hello.txt" without a Host header
    Then the response status is 400, unless the server answers as an HTTP/1.0 server

  @profile @id:http.host-missing-contract
  Scenario: An HTTP/1.1 request without a Host header is 400, whatever version the server answers in
    Source: sockspec contract (http: an HTTP/1.1 request without a Host header line is 400); RFC 9112 section 3.2
    When a client sends an HTTP/1.1 request for "/hello.txt" without a Host header
    Then the response status is 400
    And the response has an exact Content-Length, and then the server closes the connection

  @must @id:http.host-duplicate
  Scenario: An HTTP/1.1 server answers a request with two Host header lines with 400
    Source: RFC 9112 section 3.2; RFC 9110 sections 2.5 and 6.2
    When a client sends an HTTP/1.1 request for "/hello.txt" with two Host header lines
    Then the response status is 400, unless the server answers as an HTTP/1.0 server

  @profile @id:http.host-duplicate-contract
  Scenario: An HTTP/1.1 request with two Host header lines is 400, whatever version the server answers in
    Source: sockspec contract (http: an HTTP/1.1 request with more than one Host header line is 400); RFC 9112 section 3.2
    When a client sends an HTTP/1.1 request for "/hello.txt" with two Host header lines
    Then the response status is 400
    And the response has an exact Content-Length, and then the server closes the connection

  @must @id:http.head-method
  Scenario: HEAD gets the status a GET gets, and no content
    Source: RFC 9110 sections 9.1, 9.3.2 and 8.6
    When a client asks for the head of "/hello.txt"
    Then the response has the status a GET of "/hello.txt" gets, and no content follows its head

  @should @id:http.persistent-connection
  Scenario: An HTTP/1.1 connection carries a second request after the first
    Source: RFC 9112 section 9.3
    When a client gets "/hello.txt" over HTTP/1.1 and then again on the same connection
    Then both responses are 200 with the contents of "hello.txt"

  @must @id:http.method-not-allowed-allow
  Scenario: A 405 names GET and HEAD in its Allow header
    Source: RFC 9110 section 15.5.6 ("The origin server MUST generate an Allow header field in a 405 response containing a list of the target resource's currently supported methods"); RFC 9110 sections 9.1 and 10.2.1
    When a client posts empty content to "/hello.txt" over HTTP/1.0
    Then a 405 answer carries an Allow header naming GET and HEAD

  @profile @id:http.not-found-body
  Scenario: A 404 carries a short text body of exactly its Content-Length
    Source: sockspec contract (http: "Error replies carry a short text/plain or text/html body, with its Content-Length")
    When a client gets "/no-such-page.html" over HTTP/1.0
    Then the response status is 404
    And the response carries a non-empty text/plain or text/html body
    And the response has an exact Content-Length and "Connection: close", and then the server closes the connection

  @profile @id:http.bad-request-body
  Scenario: A 400 carries a short text body of exactly its Content-Length
    Source: sockspec contract (http: "Error replies carry a short text/plain or text/html body, with its Content-Length")
    When a client sends a request with a header line that has no colon
    Then the response status is 400
    And the response carries a non-empty text/plain or text/html body
    And the response has an exact Content-Length and "Connection: close", and then the server closes the connection

  @profile @id:http.method-not-allowed-body
  Scenario: A 405 carries a short text body of exactly its Content-Length
    Source: sockspec contract (http: "Error replies carry a short text/plain or text/html body, with its Content-Length")
    When a client posts empty content to "/hello.txt" over HTTP/1.0
    Then the response status is 405
    And the response carries a non-empty text/plain or text/html body
    And the response has an exact Content-Length and "Connection: close", and then the server closes the connection

  @must @id:http.head-not-found
  Scenario: HEAD of a missing page gets the status a GET gets, and no content
    Source: RFC 9110 section 9.3.2 ("The HEAD method is identical to GET except that the server MUST NOT send content in the response"); RFC 9112 section 6.3
    When a client asks for the head of "/no-such-page.html"
    Then the response has the status a GET of "/no-such-page.html" gets, and no content follows its head

  @profile @id:http.head-not-found-contract
  Scenario: HEAD of a missing page gets the head of the 404 a GET gets, without its body
    Source: sockspec contract (http: HEAD gets "what GET of that name gets, without the body", "Content-Length (the size of the file, or of the error body), Content-Type and Connection: close included"); RFC 9110 section 9.3.2
    When a client asks for the head of "/no-such-page.html"
    Then the response status is 404
    And the response has the Content-Length, Content-Type and "Connection: close" of what a GET of "/no-such-page.html" gets, no content, and then the server closes the connection

  @profile @id:http.percent-decoded
  Scenario: A percent-encoded character in the target is decoded before the lookup
    Source: RFC 3986 sections 2.1 and 6.2.2.2; sockspec contract (http: "TARGET is percent-decoded (%XX) before it is looked up")
    When a client gets "/hello%2Etxt" over HTTP/1.0
    Then the response is 200 with the contents of "hello.txt" as "text/plain"
    And the response has an exact Content-Length and "Connection: close", and then the server closes the connection

  @profile @id:http.bad-escape
  Scenario: A malformed percent escape in the target is 400
    Source: RFC 3986 section 2.1 (pct-encoded = "%" HEXDIG HEXDIG); sockspec contract (http: "a bad % escape" is 400)
    When a client gets "/hello%4g.txt" over HTTP/1.0
    Then the response status is 400
    And the response has an exact Content-Length and "Connection: close", and then the server closes the connection

  @should @id:http.four-part-request-line
  Scenario: A request line of four parts is 400
    Source: RFC 9112 section 3 ("Recipients of an invalid request-line SHOULD respond with either a 400 (Bad Request) error or a 301 (Moved Permanently) redirect with the request-target properly encoded") and section 2.2
    When a client sends a request line with a fourth part after the version
    Then the response status is 400

  @should @id:http.malformed-version
  Scenario: A request whose version is not HTTP/digit.digit is 400
    Source: RFC 9112 section 2.3 (HTTP-version = HTTP-name "/" DIGIT "." DIGIT) and section 2.2 ("the server SHOULD respond with a 400 (Bad Request) response")
    When a client sends a request for "/hello.txt" whose version is "HTTP/x.y"
    Then the response status is 400

  @profile @id:http.target-not-absolute-path
  Scenario: A target that does not start with "/" is 400
    Source: RFC 9112 sections 3 and 3.2 (origin-form = absolute-path [ "?" query ]; an invalid request-line gets 400 or 301); sockspec contract (http: "a target not starting with /" is 400)
    When a client sends a request whose target is "hello.txt"
    Then the response status is 400
    And the response has an exact Content-Length and "Connection: close", and then the server closes the connection

  @profile @id:http.http10-no-host
  Scenario: An HTTP/1.0 request without a Host header is served
    Source: sockspec contract (http: "an HTTP/1.0 request is served with or without Host"); RFC 1945 section 5; RFC 9112 section 3.2
    When a client gets "/hello.txt" over HTTP/1.0 without a Host header
    Then the response is 200 with the contents of "hello.txt" as "text/plain"
    And the response has an exact Content-Length and "Connection: close", and then the server closes the connection

  @profile @id:http.htm-page
  Scenario: An .htm page is served as HTML
    Source: sockspec contract (http: ".html/.htm → text/html"); RFC 2854 section 5
    When a client gets "/page.htm" over HTTP/1.0
    Then the response is 200 with the contents of "page.htm" as "text/html"
    And the response has an exact Content-Length and "Connection: close", and then the server closes the connection

  @profile @id:http.empty-file
  Scenario: An empty file is 200 with Content-Length 0 and nothing after the head
    Source: sockspec contract (http: "exactly Content-Length bytes of body"); RFC 9110 section 8.6
    When a client gets "/empty.txt" over HTTP/1.0
    Then the response is 200 with the contents of "empty.txt" as "text/plain"
    And the response has an exact Content-Length and "Connection: close", and then the server closes the connection

  @profile @id:http.directory
  Scenario: A folder inside the root is not a page: 404
    Source: sockspec contract (http: "GET of a name that ... is not a regular file" is 404)
    When a client gets "/sub" over HTTP/1.0
    Then the response status is 404
    And the response has an exact Content-Length and "Connection: close", and then the server closes the connection

  @profile @id:http.query-ignored
  Scenario: The query part of the target is not part of the name looked up
    Source: RFC 9112 section 3.2.1 (origin-form = absolute-path [ "?" query ]); RFC 3986 section 3.4; sockspec contract (http: "anything from ? on is ignored")
    When a client gets "/hello.txt?x=1" over HTTP/1.0
    Then the response is 200 with the contents of "hello.txt" as "text/plain"
    And the response has an exact Content-Length and "Connection: close", and then the server closes the connection

  @must @id:http.host-lowercase
  Scenario: A Host header whose name is in lower case is a Host header
    Source: RFC 9110 section 5.1 ("Field names are case-insensitive"); RFC 9112 section 3.2
    When a client gets "/hello.txt" over HTTP/1.1 with its Host header named "host"
    Then the response is 200 with the contents of "hello.txt"

  @profile @id:http.host-empty
  Scenario: An HTTP/1.1 request with an empty Host value is served
    Source: sockspec contract (http: "the value may be empty"); RFC 9112 section 3.2 (an empty Host value where the target URI has no authority)
    When a client gets "/hello.txt" over HTTP/1.1 with an empty Host value
    Then the response is 200 with the contents of "hello.txt" as "text/plain"
    And the response has an exact Content-Length and "Connection: close", and then the server closes the connection

  @profile @id:http.bad-request-before-method
  Scenario: A malformed request with a method other than GET is 400, not 405
    Source: sockspec contract (http: "When several rows apply, 400 wins: a malformed request is 400 whatever its method")
    When a client posts empty content to "/hello.txt" with the version "HTTP/x.y"
    Then the response status is 400
    And the response has an exact Content-Length and "Connection: close", and then the server closes the connection

  @profile @id:http.incomplete-head
  Scenario: A client that ends its side in the middle of its request head gets 400 or nothing, and then the close
    Source: RFC 9112 section 8 ("A server that receives an incomplete request message, usually due to a canceled request or a triggered timeout exception, MAY send an error response prior to closing the connection"); sockspec contract ("When the client half-closes (you read end-of-stream), send everything still owed, then close")
    When a client sends part of a request head for "/hello.txt" and then ends its side of the connection
    Then the server answers 400 or nothing, and then closes the connection
