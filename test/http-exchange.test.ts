import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TcpConnection } from '../src/driver/tcp-connection';
import {
  awaitServerClose,
  connectionOptions,
  describeHttpResponse,
  exchangeHttp,
  headResponseProblem,
  httpGet,
  httpRequest,
  httpRequestLines,
  HttpResponseReader,
  mediaType,
  parseHttpResponse,
  profileFramingProblem,
  readHttpResponse,
  requestInfo,
  twoRequestsOnOneConnection,
  whyNotPersistent,
  withTrailingBytes,
  type AfterResponse,
  type HttpFullResponse,
  type HttpResponse,
  type RequestInfo,
} from '../src/services/http-exchange';

const response = (head: string, body: string | Buffer = ''): Buffer => Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), Buffer.from(body)]);
const GET_10: RequestInfo = { method: 'GET', version: 'HTTP/1.0' };
const GET_11: RequestInfo = { method: 'GET', version: 'HTTP/1.1' };
const closed: AfterResponse = { trailing: Buffer.alloc(0), ending: 'closed' };

function full(parsed: HttpResponse): HttpFullResponse {
  assert.equal(parsed.kind, 'response', describeHttpResponse(parsed));
  return parsed as HttpFullResponse;
}

function problemOf(parsed: HttpResponse): string {
  assert.equal(parsed.kind, 'malformed', `expected a malformed response, got ${describeHttpResponse(parsed)}`);
  return (parsed as { problem: string }).problem;
}

describe('taking an HTTP response apart by its framing (RFC 9112 section 6.3)', () => {
  it('reads a body of exactly Content-Length bytes, and the media type without its parameters', () => {
    const parsed = full(parseHttpResponse(response('HTTP/1.0 200 OK\r\nContent-Length: 5\r\nContent-Type: Text/HTML; charset=utf-8\r\nConnection: close', 'hello')));
    assert.equal(parsed.status, 200);
    assert.equal(parsed.version, 'HTTP/1.0');
    assert.equal(parsed.framing, 'content-length');
    assert.equal(mediaType(parsed), 'text/html');
    assert.deepEqual(connectionOptions(parsed), ['close']);
    assert.equal(parsed.body.toString(), 'hello');
    assert.equal(describeHttpResponse(parsed), '200 (Text/HTML; charset=utf-8, 5 bytes of body, by Content-Length)');
  });

  it('calls a body shorter than Content-Length, or bytes after it, malformed, saying by how much', () => {
    assert.match(problemOf(parseHttpResponse(response('HTTP/1.1 200 OK\r\nContent-Length: 10', 'hello'))), /Content-Length 10, but 5 bytes of body came before end-of-stream/);
    assert.match(problemOf(parseHttpResponse(response('HTTP/1.1 404 Not Found\r\nContent-Length: 0', 'x'))), /1 more bytes came after its Content-Length 0/);
  });

  it('takes a body without Content-Length or chunked coding to end at the close', () => {
    const parsed = full(parseHttpResponse(response('HTTP/1.0 200 OK\r\nContent-Type: text/plain', 'all of it')));
    assert.equal(parsed.framing, 'close');
    assert.equal(parsed.body.toString(), 'all of it');
    assert.match(describeHttpResponse(parsed), /ended by the close/);
  });

  it('decodes the chunked coding, with chunk extensions and a trailer section', () => {
    const parsed = full(parseHttpResponse(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n1 \r\n!\r\n0\r\nX-Trailer: yes\r\n\r\n'), GET_11));
    assert.equal(parsed.framing, 'chunked');
    assert.equal(parsed.body.toString(), 'hello!');
  });

  it('rejects broken chunked bodies', () => {
    const chunked = (body: string) => parseHttpResponse(Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${body}`), GET_11);
    assert.match(problemOf(chunked('zz\r\nhello\r\n0\r\n\r\n')), /chunk-size line "zz" is not a hexadecimal size/);
    assert.match(problemOf(chunked('3\r\nhello\r\n0\r\n\r\n')), /not followed by CRLF/);
    assert.match(problemOf(chunked('5\r\nhello\r\n')), /ended inside the chunked body/);
    assert.match(problemOf(chunked('5\r\nhel')), /ended inside a chunk/);
    assert.match(problemOf(chunked('5\r\nhello')), /before the CRLF that ends a chunk/);
    assert.match(problemOf(chunked('0\r\nX-Trailer: yes\r\n')), /ended in the trailer section/);
    assert.match(problemOf(chunked('0\r\nnot a field\r\n\r\n')), /trailer line "not a field"/);
  });

  it('holds Transfer-Encoding to RFC 9112 section 6', () => {
    assert.match(problemOf(parseHttpResponse(response('HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked', '0\r\n\r\n'), GET_11)), /HTTP\/1\.0 response carries Transfer-Encoding/);
    assert.match(problemOf(parseHttpResponse(response('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked', '0\r\n\r\n'), GET_10)), /request that is not HTTP\/1\.1/);
    assert.match(problemOf(parseHttpResponse(response('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5', '0\r\n\r\n'), GET_11)), /both Transfer-Encoding and Content-Length/);
    assert.match(problemOf(parseHttpResponse(response('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked', '0\r\n\r\n'), GET_11)), /offered no transfer coding but chunked/);
    assert.match(problemOf(parseHttpResponse(response('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked', '0\r\n\r\n'), GET_11)), /more than once/);
  });

  it('accepts a Content-Length repeated with one value, and rejects differing or invalid ones', () => {
    assert.equal(full(parseHttpResponse(response('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2, 2', 'ok'))).body.toString(), 'ok');
    assert.match(problemOf(parseHttpResponse(response('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3', 'ok'))), /not one decimal length/);
    assert.match(problemOf(parseHttpResponse(response('HTTP/1.1 200 OK\r\nContent-Length: -1', 'ok'))), /not one decimal length/);
  });

  it('ends the responses to HEAD, and 204 and 304 responses, at the empty line whatever they declare', () => {
    const head = full(parseHttpResponse(response('HTTP/1.1 200 OK\r\nContent-Length: 62'), { method: 'HEAD', version: 'HTTP/1.1' }));
    assert.equal(head.framing, 'none');
    assert.equal(head.body.length, 0);
    assert.equal(full(parseHttpResponse(response('HTTP/1.1 204 No Content'))).framing, 'none');
    assert.equal(full(parseHttpResponse(response('HTTP/1.1 304 Not Modified\r\nContent-Length: 9'))).framing, 'none');
    assert.match(problemOf(parseHttpResponse(response('HTTP/1.1 200 OK\r\nContent-Length: 2', 'ok'), { method: 'HEAD', version: 'HTTP/1.1' })), /2 more bytes came after its head/);
  });

  it('skips interim 1xx responses and keeps their codes', () => {
    const parsed = full(parseHttpResponse(Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'), GET_11));
    assert.deepEqual(parsed.interim, [100, 103]);
    assert.equal(parsed.status, 200);
    assert.equal(parsed.body.toString(), 'ok');
  });

  it('joins repeated fields and unfolds obs-fold', () => {
    const parsed = full(parseHttpResponse(response('HTTP/1.1 200 OK\r\nX-List: a\r\nx-list: b\r\nX-Folded: one\r\n  two\r\nContent-Length: 0')));
    assert.equal(parsed.headers.get('x-list'), 'a, b');
    assert.equal(parsed.headers.get('x-folded'), 'one two');
    assert.equal(parsed.fields.length, 4);
  });

  it('rejects a bad status line, a bad header line, a bare LF, a head that never ends and an empty answer', () => {
    for (const [raw, problem] of [
      [response('HTTP/2 200\r\nContent-Length: 0'), /status line "HTTP\/2 200"/],
      [response('HTTP/1.0 200 OK\r\nno colon here\r\nContent-Length: 0'), /header line "no colon here"/],
      [response('HTTP/1.0 200 OK\r\n folded first\r\nContent-Length: 0'), /starts with whitespace/],
      [Buffer.from('HTTP/1.0 200 OK\nContent-Length: 0\n\n'), /bare LF/],
      [Buffer.from('<!DOCTYPE HTML>\n<html>'), /does not begin with a status line: its first line is "<!DOCTYPE HTML>"/],
      [Buffer.from('junk'), /does not begin with a status line: its first line is "junk"/],
      [Buffer.from('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n'), /ended before the empty line/],
      [Buffer.from('\r\nHTTP/1.0 200 OK\r\n\r\n'), /starts with an empty line/],
      [Buffer.alloc(0), /closed the connection without sending a response/],
      [Buffer.from(`HTTP/1.0 200 OK\r\nX: ${'a'.repeat(70 * 1024)}`), /longer than 65536 bytes/],
    ] as const) {
      assert.match(describeHttpResponse(parseHttpResponse(raw)), problem);
    }
  });

  it('answers a Simple-Request with either an HTTP/0.9 body or a full response', () => {
    const simple: RequestInfo = requestInfo(Buffer.from('GET /hello.txt\r\n\r\n'));
    assert.deepEqual(simple, { method: 'GET', version: undefined });
    const body = parseHttpResponse(Buffer.from('Hello from sockspec.\nmore\n'), simple);
    assert.equal(body.kind, 'simple');
    assert.equal(body.kind === 'simple' && body.body.toString(), 'Hello from sockspec.\nmore\n');
    assert.match(describeHttpResponse(body), /HTTP\/0\.9 response: 26 bytes with no status line/);
    assert.equal(parseHttpResponse(Buffer.from('no newline at all'), simple).kind, 'simple');
    assert.equal(full(parseHttpResponse(response('HTTP/1.1 400 Bad Request\r\nContent-Length: 0'), simple)).status, 400);
    assert.match(problemOf(parseHttpResponse(Buffer.alloc(0), simple)), /without sending a response/);
  });

  it('does not take a reset for the end of a body delimited by the close', () => {
    const reader = new HttpResponseReader(GET_10);
    reader.push(response('HTTP/1.0 200 OK', 'part'));
    assert.equal(reader.result, undefined);
    assert.equal(reader.need.what, 'end');
    reader.end('reset');
    assert.match(problemOf(reader.result!), /reset before the server closed it/);
    const silent = new HttpResponseReader(GET_10);
    silent.end('reset');
    assert.match(problemOf(silent.result!), /reset the connection without sending a response/);
  });

  it('asks for exactly what completes the response, and counts what comes after', () => {
    const reader = new HttpResponseReader(GET_11);
    assert.deepEqual(reader.need, { what: 'line', waitingFor: 'the status line' });
    reader.push(Buffer.from('HTTP/1.1 200 OK\r\n'));
    assert.match(reader.need.waitingFor, /rest of the response head/);
    reader.push(Buffer.from('Content-Length: 10\r\n\r\nhel'));
    assert.deepEqual(reader.need, { what: 'bytes', count: 7, waitingFor: 'the rest of the body: 7 of its Content-Length 10 bytes' });
    reader.push(Buffer.from('lo worldEXTRA'));
    assert.equal(full(reader.result!).body.toString(), 'hello worl');
    assert.equal(reader.excessBytes, 6);
    reader.push(Buffer.from('more'));
    assert.equal(reader.excessBytes, 10);
    assert.match(reader.need.waitingFor, /complete/);

    const chunked = new HttpResponseReader(GET_11);
    chunked.push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'));
    assert.match(chunked.need.waitingFor, /chunk-size line/);
    chunked.push(Buffer.from('4\r\nab'));
    assert.deepEqual(chunked.need, { what: 'bytes', count: 2, waitingFor: 'the rest of a chunk (2 bytes)' });
    chunked.push(Buffer.from('cd'));
    assert.equal(chunked.need.what === 'bytes' && chunked.need.count, 2);
    chunked.push(Buffer.from('\r\n0\r\n'));
    assert.match(chunked.need.waitingFor, /empty line after the last chunk/);
    assert.match(new HttpResponseReader({ method: 'GET', version: undefined }).need.waitingFor, /first line/);
  });
});

describe('writing requests', () => {
  it('ends every line in CRLF and the head with an empty line', () => {
    assert.equal(httpGet('/a b', 'HTTP/1.1').toString(), 'GET /a b HTTP/1.1\r\nHost: sockspec\r\nUser-Agent: sockspec\r\n\r\n');
    assert.match(httpRequest('POST', '/x', 'HTTP/1.0', ['X-A: 1']).toString(), /^POST \/x HTTP\/1\.0\r\n.*X-A: 1\r\n\r\n$/s);
    assert.equal(httpRequestLines('GET / HTTP/1.1', ['Connection: close']).toString(), 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n');
    assert.deepEqual(requestInfo(httpRequest('HEAD', '/', 'HTTP/1.1')), { method: 'HEAD', version: 'HTTP/1.1' });
  });
});

describe('what HTTP and sockspec\'s profile ask of a response', () => {
  const ok = (head: string, body = '', request = GET_11) => full(parseHttpResponse(response(head, body), request));

  it('tells when a connection persists after a response (RFC 9112 section 9.3)', () => {
    assert.equal(whyNotPersistent(ok('HTTP/1.1 200 OK\r\nContent-Length: 0')), undefined);
    assert.equal(whyNotPersistent(ok('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0')), undefined);
    assert.match(whyNotPersistent(ok('HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0'))!, /Connection: close/);
    assert.match(whyNotPersistent(ok('HTTP/1.0 200 OK\r\nContent-Length: 0'))!, /HTTP\/1\.0 without the "keep-alive"/);
    assert.match(whyNotPersistent(ok('HTTP/1.1 200 OK', 'x'))!, /only the close can end it/);
  });

  it('checks the contract\'s framing: one exact Content-Length, "Connection: close" where asked, then a graceful close', () => {
    const good = ok('HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: close', 'ok');
    assert.equal(profileFramingProblem(good, closed, { connectionClose: true }), undefined);
    assert.match(profileFramingProblem(ok('HTTP/1.0 200 OK', 'ok'), closed, { connectionClose: false })!, /no Content-Length .* by the close/);
    assert.match(profileFramingProblem(ok('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked', '0\r\n\r\n'), closed, { connectionClose: false })!, /chunked coding/);
    assert.match(profileFramingProblem(ok('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2', 'ok'), closed, { connectionClose: false })!, /2 Content-Length lines/);
    assert.match(profileFramingProblem(ok('HTTP/1.1 200 OK\r\nContent-Length: 2', 'ok'), closed, { connectionClose: true })!, /the Connection header is "missing"/);
    assert.equal(profileFramingProblem(ok('HTTP/1.1 200 OK\r\nContent-Length: 2', 'ok'), closed, { connectionClose: false }), undefined);
    assert.match(profileFramingProblem(good, { trailing: Buffer.from('more'), ending: 'closed' }, { connectionClose: true })!, /4 more bytes came after the Content-Length bytes/);
    assert.match(profileFramingProblem(good, { trailing: Buffer.alloc(0), ending: 'reset' }, { connectionClose: true })!, /reset the connection/);
    assert.match(profileFramingProblem(good, { trailing: Buffer.alloc(0), ending: 'open' }, { connectionClose: true })!, /did not close/);
    assert.match(profileFramingProblem(parseHttpResponse(Buffer.from('junk')), closed, { connectionClose: true })!, /malformed/);
    const head = full(parseHttpResponse(response('HTTP/1.1 200 OK'), { method: 'HEAD', version: 'HTTP/1.1' }));
    assert.match(profileFramingProblem(head, closed, { connectionClose: false })!, /delimited by nothing/);
  });

  it('compares the answer to HEAD with the answer to GET (RFC 9110 sections 9.3.2 and 8.6)', () => {
    const HEAD: RequestInfo = { method: 'HEAD', version: 'HTTP/1.1' };
    const get = ok('HTTP/1.1 200 OK\r\nContent-Length: 5', 'hello');
    const head = (lines: string) => parseHttpResponse(response(lines), HEAD);
    assert.equal(headResponseProblem(head('HTTP/1.1 200 OK\r\nContent-Length: 5'), closed, get), undefined);
    assert.equal(headResponseProblem(head('HTTP/1.1 200 OK'), closed, get), undefined);
    assert.match(headResponseProblem(head('HTTP/1.1 200 OK\r\nContent-Length: 0'), closed, get)!, /declares Content-Length 0, but the GET's content is 5 bytes/);
    assert.match(headResponseProblem(head('HTTP/1.1 405 Method Not Allowed'), closed, get)!, /HEAD got status 405, but GET got 200/);
    assert.match(headResponseProblem(head('HTTP/1.1 200 OK'), { trailing: Buffer.from('hello'), ending: 'closed' }, get)!, /5 bytes followed the head/);
    assert.match(headResponseProblem(parseHttpResponse(Buffer.from('junk'), HEAD), closed, get)!, /the HEAD request got a malformed/);
    assert.match(headResponseProblem(head('HTTP/1.1 200 OK'), closed, parseHttpResponse(Buffer.from('junk')))!, /the GET it is compared with got/);
  });

  it('counts what came after a response in its raw bytes', () => {
    const parsed = parseHttpResponse(response('HTTP/1.0 404 Not Found\r\nContent-Length: 0'));
    assert.equal(withTrailingBytes(parsed, closed), parsed);
    assert.equal(withTrailingBytes(parsed, { trailing: Buffer.from('SECRET'), ending: 'closed' }).raw.toString().endsWith('SECRET'), true);
  });
});

describe('reading responses from a server', () => {
  let server: Server;
  let port: number;
  /** What the test server does with each connection, by the first line of the request it gets. */
  const behaviours = new Map<string, (socket: Socket) => void>();
  const sockets = new Set<Socket>();

  before(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      let received = '';
      socket.on('data', (data) => {
        received += data.toString('latin1');
        while (received.includes('\r\n\r\n')) {
          const head = received.slice(0, received.indexOf('\r\n\r\n'));
          received = received.slice(head.length + 4);
          behaviours.get(head.split('\r\n')[0])?.(socket);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;

    behaviours.set('GET /kept-open HTTP/1.1', (socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'));
    behaviours.set('GET /chunked HTTP/1.1', (socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc');
      setTimeout(() => socket.write('\r\n2\r\nde\r\n0\r\n\r\n'), 30);
    });
    behaviours.set('GET /close-delimited HTTP/1.0', (socket) => {
      socket.write('HTTP/1.0 200 OK\r\n\r\nuntil ');
      setTimeout(() => socket.end('the close'), 30);
    });
    behaviours.set('GET /short HTTP/1.0', (socket) => socket.end('HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nhello'));
    behaviours.set('GET /reset HTTP/1.0', (socket) => {
      socket.write('HTTP/1.0 200 OK\r\n\r\npart');
      setTimeout(() => socket.resetAndDestroy(), 30);
    });
    behaviours.set('GET /silent HTTP/1.1', () => undefined);
    behaviours.set('HEAD /with-body HTTP/1.1', (socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello'));
    behaviours.set('HEAD /head-open HTTP/1.1', (socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'));
    behaviours.set('GET /persist HTTP/1.1', (socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    behaviours.set('GET /closing HTTP/1.1', (socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'));
    behaviours.set('GET /simple', (socket) => socket.end('just the body\n'));
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function roundTrip(request: Buffer, timeoutMs?: number): Promise<{ connection: TcpConnection; response: HttpResponse }> {
    const connection = await TcpConnection.open('127.0.0.1', port);
    await connection.send(request);
    return { connection, response: await readHttpResponse(connection, request, timeoutMs) };
  }

  it('reads a Content-Length body without waiting for a close that never comes', async () => {
    const started = Date.now();
    const { connection, response } = await roundTrip(httpGet('/kept-open', 'HTTP/1.1'));
    assert.equal(full(response).body.toString(), 'hello');
    assert.ok(Date.now() - started < 2000);
    assert.equal(connection.state, 'open');
    assert.deepEqual(await awaitServerClose(connection, 100), { trailing: Buffer.alloc(0), ending: 'open' });
    connection.close();
  });

  it('decodes a chunked body that arrives in pieces', async () => {
    const { connection, response } = await roundTrip(httpGet('/chunked', 'HTTP/1.1'));
    assert.equal(full(response).body.toString(), 'abcde');
    connection.close();
  });

  it('reads a body without length up to the close, and says when it is cut short', async () => {
    const { connection, response } = await roundTrip(httpGet('/close-delimited'));
    assert.equal(full(response).body.toString(), 'until the close');
    assert.deepEqual(await awaitServerClose(connection), closed);
    assert.match(problemOf((await roundTrip(httpGet('/short'))).response), /Content-Length 10, but 5 bytes of body came before end-of-stream/);
    assert.match(problemOf((await roundTrip(httpGet('/reset'))).response), /reset before the server closed it/);
  });

  it('reads the head alone for HEAD, and shows what the server sent after it', async () => {
    const withBody = await roundTrip(httpRequest('HEAD', '/with-body', 'HTTP/1.1'));
    assert.equal(full(withBody.response).framing, 'none');
    const after = await awaitServerClose(withBody.connection);
    assert.deepEqual(after, { trailing: Buffer.from('hello'), ending: 'closed' });
    assert.equal(await awaitServerClose(withBody.connection), after, 'asked twice, the same answer');

    const open = await roundTrip(httpRequest('HEAD', '/head-open', 'HTTP/1.1'));
    assert.deepEqual(await awaitServerClose(open.connection, 100), { trailing: Buffer.alloc(0), ending: 'open' });
    open.connection.close();
  });

  it('reads an HTTP/0.9 answer to a Simple-Request', async () => {
    const { response } = await roundTrip(Buffer.from('GET /simple\r\n\r\n'));
    assert.equal(response.kind, 'simple');
  });

  it('fails with what it was waiting for when the server goes silent', async () => {
    const { connection } = await roundTrip(httpGet('/kept-open', 'HTTP/1.1'));
    await connection.send(httpGet('/silent', 'HTTP/1.1'));
    await assert.rejects(readHttpResponse(connection, httpGet('/silent', 'HTTP/1.1'), 100), /no complete HTTP response: timed out .* while waiting for the status line/);
    connection.close();
  });

  it('sends a second request only on a connection the first response leaves open', async () => {
    const persistent = await TcpConnection.open('127.0.0.1', port);
    const trial = await twoRequestsOnOneConnection(persistent, httpGet('/persist', 'HTTP/1.1'), httpRequest('GET', '/closing', 'HTTP/1.1', ['Connection: close']));
    assert.equal(full(trial.first).body.toString(), 'ok');
    assert.equal(full(trial.second!).headers.get('connection'), 'close');

    const closing = await TcpConnection.open('127.0.0.1', port);
    const refused = await twoRequestsOnOneConnection(closing, httpGet('/closing', 'HTTP/1.1'), httpGet('/persist', 'HTTP/1.1'));
    assert.equal(refused.second, undefined);
    assert.match(refused.notSent!, /Connection: close/);

    const broken = await TcpConnection.open('127.0.0.1', port);
    const malformed = await twoRequestsOnOneConnection(broken, httpGet('/short'), httpGet('/persist', 'HTTP/1.1'));
    assert.match(malformed.notSent!, /the first request got a malformed response/);
    for (const connection of [persistent, closing, broken]) connection.close();
  });

  it('exchanges one request on a connection of its own', async () => {
    assert.equal(full(await exchangeHttp('127.0.0.1', port, httpGet('/kept-open', 'HTTP/1.1'))).body.toString(), 'hello');
  });
});
