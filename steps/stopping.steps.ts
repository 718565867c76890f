import { performance } from 'node:perf_hooks';
import { Given, Then, When } from '@cucumber/cucumber';
import { MiB, seededBytes } from '../src/driver/payload';
import { fileRequest } from '../src/services/file-protocol';
import { httpGet } from '../src/services/http-exchange';
import { describeServerExit } from '../src/services/liveness';
import { awaitAccepted, awaitReplyBackedUp, awaitServerReadAll, describeStop, stopProblem, type StopOutcome } from '../src/services/stopping';
import type { SockspecWorld } from './world';

/** The stop each scenario asked for, by scenario. */
const stops = new WeakMap<SockspecWorld, StopOutcome>();

/** Far more than the kernel buffers between server and client hold, so that an echo that is not read blocks the server. */
const UNREAD_ECHO_BYTES = 16 * MiB;
/** The served file for a reply that cannot fit into the kernel's buffers while the client reads nothing. */
const LARGE_FILE = 'random-10MiB.bin';

Given('a file server whose root holds a 10 MiB binary file', async function (this: SockspecWorld) {
  await this.startServer('file');
});

Given('a client is connected and has sent nothing', async function (this: SockspecWorld) {
  this.client = await this.connect();
  await awaitAccepted(this.runningServer, this.control, this.client);
  this.transcript.note('the server has accepted the connection (its accept queue is empty, its side ESTABLISHED)');
});

Given('a client has sent the first half of its request line, and the server has read it', async function (this: SockspecWorld) {
  const half = this.runningServer.service === 'http' ? 'GET /index.ht' : 'hello.t';
  this.client = await this.connect();
  await this.client.send(half);
  this.transcript.note(`the server has read the half request line: ${await awaitServerReadAll(this.runningServer, this.control, this.client)}`);
});

Given("a client that reads nothing is owed a large reply, and the server's writes to it are backed up", async function (this: SockspecWorld) {
  const client = (this.client = await this.connect());
  client.pauseReading();
  const service = this.runningServer.service;
  if (service === 'echo') {
    // Not waited for: the server stops taking these bytes once its echo backs up.
    client.send(seededBytes(UNREAD_ECHO_BYTES, this.scenarioName)).catch(() => undefined);
  } else {
    await client.send(service === 'http' ? httpGet(`/${LARGE_FILE}`) : fileRequest(LARGE_FILE));
  }
  this.transcript.note(`the reply is backed up: ${await awaitReplyBackedUp(this.runningServer, this.control, client)}`);
});

When('the server is asked to stop', async function (this: SockspecWorld) {
  const server = this.runningServer;
  const exitedBefore = server.exit ? describeServerExit(server) : undefined;
  const started = performance.now();
  const result = await this.stopServer();
  const outcome: StopOutcome = { ...(exitedBefore ? { exitedBefore } : {}), result, elapsedMs: performance.now() - started };
  stops.set(this, outcome);
  this.transcript.note(`server asked to stop with a client connected: ${exitedBefore ? `it had already ${exitedBefore}` : describeStop(outcome)}`);
});

Then('the server exits with code 0 within 2 s', function (this: SockspecWorld) {
  const outcome = stops.get(this);
  if (!outcome) throw new Error('the server was not asked to stop in this scenario');
  const problem = stopProblem(outcome, this.target, this.runningServer);
  if (problem) throw new Error(problem);
});
