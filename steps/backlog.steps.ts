import { Given, Then, When } from '@cucumber/cucumber';
import { seededBytes } from '../src/driver/payload';
import { assertSameBytes } from '../src/services/echo-exchange';
import { ConnectAttempt, fillListenQueue, LISTEN_OVERFLOWS, waitingForSynAck, type QueueProbe } from '../src/services/listen-queue';
import type { SockspecWorld } from './world';
import { scenarioState } from './scenario-state';

/** What filling the listen queue of a frozen server produced, and connection attempts made one after another, in order. */
const backlogScenario = scenarioState((): { queue?: QueueProbe; attempts: ConnectAttempt[] } => ({ attempts: [] }));

Given('an echo server listening with a backlog of {int}', async function (this: SockspecWorld, backlog: number) {
  await this.startServer('echo', { backlog });
});

Given(
  'an echo server listening with a backlog of {int} in a namespace where {word} is {word}',
  async function (this: SockspecWorld, backlog: number, sysctl: string, value: string) {
    await this.startServer('echo', { backlog, sysctls: { [sysctl]: value } });
  },
);

Given('the server is frozen', async function (this: SockspecWorld) {
  await this.freezeServer('it accepts and reads nothing until thawed');
});

When('the server is thawed', async function (this: SockspecWorld) {
  await this.thawServer();
});

When('clients keep connecting until an attempt is not answered', async function (this: SockspecWorld) {
  backlogScenario(this).queue = await fillListenQueue(this.runningServer, this.control, this.scenarioEnd.signal, this.transcript);
  this.clients.adopt(...backlogScenario(this).queue!.completed);
});

Then('exactly {int} connections completed', function (this: SockspecWorld, expected: number) {
  const { completed, firstIncomplete } = queueProbe(this);
  if (completed.length !== expected) {
    const next = firstIncomplete ? `then an attempt ${firstIncomplete.describe()}` : 'and every attempt completed';
    throw new Error(`expected exactly ${expected} completed connections while frozen, but ${completed.length} completed, ${next}`);
  }
});

Then(
  "the next attempt is left waiting, its SYN dropped and counted in the server's ListenOverflows",
  function (this: SockspecWorld) {
    const { firstIncomplete, overflowsBefore, overflowsAfter } = queueProbe(this);
    if (!firstIncomplete) throw new Error('no attempt was left unanswered: the queue never filled');
    if (firstIncomplete.state !== 'waiting') throw new Error(`expected the attempt to be left waiting, but it ${firstIncomplete.describe()}`);
    // Asked again now, of the kernel: the client still has no answer to its SYN.
    if (!waitingForSynAck(this.runningServer.port)) throw new Error('the attempt is no longer waiting for an answer to its SYN');
    if (overflowsAfter <= overflowsBefore) throw new Error(`expected the dropped SYN to raise ${LISTEN_OVERFLOWS}, but it stayed at ${overflowsBefore}`);
  },
);

Given('every connected client has sent its own message', async function (this: SockspecWorld) {
  await Promise.all(queueProbe(this).completed.map((connection, index) => connection.send(queuedMessage(this, index))));
});

Then('every queued client receives exactly its own message back', async function (this: SockspecWorld) {
  await Promise.all(
    queueProbe(this).completed.map(async (connection, index) => {
      const message = queuedMessage(this, index);
      assertSameBytes(`queued client ${index + 1}`, message, await connection.receiveExactly(message.length));
    }),
  );
});

Then('the waiting client connects and is served', async function (this: SockspecWorld) {
  const waiting = queueProbe(this).firstIncomplete;
  if (!waiting) throw new Error('no client was left waiting');
  await waiting.settled;
  if (waiting.state !== 'connected') throw new Error(`the waiting client ${waiting.describe()}`);
  this.clients.adopt(waiting.connection!);
  const message = Buffer.from('served after the thaw\n');
  await waiting.connection!.send(message);
  assertSameBytes('the waiting client', message, await waiting.connection!.receiveExactly(message.length));
});

When('{int} clients connect one after another', async function (this: SockspecWorld, clients: number) {
  backlogScenario(this).attempts = [];
  for (let index = 0; index < clients; index++) {
    const attempt = new ConnectAttempt(this.runningServer.host, this.runningServer.port, this.scenarioEnd.signal, this.transcript);
    await attempt.settled;
    backlogScenario(this).attempts.push(attempt);
  }
});

Then(
  'the connection of client {int} is refused with {word} within {int} ms',
  function (this: SockspecWorld, client: number, errno: string, boundMs: number) {
    const attempt = backlogScenario(this).attempts[client - 1];
    if (attempt?.error?.code !== errno) throw new Error(`expected client ${client} to be refused with ${errno}, but it ${attempt?.describe()}`);
    if (attempt.error.elapsedMs >= boundMs) throw new Error(`expected the refusal within ${boundMs} ms, but it took ${attempt.error.elapsedMs.toFixed(1)} ms`);
  },
);

function queueProbe(world: SockspecWorld) {
  const { queue } = backlogScenario(world);
  if (!queue) throw new Error("the server's listen queue was not filled in this scenario");
  return queue;
}

const queuedMessage = (world: SockspecWorld, index: number): Buffer =>
  Buffer.concat([seededBytes(1000, `${world.scenarioName} queued ${index}`), Buffer.from('\n')]);
