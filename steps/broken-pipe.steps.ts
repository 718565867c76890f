import { defineParameterType, Then, When } from '@cucumber/cucumber';
import { seededBytes } from '../src/driver/payload';
import type { TcpConnection } from '../src/driver/tcp-connection';
import { withTimeout } from '../src/driver/wait';
import { fileRequest } from '../src/services/file-protocol';
import { httpGet } from '../src/services/http-exchange';
import { assertStillServing, describeServerExit } from '../src/services/liveness';
import { awaitAccepted, departBeforeReply, resetMidReplyAfterHalfClose, type Departure } from '../src/services/peer-departure';
import { waitUntilConnectionsClosed } from '../src/services/server-observation';
import { awaitServerSendBacklog } from '../src/services/tcp-states';
import type { SockspecWorld } from './world';

/** How long a thaw that failed waits for the server's exit to be reported. */
const EXIT_NOTICE_MS = 1000;

const DEPARTURES: Record<string, Departure> = {
  'closes the connection': 'close',
  'resets the connection': 'reset',
  'half-closes and resets the connection': 'half-close then reset',
};

// How a client goes away, e.g. "half-closes and resets the connection".
defineParameterType({
  name: 'departure',
  regexp: new RegExp(Object.keys(DEPARTURES).join('|')),
  transformer: (text: string) => DEPARTURES[text]!,
});

When(
  'a client requests {string}, then {departure} before the server replies',
  async function (this: SockspecWorld, name: string, departure: Departure) {
    await departBeforeTheServerAnswers(this, fileRequest(name), departure);
  },
);

When(
  'a client gets {string}, then {departure} before the server responds',
  async function (this: SockspecWorld, path: string, departure: Departure) {
    await departBeforeTheServerAnswers(this, httpGet(path), departure);
  },
);

When(
  'a client sends {size} of random bytes, then {departure} before the server echoes them',
  async function (this: SockspecWorld, size: number, departure: Departure) {
    await departBeforeTheServerAnswers(this, seededBytes(size, this.scenarioName), departure);
  },
);

When(
  'a client requests {string}, half-closes, then resets the connection while the reply is still being sent',
  async function (this: SockspecWorld, name: string) {
    await halfCloseAndResetMidReply(this, fileRequest(name));
  },
);

When(
  'a client gets {string}, half-closes, then resets the connection while the response is still being sent',
  async function (this: SockspecWorld, path: string) {
    await halfCloseAndResetMidReply(this, httpGet(path));
  },
);

When(
  'a client gets {string}, then resets the connection while the response is still being sent',
  async function (this: SockspecWorld, path: string) {
    const client = await readNothing(this, httpGet(path));
    await awaitServerSendBacklog(this.runningServer, this.control, client.localPort);
    client.reset();
  },
);

Then('the server is still running and serves the next client', async function (this: SockspecWorld) {
  // Only once the server has closed the departed client's connection has it made every write it was going to make.
  await waitUntilConnectionsClosed(this.runningServer, this.control, this.descriptorBaseline);
  await assertStillServing(this.runningServer, this.fileRoot, this.transcript);
});

/**
 * The server is frozen once it has accepted the connection, so that it writes
 * nothing until the client has sent `request` and gone; it is thawed when its
 * kernel shows the departure, and only then meets it.
 */
async function departBeforeTheServerAnswers(world: SockspecWorld, request: Buffer, departure: Departure): Promise<void> {
  world.rememberDescriptorBaseline();
  const client = await world.connect();
  await awaitAccepted(world.runningServer, world.control, client.localPort);
  await world.freezeServer('writes nothing until thawed');
  await client.send(request);
  await departBeforeReply(world.runningServer, world.control, client, departure, request.length, (text) => world.transcript.note(text));
  await thawUnlessItDies(world);
}

/** Thaws the server; one that dies at once of what it meets (SIGPIPE) is left for the Then step to report. */
async function thawUnlessItDies(world: SockspecWorld): Promise<void> {
  try {
    await world.thawServer();
  } catch (error) {
    const server = world.runningServer;
    const exit = server.exit ?? (await withTimeout(server.exited, EXIT_NOTICE_MS, 'the server to exit').catch(() => undefined));
    if (!exit) throw error;
    world.transcript.note(`server thawed: it ${describeServerExit(server)}`);
  }
}

/** The client half-closes after its request and reads nothing; it resets once the server is writing a reply it cannot finish. */
async function halfCloseAndResetMidReply(world: SockspecWorld, request: Buffer): Promise<void> {
  const client = await readNothing(world, request);
  await client.halfClose();
  await resetMidReplyAfterHalfClose(world.runningServer, world.control, client, (text) => world.transcript.note(text));
}

async function readNothing(world: SockspecWorld, request: Buffer): Promise<TcpConnection> {
  world.rememberDescriptorBaseline();
  const client = await world.connect();
  // The reply backs up into the server's send queue, so the server is still writing when the client leaves.
  client.pauseReading();
  await client.send(request);
  return client;
}
