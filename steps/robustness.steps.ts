import { Given, Then, When } from '@cucumber/cucumber';
import { seededBytes } from '../src/driver/payload';
import { assertSameBytes } from '../src/services/echo-exchange';
import type { SockspecWorld } from './world';

const SLOW_MESSAGE = Buffer.from('slow\n');

Given('a slow client is sending its message one byte per second', async function (this: SockspecWorld) {
  await this.startSlowClient(SLOW_MESSAGE);
});

Then(
  'that client receives the same line back while the slow client is still sending',
  async function (this: SockspecWorld) {
    assertSameBytes('the echoed line', this.sent, await this.currentClient.receiveExactly(this.sent.length, 10_000));
    this.assertSlowClientStillSending('the line');
  },
);

When(
  '{int} clients connect at once and each drops its connection straight away',
  async function (this: SockspecWorld, clients: number) {
    const { host, port } = this.sessionServer.endpoint;
    const outcomes = await Promise.allSettled(Array.from({ length: clients }, () => this.clients.open(host, port, 10_000)));
    for (const outcome of outcomes) if (outcome.status === 'fulfilled') outcome.value.close();
    const failed = outcomes.filter((outcome) => outcome.status === 'rejected');
    if (failed.length > 0) throw new Error(`${failed.length} of ${clients} connections failed: ${(failed[0] as PromiseRejectedResult).reason}`);
  },
);

Then('a new client still gets its line echoed', async function (this: SockspecWorld) {
  const client = await this.connect();
  const line = Buffer.from('still here\n');
  await client.send(line);
  assertSameBytes('the echoed line', line, await client.receiveExactly(line.length));
});

When('a client sends {size} of random binary bytes holding no newline', async function (this: SockspecWorld, size: number) {
  const garbage = Buffer.from(seededBytes(size, this.scenarioName).map((byte) => (byte === 0x0a ? 0x00 : byte)));
  await this.requestFile(garbage);
});

When('a client sends {size} of random binary bytes as its request line', async function (this: SockspecWorld, size: number) {
  // Every byte value but the line ends, so the server sees one line of garbage and then the end of the head.
  const garbage = Buffer.from(seededBytes(size, this.scenarioName).map((byte) => (byte === 0x0a || byte === 0x0d ? 0x00 : byte)));
  await this.requestPage(Buffer.concat([garbage, Buffer.from('\r\n\r\n')]));
});
