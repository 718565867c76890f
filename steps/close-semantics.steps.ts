import { Then, When } from '@cucumber/cucumber';
import { seededBytes, KiB } from '../src/driver/payload';
import { DEFAULT_IO_TIMEOUT_MS } from '../src/driver/tcp-connection';
import { withTimeout } from '../src/driver/wait';
import { fileRequest, parseFileReply } from '../src/services/file-protocol';
import { waitUntilConnectionsClosed } from '../src/services/server-observation';
import { awaitServerFinished, awaitServerSendBacklog } from '../src/services/tcp-states';
import type { SockspecWorld } from './world';

When(
  'a client requests {string} and resets the connection while the reply is still being sent',
  async function (this: SockspecWorld, name: string) {
    this.rememberDescriptorBaseline();
    const client = await this.connect();
    await client.send(fileRequest(name));
    await client.receiveLine();
    // Stop reading, so the reply backs up into the server's send queue: the reset
    // then meets a server in the middle of its writes, which is where EPIPE strikes.
    client.pauseReading();
    await awaitServerSendBacklog(this.runningServer, this.control, client.localPort);
    client.reset();
  },
);

When(
  '{int} clients each reset their connection in the middle of an exchange',
  async function (this: SockspecWorld, clients: number) {
    this.rememberDescriptorBaseline();
    const message = seededBytes(4 * KiB, this.scenarioName);
    for (let index = 0; index < clients; index++) {
      const client = await this.connect();
      await client.send(message);
      await client.receiveExactly(KiB);
      client.reset();
    }
  },
);

Then(/^the server has closed (?:that connection|every one of those connections) and is still running$/, async function (this: SockspecWorld) {
  await waitUntilConnectionsClosed(this.runningServer, this.control, this.descriptorBaseline);
});

When(
  'a client sends the request for {string} followed by {size} of bytes the server does not read',
  async function (this: SockspecWorld, name: string, size: number) {
    this.client = await this.connect();
    this.client.pauseReading();
    await this.client.send(Buffer.concat([fileRequest(name), seededBytes(size, this.scenarioName)]));
  },
);

When('the client reads nothing until the server has finished with the connection', async function (this: SockspecWorld) {
  const client = this.currentClient;
  await awaitServerFinished(this.runningServer, this.control, client.localPort);
  client.resumeReading();
  // However the stream ends, keep what arrived: the next steps judge the bytes and the ending apart.
  this.lastReply.file = parseFileReply(await client.receiveUntilClosed());
});

Then('the connection closed in order, with end-of-stream and no reset', async function (this: SockspecWorld) {
  const client = this.currentClient;
  await withTimeout(client.closed, DEFAULT_IO_TIMEOUT_MS, 'the connection to close');
  if (client.state !== 'ended') throw new Error(`expected end-of-stream and no reset, but ${client.describe()}`);
});
