import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeHttpResponse, httpGet, httpRequest, mediaType, parseHttpResponse } from '../src/services/http-exchange';

const response = (head: string, body = ''): Buffer => Buffer.from(`${head}\r\n\r\n${body}`, 'latin1');

describe('reading an HTTP response up to the server\'s end-of-stream', () => {
  it('takes a well-formed response apart', () => {
    const parsed = parseHttpResponse(response('HTTP/1.0 200 OK\r\nContent-Length: 5\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close', 'hello'));
    assert.equal(parsed.kind, 'response');
    if (parsed.kind !== 'response') return;
    assert.equal(parsed.status, 200);
    assert.equal(mediaType(parsed), 'text/html');
    assert.equal(parsed.headers.get('connection'), 'close');
    assert.equal(parsed.body.toString(), 'hello');
    assert.equal(describeHttpResponse(parsed), '200 (text/html; charset=utf-8, 5 bytes of body)');
  });

  it('calls a body shorter or longer than Content-Length malformed, saying by how much', () => {
    const short = parseHttpResponse(response('HTTP/1.1 200 OK\r\nContent-Length: 10', 'hello'));
    assert.equal(short.kind, 'malformed');
    assert.match(describeHttpResponse(short), /Content-Length 10, but 5 bytes of body came before end-of-stream/);
    assert.equal(parseHttpResponse(response('HTTP/1.1 404 Not Found\r\nContent-Length: 0', 'x')).kind, 'malformed');
  });

  it('rejects a missing Content-Length, a bad status line, a bad header line and a head with no end', () => {
    for (const [raw, problem] of [
      [response('HTTP/1.0 200 OK\r\nContent-Type: text/plain'), /Content-Length is missing/],
      [response('HTTP/2 200\r\nContent-Length: 0'), /status line "HTTP\/2 200"/],
      [response('HTTP/1.0 200 OK\r\nno colon here\r\nContent-Length: 0'), /header line "no colon here"/],
      [Buffer.from('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n'), /no empty line/],
    ] as const) {
      assert.match(describeHttpResponse(parseHttpResponse(raw)), problem);
    }
  });

  it('writes requests with CRLF line ends and an empty line at the end', () => {
    assert.equal(httpGet('/a b', 'HTTP/1.1').toString(), 'GET /a b HTTP/1.1\r\nHost: sockspec\r\nUser-Agent: sockspec\r\n\r\n');
    assert.match(httpRequest('POST', '/x', 'HTTP/1.0', ['X-A: 1']).toString(), /^POST \/x HTTP\/1\.0\r\n.*X-A: 1\r\n\r\n$/s);
  });
});
