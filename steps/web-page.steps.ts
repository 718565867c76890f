import { Given, Then, When } from '@cucumber/cucumber';
import { relative } from 'node:path';
import { describeDifference } from '../src/driver/payload';
import {
  awaitServerClose,
  describeHttpResponse,
  headResponseProblem,
  httpGet,
  httpRequest,
  httpRequestLines,
  mediaType,
  profileCloseProblem,
  profileHeadProblem,
  readHttpResponse,
  twoRequestsOnOneConnection,
  withTrailingBytes,
  type HttpResponse,
  type PersistenceTrial,
} from '../src/services/http-exchange';
import { NotApplicableHere } from '../src/verdicts';
import { allowProblem, errorBodyProblem, headContractProblem, incompleteHeadProblem, sendIncompleteHead } from '../src/services/http-contract-checks';
import { requestAndReadNothing, stillConnectedProblem } from '../src/services/slow-reader';
import type { TcpConnection } from '../src/driver/tcp-connection';
import type { SockspecWorld } from './world';

/** The two exchanges of the persistence scenario, by scenario. */
const persistenceTrials = new WeakMap<SockspecWorld, PersistenceTrial>();

/** Sends `request` on a new connection (the current client) and reads the one response, as HTTP delimits it. */
async function exchange(world: SockspecWorld, request: Buffer): Promise<HttpResponse> {
  world.client = await world.connect();
  await world.client.send(request);
  world.lastReply.http = await readHttpResponse(world.client, request);
  return world.lastReply.http;
}

Given('a web server whose root holds an index page, a text file and a 10 MiB binary file', async function (this: SockspecWorld) {
  await this.startServer('http');
});

When('a client gets {string} over {word}', async function (this: SockspecWorld, path: string, version: string) {
  await exchange(this, httpGet(path, version));
});

When('another client gets {string} over {word}', async function (this: SockspecWorld, path: string, version: string) {
  await exchange(this, httpGet(path, version));
});

When('a client gets the secret file by a path through {string}', async function (this: SockspecWorld, parent: string) {
  const path = relative(this.fileRoot.root, this.fileRoot.secretPath).split('/').map((segment) => (segment === '..' ? parent : segment));
  const response = await exchange(this, httpGet(`/${path.join('/')}`));
  // Whatever the server sends after the response counts too: a leak may hide there.
  this.lastReply.http = withTrailingBytes(response, await awaitServerClose(this.currentClient));
});

When(
  'a client sends its request for {string} in {int} pieces, pausing {int} ms between them',
  async function (this: SockspecWorld, path: string, pieces: number, pauseMs: number) {
    const request = httpGet(path);
    this.client = await this.connect();
    await this.client.sendInPieces(request, pieces, pauseMs);
    this.lastReply.http = await readHttpResponse(this.client, request);
  },
);

Given('a slow client is sending its request one byte per second', async function (this: SockspecWorld) {
  await this.startSlowClient(httpGet('/hello.txt'));
});

Then('the slow client is still sending its request', function (this: SockspecWorld) {
  this.assertSlowClientStillSending('the response');
});

/** The client that requested a large file and reads nothing, by scenario. */
const slowReaders = new WeakMap<SockspecWorld, TcpConnection>();

Given('a client has requested {string} and reads nothing, until the server can send it no more', async function (this: SockspecWorld, path: string) {
  const reader = await this.connect();
  slowReaders.set(this, reader);
  await requestAndReadNothing(reader, httpGet(path), this.runningServer, this.control);
});

Then('the client that reads nothing is still connected', function (this: SockspecWorld) {
  const reader = slowReaders.get(this);
  if (!reader) throw new Error('no client that reads nothing was started in this scenario');
  const problem = stillConnectedProblem(reader, this.runningServer, this.control);
  if (problem) throw new Error(problem);
});

When('a client posts empty content to {string} over {word}', async function (this: SockspecWorld, path: string, version: string) {
  // RFC 1945 section 8.3: "A valid Content-Length is required on all HTTP/1.0 POST requests."
  await exchange(this, httpRequest('POST', path, version, ['Content-Length: 0']));
});

When('a client sends an HTTP\\/1.1 request for {string} with a method the server does not implement', async function (this: SockspecWorld, path: string) {
  // BREW is HTCPCP's (RFC 2324), in no HTTP method registry a web server implements.
  await exchange(this, httpRequest('BREW', path, 'HTTP/1.1', ['Connection: close']));
});

When('a client sends a request line without an HTTP version', async function (this: SockspecWorld) {
  await exchange(this, Buffer.from('GET /hello.txt\r\n\r\n'));
});

When('a client sends a request with a header line that has no colon', async function (this: SockspecWorld) {
  // One Host line only, so that nothing but the colon-less line is wrong with the request.
  await exchange(this, httpRequest('GET', '/hello.txt', 'HTTP/1.0', ['this line has no colon']));
});

When('a client sends a request whose head is {size} long', async function (this: SockspecWorld, size: number) {
  await exchange(this, paddedRequest(size));
});

When('a client requests {string} with a request head {size} long', async function (this: SockspecWorld, path: string, size: number) {
  await exchange(this, paddedRequest(size, path));
});

When('a client sends an HTTP\\/1.1 request for {string} without a Host header', async function (this: SockspecWorld, path: string) {
  await exchange(this, httpRequestLines(`GET ${path} HTTP/1.1`, ['User-Agent: sockspec', 'Connection: close']));
});

When('a client sends an HTTP\\/1.1 request for {string} with two Host header lines', async function (this: SockspecWorld, path: string) {
  await exchange(this, httpRequestLines(`GET ${path} HTTP/1.1`, ['Host: sockspec', 'Host: other.sockspec', 'User-Agent: sockspec', 'Connection: close']));
});

When('a client asks for the head of {string}', async function (this: SockspecWorld, path: string) {
  // With "close" the server must close after the response (RFC 9112 section 9.6), so whatever follows the head shows.
  await exchange(this, httpRequest('HEAD', path, 'HTTP/1.1', ['Connection: close']));
});

When('a client gets {string} over HTTP\\/1.1 and then again on the same connection', async function (this: SockspecWorld, path: string) {
  this.client = await this.connect();
  const trial = await twoRequestsOnOneConnection(this.client, httpGet(path, 'HTTP/1.1'), httpRequest('GET', path, 'HTTP/1.1', ['Connection: close']));
  persistenceTrials.set(this, trial);
  this.lastReply.http = trial.second ?? trial.first;
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
    assertFile(lastResponse(this), status, name, fixtureFile(this, name));
    const response = lastResponse(this);
    if (response.kind === 'response' && mediaType(response) !== type.toLowerCase()) {
      throw new Error(`expected Content-Type ${type}, but the server sent ${describeHttpResponse(response)}`);
    }
  },
);

Then('the response is {int} with the contents of {string}', function (this: SockspecWorld, status: number, name: string) {
  assertFile(lastResponse(this), status, name, fixtureFile(this, name));
});

Then('the response has an exact Content-Length and "Connection: close", and then the server closes the connection', async function (this: SockspecWorld) {
  await assertProfileFraming(this, { connectionClose: true });
});

Then('the response has an exact Content-Length, and then the server closes the connection', async function (this: SockspecWorld) {
  await assertProfileFraming(this, { connectionClose: false });
});

/** The contract's framing: the head is judged first, so that a server keeping the connection is not waited for in vain. */
async function assertProfileFraming(world: SockspecWorld, options: { connectionClose: boolean }): Promise<void> {
  const problem = profileHeadProblem(lastResponse(world), options) ?? profileCloseProblem(await awaitServerClose(world.currentClient));
  if (problem) throw new Error(problem);
}

Then('the response status is {int}', function (this: SockspecWorld, status: number) {
  assertStatusIn(lastResponse(this), [status]);
});

Then('the response status is {int}, unless the server answers as an HTTP\\/1.0 server', function (this: SockspecWorld, status: number) {
  const response = lastResponse(this);
  if (response.kind === 'response' && response.version === 'HTTP/1.0' && response.status !== status) {
    // RFC 9110 section 2.5: the response version "indicates the sender's conformance"; section 6.2: a recipient
    // processes a higher minor version "as if it were in the highest minor version ... to which the recipient is conformant".
    this.transcript.note(`not judged by RFC 9112: the server answered ${response.status} as an HTTP/1.0 server, so it processed the request as HTTP/1.0`);
    return;
  }
  assertStatusIn(response, [status]);
});

Then('the response status is {int} or {int}', function (this: SockspecWorld, first: number, second: number) {
  assertStatusIn(lastResponse(this), [first, second]);
});

Then('the response is {int}, or the contents of {string} as an HTTP\\/0.9 response', function (this: SockspecWorld, status: number, name: string) {
  const response = lastResponse(this);
  if (response.kind === 'response' && response.status === status) return;
  if (response.kind === 'simple') {
    const difference = describeDifference(fixtureFile(this, name), response.body);
    if (difference) throw new Error(`the HTTP/0.9 response is not ${name}: ${difference}`);
    return;
  }
  throw new Error(`expected ${status}, or the ${name} alone with no status line (HTTP/0.9), but the server sent ${describeHttpResponse(response)}`);
});

Then('the response has the status a GET of {string} gets, and no content follows its head', async function (this: SockspecWorld, path: string) {
  const head = lastResponse(this);
  const after = await awaitServerClose(this.currentClient);
  const get = await exchange(this, httpRequest('GET', path, 'HTTP/1.1', ['Connection: close']));
  const problem = headResponseProblem(head, after, get);
  if (problem) throw new Error(problem);
});

Then('both responses are {int} with the contents of {string}', function (this: SockspecWorld, status: number, name: string) {
  const trial = persistenceTrials.get(this);
  if (!trial) throw new Error('no two requests were sent on one connection in this scenario');
  const expected = fixtureFile(this, name);
  assertFile(trial.first, status, name, expected, 'the first response');
  if (!trial.second) throw new Error(`no second request could be sent on the connection: ${trial.notSent}`);
  assertFile(trial.second, status, name, expected, 'the second response, on the same connection');
});

function fixtureFile(world: SockspecWorld, name: string): Buffer {
  const expected = world.fileRoot.files.get(name);
  if (!expected) throw new Error(`"${name}" is not one of the served fixture files`);
  return expected;
}

function assertFile(response: HttpResponse, status: number, name: string, expected: Buffer, which = 'the response'): void {
  if (response.kind !== 'response' || response.status !== status) {
    throw new Error(`expected ${status} with the ${expected.length} bytes of ${name}, but ${which} is ${describeHttpResponse(response)}`);
  }
  const difference = describeDifference(expected, response.body);
  if (difference) throw new Error(`the body of ${which} differs from ${name}: ${difference}`);
}

function assertStatusIn(response: HttpResponse, statuses: number[]): void {
  if (response.kind !== 'response' || !statuses.includes(response.status)) {
    throw new Error(`expected status ${statuses.join(' or ')}, but the server sent ${describeHttpResponse(response)}`);
  }
}

function lastResponse(world: SockspecWorld): HttpResponse {
  if (!world.lastReply.http) throw new Error('no HTTP response was received in this scenario');
  return world.lastReply.http;
}

When('a client gets {string} over HTTP\\/1.0 without a Host header', async function (this: SockspecWorld, path: string) {
  await exchange(this, httpRequestLines(`GET ${path} HTTP/1.0`, ['User-Agent: sockspec']));
});

When('a client gets {string} over HTTP\\/1.1 with its Host header named {string}', async function (this: SockspecWorld, path: string, name: string) {
  await exchange(this, httpRequestLines(`GET ${path} HTTP/1.1`, [`${name}: sockspec`, 'User-Agent: sockspec', 'Connection: close']));
});

When('a client gets {string} over HTTP\\/1.1 with an empty Host value', async function (this: SockspecWorld, path: string) {
  await exchange(this, httpRequestLines(`GET ${path} HTTP/1.1`, ['Host:', 'User-Agent: sockspec', 'Connection: close']));
});

When('a client sends a request line with a fourth part after the version', async function (this: SockspecWorld) {
  await exchange(this, httpRequestLines('GET /hello.txt HTTP/1.0 extra', ['Host: sockspec', 'User-Agent: sockspec']));
});

When('a client sends a request for {string} whose version is {string}', async function (this: SockspecWorld, path: string, version: string) {
  await exchange(this, httpRequest('GET', path, version));
});

When('a client sends a request whose target is {string}', async function (this: SockspecWorld, target: string) {
  await exchange(this, httpRequest('GET', target, 'HTTP/1.0'));
});

When('a client posts empty content to {string} with the version {string}', async function (this: SockspecWorld, path: string, version: string) {
  await exchange(this, httpRequest('POST', path, version, ['Content-Length: 0']));
});

/** What a client that ended its side mid-head got, by scenario. */
const incompleteHeads = new WeakMap<SockspecWorld, Awaited<ReturnType<typeof sendIncompleteHead>>>();

When('a client sends part of a request head for {string} and then ends its side of the connection', async function (this: SockspecWorld, path: string) {
  this.client = await this.connect();
  incompleteHeads.set(this, await sendIncompleteHead(this.client, httpGet(path)));
});

Then('the server answers 400 or nothing, and then closes the connection', function (this: SockspecWorld) {
  const trial = incompleteHeads.get(this);
  if (!trial) throw new Error('no client ended its side mid-head in this scenario');
  const problem = incompleteHeadProblem(trial.response, trial.after);
  if (problem) throw new Error(problem);
});

Then('a 405 answer carries an Allow header naming GET and HEAD', function (this: SockspecWorld) {
  const response = lastResponse(this);
  if (response.kind === 'response' && response.status !== 405) {
    // Whether this request must get a 405 is http.method-not-allowed's business.
    throw new NotApplicableHere(`the server answered ${response.status}, not 405, and RFC 9110 section 15.5.6 asks for Allow in a 405 only`);
  }
  const problem = allowProblem(response);
  if (problem) throw new Error(problem);
});

Then('the response carries a non-empty text\\/plain or text\\/html body', function (this: SockspecWorld) {
  const problem = errorBodyProblem(lastResponse(this));
  if (problem) throw new Error(problem);
});

Then(
  'the response has the Content-Length, Content-Type and "Connection: close" of what a GET of {string} gets, no content, and then the server closes the connection',
  async function (this: SockspecWorld, path: string) {
    const head = lastResponse(this);
    const after = await awaitServerClose(this.currentClient);
    const get = await exchange(this, httpRequest('GET', path, 'HTTP/1.1', ['Connection: close']));
    const problem = headContractProblem(head, after, get);
    if (problem) throw new Error(problem);
  },
);
