import { Given, Then, When } from '@cucumber/cucumber';
import { relative } from 'node:path';
import { describeDifference } from '../src/driver/payload';
import { describeHttpResponse, httpGet, httpRequest, mediaType, parseHttpResponse, type HttpResponse } from '../src/services/http-exchange';
import type { SockspecWorld } from './world';

Given('a web server whose root holds an index page, a text file and a 10 MiB binary file', async function (this: SockspecWorld) {
  await this.startServer('http');
});

When('a client gets {string} over {word}', async function (this: SockspecWorld, path: string, version: string) {
  await this.requestPage(httpGet(path, version));
});

When('another client gets {string} over {word}', async function (this: SockspecWorld, path: string, version: string) {
  await this.requestPage(httpGet(path, version));
});

When('a client gets the secret file by a path through {string}', async function (this: SockspecWorld, parent: string) {
  const path = relative(this.fileRoot.root, this.fileRoot.secretPath).split('/').map((segment) => (segment === '..' ? parent : segment));
  await this.requestPage(httpGet(`/${path.join('/')}`));
});

When(
  'a client sends its request for {string} in {int} pieces, pausing {int} ms between them',
  async function (this: SockspecWorld, path: string, pieces: number, pauseMs: number) {
    this.client = await this.connect();
    await this.client.sendInPieces(httpGet(path), pieces, pauseMs);
    this.httpResponse = parseHttpResponse(await this.client.receiveUntilEnd());
  },
);

Given('a slow client is sending its request one byte per second', async function (this: SockspecWorld) {
  await this.startSlowClient(httpGet('/hello.txt'));
});

Then('the slow client is still sending its request', function (this: SockspecWorld) {
  this.assertSlowClientStillSending('the response');
});

When('a client sends a {word} request for {string}', async function (this: SockspecWorld, method: string, path: string) {
  await this.requestPage(httpRequest(method, path));
});

When('a client sends a request line without an HTTP version', async function (this: SockspecWorld) {
  await this.requestPage(Buffer.from('GET /hello.txt\r\n\r\n'));
});

When('a client sends a request with a header line that has no colon', async function (this: SockspecWorld) {
  await this.requestPage(httpRequest('GET', '/hello.txt', 'HTTP/1.0', ['Host: localhost', 'this line has no colon']));
});

When('a client sends a request whose head is {size} long', async function (this: SockspecWorld, size: number) {
  await this.requestPage(paddedRequest(size));
});

When('a client requests {string} with a request head {size} long', async function (this: SockspecWorld, path: string, size: number) {
  await this.requestPage(paddedRequest(size, path));
});

/** A GET whose head (request line, headers, empty line) is exactly `size` bytes, made up with a padding header. */
function paddedRequest(size: number, path = '/hello.txt'): Buffer {
  const header = 'X-Padding: ';
  // The padding header's line ends in CRLF like every other header line.
  const padding = header + 'a'.repeat(size - httpGet(path).length - header.length - 2);
  const request = httpRequest('GET', path, 'HTTP/1.0', [padding]);
  if (request.length !== size) throw new Error(`built a ${request.length}-byte request head instead of ${size}`);
  return request;
}

Then(
  'the response is {int} with the contents of {string} as {string}',
  function (this: SockspecWorld, status: number, name: string, type: string) {
    const response = lastResponse(this);
    const expected = this.fileRoot.files.get(name);
    if (!expected) throw new Error(`"${name}" is not one of the served fixture files`);
    if (response.kind !== 'response' || response.status !== status) {
      throw new Error(`expected ${status} with the ${expected.length} bytes of ${name}, but the server sent ${describeHttpResponse(response)}`);
    }
    if (mediaType(response) !== type) throw new Error(`expected Content-Type ${type}, but the server sent ${describeHttpResponse(response)}`);
    if (response.headers.get('connection')?.toLowerCase() !== 'close') {
      throw new Error(`expected "Connection: close", but the Connection header is ${JSON.stringify(response.headers.get('connection') ?? 'missing')}`);
    }
    const difference = describeDifference(expected, response.body);
    if (difference) throw new Error(`the body differs from ${name}: ${difference}`);
  },
);

Then('the response status is {int}', function (this: SockspecWorld, status: number) {
  assertStatusIn(lastResponse(this), [status]);
});

Then('the response status is {int} or {int}', function (this: SockspecWorld, first: number, second: number) {
  assertStatusIn(lastResponse(this), [first, second]);
});

function assertStatusIn(response: HttpResponse, statuses: number[]): void {
  if (response.kind !== 'response' || !statuses.includes(response.status)) {
    throw new Error(`expected status ${statuses.join(' or ')} with a body of Content-Length bytes, but the server sent ${describeHttpResponse(response)}`);
  }
}

function lastResponse(world: SockspecWorld): HttpResponse {
  if (!world.httpResponse) throw new Error('no HTTP response was received in this scenario');
  return world.httpResponse;
}
