import { Given, Then, When } from '@cucumber/cucumber';
import { performance } from 'node:perf_hooks';
import { MiB } from '../src/driver/payload';
import type { TcpConnection } from '../src/driver/tcp-connection';
import { openFilesLimit } from '../src/kernel/process-usage';
import { awaitFloodBlocked, Flood } from '../src/services/backpressure';
import {
  awaitAllTaken,
  awaitServerLetGo,
  connectUntilServerFull,
  countStandings,
  cpuOverWindow,
  openIdleClients,
  servedOrClosed,
  type Standing,
} from '../src/services/held-clients';
import { assertStillServing } from '../src/services/liveness';
import { waitUntilConnectionsClosed } from '../src/services/server-observation';
import { scenarioState } from './scenario-state';
import type { SockspecWorld } from './world';

/** What a scenario of this feature holds: its idle clients and where each stood, its flood and the memory before it. */
interface Held {
  openFiles?: number;
  clients: TcpConnection[];
  standings: Standing[];
  flood?: Flood;
  residentBefore?: number;
}

const heldBy = scenarioState((): Held => ({ clients: [], standings: [] }));

Given(/^(an echo|a web) server limited to (\d+) open descriptors$/, async function (this: SockspecWorld, kind: string, openFiles: string) {
  heldBy(this).openFiles = Number(openFiles);
  await this.startServer(kind === 'an echo' ? 'echo' : 'http', { limits: { openFiles: Number(openFiles) } });
  this.transcript.note(`the server runs with RLIMIT_NOFILE ${openFiles}`);
});

Given('a web server', async function (this: SockspecWorld) {
  await this.startServer('http');
});

/** Opens idle clients that the scenario closes at its end; the harness's own descriptor limit must allow them. */
async function connectIdleClients(world: SockspecWorld, count: number): Promise<TcpConnection[]> {
  const own = openFilesLimit('self');
  // Node raises its soft limit to the hard one at start-up; a hard limit below this is the machine's.
  if (own !== undefined && own < count + 256) throw new Error(`the harness may hold only ${own} descriptors (RLIMIT_NOFILE), too few for ${count} clients and its own; raise the hard limit (ulimit -Hn)`);
  const clients = await openIdleClients(world.runningServer, count, world.scenarioEnd.signal, world.transcript);
  world.clients.adopt(...clients);
  heldBy(world).clients = clients;
  return clients;
}

Given(
  'idle clients have connected until the server takes no more and {int} wait in its accept queue, {int} at most',
  async function (this: SockspecWorld, waiting: number, most: number) {
    const state = heldBy(this);
    if (state.openFiles === undefined) throw new Error('the server was not started under a descriptor limit');
    const full = await connectUntilServerFull(this.runningServer, this.control, { openFiles: state.openFiles, waiting, most }, this.scenarioEnd.signal);
    this.clients.adopt(...full.connections);
    state.clients = full.connections;
    state.standings = full.standings;
    const outcome = state.standings.includes('waiting') ? 'the server takes no more' : `the server took or closed every one (it never ran out: e.g. a process per client)`;
    this.transcript.note(`${full.connections.length} idle clients connected; ${outcome}: ${countStandings(state.standings)}`);
    // The liveness check after the scenario needs a descriptor free: the server must first close what it took.
    const taken = state.clients.filter((_, index) => state.standings[index] === 'taken');
    this.beforeFinalChecks.push(() => awaitServerLetGo(this.runningServer, this.control, taken));
  },
);

Then(
  'over the next second the server keeps running and is on the CPU for less than {int}% of it',
  async function (this: SockspecWorld, percent: number) {
    // The second is the measurement (CPU time used over an interval), not a pause for something to settle.
    const { cpuMs, elapsedMs } = await cpuOverWindow(this.runningServer, this.control, 1000);
    const share = (100 * cpuMs) / elapsedMs;
    this.transcript.note(`the server used ${cpuMs.toFixed(0)} ms of CPU in ${elapsedMs.toFixed(0)} ms (${share.toFixed(1)}%) while ${countStandings(heldBy(this).standings)}`);
    if (share >= percent) {
      throw new Error(`the server spins while clients wait for descriptors: it used ${cpuMs.toFixed(0)} ms of CPU in ${elapsedMs.toFixed(0)} ms (${share.toFixed(0)}%, the bound is ${percent}%); ${countStandings(heldBy(this).standings)}`);
    }
  },
);

When('the clients the server took leave', async function (this: SockspecWorld) {
  const { clients, standings } = heldBy(this);
  const leaving = clients.filter((_, index) => standings[index] === 'taken');
  for (const client of leaving) client.close();
  await awaitServerLetGo(this.runningServer, this.control, leaving);
  this.transcript.note(`${leaving.length} clients the server had taken closed their connections, and the server its side of each`);
});

Then(
  /^each client that was still waiting gets its (?:line back|response) or its connection closed within (\d+) seconds$/,
  async function (this: SockspecWorld, seconds: string) {
    const { clients, standings } = heldBy(this);
    const waiting = clients.filter((_, index) => standings[index] === 'waiting');
    const outcomes = await Promise.all(waiting.map((client) => servedOrClosed(this.runningServer.service, client, Number(seconds) * 1000)));
    this.transcript.note(`of the ${waiting.length} clients that waited, ${outcomes.filter((outcome) => outcome === 'served').length} were served and ${outcomes.filter((outcome) => outcome === 'closed').length} closed`);
  },
);

Then('a fresh client is still served', async function (this: SockspecWorld) {
  await assertStillServing(this.runningServer, this.fileRoot, this.transcript);
});

When(
  'a client sends {int} MiB of random bytes and reads nothing, until the server stops taking them',
  async function (this: SockspecWorld, mebibytes: number) {
    const state = heldBy(this);
    const client = await this.connect();
    client.pauseReading();
    state.residentBefore = this.control.usage()?.residentBytes;
    state.flood = Flood.start(client, mebibytes * MiB, this.scenarioName);
    const stopped = await awaitFloodBlocked(state.flood, this.runningServer, this.control);
    this.transcript.note(
      stopped.how === 'blocked'
        ? `the client's sending is blocked after ${stopped.taken} bytes: a write waits, its socket probes a zero window with ${stopped.clientSendQueue} bytes queued, and no server thread runs`
        : `the kernel took all ${stopped.taken} bytes: the server never stopped reading`,
    );
  },
);

Then('the server\'s resident memory has grown by less than {int} MiB', function (this: SockspecWorld, mebibytes: number) {
  const { residentBefore, flood } = heldBy(this);
  const now = this.control.usage()?.residentBytes;
  if (residentBefore === undefined || now === undefined) throw new Error('the server\'s resident memory could not be read');
  const grown = now - residentBefore;
  this.transcript.note(`the server's resident memory: ${(residentBefore / MiB).toFixed(1)} MiB before the flood, ${(now / MiB).toFixed(1)} MiB with ${flood?.taken} bytes sent`);
  if (grown >= mebibytes * MiB) {
    throw new Error(`the server buffers what it cannot send: its resident memory grew by ${(grown / MiB).toFixed(1)} MiB (the bound is ${mebibytes} MiB) while the client sent ${flood?.taken} bytes and read none`);
  }
});

Then('once the client reads, it receives every byte it sent, in order', async function (this: SockspecWorld) {
  const flood = heldBy(this).flood;
  if (!flood) throw new Error('no client sent a flood in this scenario');
  flood.connection.resumeReading();
  await flood.receiveAllBack(10_000);
});

Given('{int} idle clients are connected, each taken by the server', async function (this: SockspecWorld, count: number) {
  this.rememberDescriptorBaseline();
  const clients = await connectIdleClients(this, count);
  await awaitAllTaken(this.runningServer, this.control, clients);
  this.transcript.note(`the server has taken all ${count} idle clients; it held ${this.descriptorBaseline} descriptors before they came and ${this.control.descriptorCount()} now`);
});

Then('a fresh client is served within {int} seconds', async function (this: SockspecWorld, seconds: number) {
  const started = performance.now();
  await assertStillServing(this.runningServer, this.fileRoot, this.transcript);
  const elapsedMs = performance.now() - started;
  this.transcript.note(`the fresh client was served in ${elapsedMs.toFixed(0)} ms while ${heldBy(this).clients.length} idle clients were connected`);
  if (elapsedMs > seconds * 1000) throw new Error(`a fresh client was served only after ${elapsedMs.toFixed(0)} ms, more than ${seconds} s, while ${heldBy(this).clients.length} idle clients were connected`);
});

When('the idle clients leave', function (this: SockspecWorld) {
  for (const client of heldBy(this).clients) client.close();
  this.transcript.note(`all ${heldBy(this).clients.length} idle clients closed their connections`);
});

Then('the server closes every one of their connections', async function (this: SockspecWorld) {
  await waitUntilConnectionsClosed(this.runningServer, this.control, this.descriptorBaseline);
});
