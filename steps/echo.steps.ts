import { Given, Then, When } from '@cucumber/cucumber';
import { seededBytes } from '../src/driver/payload';
import { assertSameBytes, echoExchange } from '../src/services/echo-exchange';
import type { SockspecWorld } from './world';
import { scenarioState } from './scenario-state';

/** What each of several simultaneous clients sent and got back. */
const echoScenario = scenarioState((): { exchanges: { sent: Buffer; received: Buffer }[] } => ({ exchanges: [] }));

Given('an echo server', async function (this: SockspecWorld) {
  await this.startServer('echo');
});

When('a/another client sends the line {string}', async function (this: SockspecWorld, line: string) {
  this.client = await this.connect();
  this.sent = Buffer.from(`${line}\n`);
  await this.client.send(this.sent);
});

Then('the client receives the same line back', async function (this: SockspecWorld) {
  assertSameBytes('the echoed line', this.sent, await this.currentClient.receiveExactly(this.sent.length));
});

When('a client sends {size} of random bytes and half-closes', async function (this: SockspecWorld, size: number) {
  await sendAndHalfClose(this, seededBytes(size, this.scenarioName));
});

When('a client sends {size} of random bytes', async function (this: SockspecWorld, size: number) {
  await send(this, seededBytes(size, this.scenarioName));
});

When('a client sends every byte value from 0 to 255', async function (this: SockspecWorld) {
  await send(this, Buffer.from(Array.from({ length: 256 }, (_, value) => value)));
});

When(
  'a client sends a {int}-byte message one byte at a time, pausing {int} ms between bytes',
  async function (this: SockspecWorld, size: number, pauseMs: number) {
    this.client = await this.connect();
    this.sent = seededBytes(size, this.scenarioName);
    await this.client.sendInPieces(this.sent, size, pauseMs);
  },
);

Then('the client receives exactly the bytes it sent', async function (this: SockspecWorld) {
  assertSameBytes('the echo', this.sent, await this.currentClient.receiveExactly(this.sent.length));
});

Then('the client receives exactly the bytes it sent, then end-of-stream', async function (this: SockspecWorld) {
  assertSameBytes('the echo', this.sent, await this.currentClient.receiveUntilEnd());
});

When(
  '{int} clients connected at the same time each send {size} of their own random bytes',
  async function (this: SockspecWorld, clients: number, size: number) {
    const { host, port } = this.sessionServer.endpoint;
    const payloads = Array.from({ length: clients }, (_, index) => seededBytes(size, `${this.scenarioName} client ${index}`));
    // The behaviour is that each client gets its own bytes, not a speed: on a loaded
    // machine many clients at once may take a while, so the timeout only catches a hang.
    const echoes = await Promise.all(payloads.map((payload) => echoExchange(host, port, payload, CONCURRENT_EXCHANGE_TIMEOUT_MS, this.transcript)));
    echoScenario(this).exchanges = payloads.map((sent, index) => ({ sent, received: echoes[index] }));
  },
);

Then('every client receives exactly its own bytes', function (this: SockspecWorld) {
  echoScenario(this).exchanges.forEach(({ sent, received }, index) => assertSameBytes(`client ${index}`, sent, received));
});

Given('a client connected and closed its connection without sending anything', async function (this: SockspecWorld) {
  (await this.connect()).close();
});

const CONCURRENT_EXCHANGE_TIMEOUT_MS = 20_000;

async function send(world: SockspecWorld, payload: Buffer): Promise<void> {
  world.client = await world.connect();
  world.sent = payload;
  await world.client.send(payload);
}

async function sendAndHalfClose(world: SockspecWorld, payload: Buffer): Promise<void> {
  await send(world, payload);
  await world.currentClient.halfClose();
}
