import { performance } from 'node:perf_hooks';
import type { Service } from '../contract/manifest';
import { TcpConnection } from '../driver/tcp-connection';
import type { Transcript } from '../driver/transcript';
import { pause, pollUntil } from '../driver/wait';
import type { TcpSocketEntry } from '../kernel/proc-net';
import type { RunningServer, ServerControl } from '../runtime/runtime';
import { describeHttpResponse, httpGet, readHttpResponse } from './http-exchange';
import { describeServerExit } from './liveness';

/**
 * Many clients held open against one server at once: more than it has descriptors
 * for, or a thousand that say nothing. Where each one stands with the server is read
 * from the server's own TCP table, never inferred from how long they have waited.
 */

/**
 * Connections opened at once, each batch after the last has connected: few enough that
 * the accept queue (129 on Linux for the contract's backlog of 128) does not overflow
 * while a server accepts at its own pace; a dropped SYN would cost its client a second.
 */
const CONNECT_BATCH = 20;
const STANDING_TIMEOUT_MS = 10_000;
/** Thread states of a thread that is not running: sleeping, in uninterruptible sleep, idle. */
export const NOT_RUNNING = new Set(['S', 'D', 'I']);

/**
 * Where a held client stands with the server: `taken`, the server holds its side
 * of the connection; `waiting`, the connection is complete but still in the
 * listener's accept queue (no process holds it); `closed`, the server has closed
 * or reset it.
 */
export type Standing = 'taken' | 'waiting' | 'closed';

/** Opens `count` connections that send nothing, a batch at a time; the caller closes them. */
export async function openIdleClients(server: RunningServer, count: number, signal: AbortSignal, transcript: Transcript): Promise<TcpConnection[]> {
  const connections: TcpConnection[] = [];
  const failures: string[] = [];
  for (let opened = 0; opened < count && failures.length === 0; opened += CONNECT_BATCH) {
    const batch = Math.min(CONNECT_BATCH, count - opened);
    // Not in the transcript one by one: a thousand sockets would drown everything else in it.
    const outcomes = await Promise.allSettled(Array.from({ length: batch }, () => TcpConnection.open(server.host, server.port, undefined, signal)));
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') connections.push(outcome.value);
      else failures.push((outcome.reason as Error).message);
    }
  }
  transcript.note(`${connections.length} of ${count} clients connected and sent nothing${failures.length ? `; ${failures.length} could not connect (${failures[0]})` : ''}`);
  if (failures.length > 0) {
    for (const connection of connections) connection.close();
    throw new Error(`${failures.length} of ${count} clients could not connect (${connections.length} did); the first failure: ${failures[0]}`);
  }
  return connections;
}

/** Each client's standing, or undefined for a client whose standing the table does not show yet. */
export function standingsOf(server: RunningServer, control: ServerControl, connections: TcpConnection[]): (Standing | undefined)[] {
  const serverSides = new Map<number, TcpSocketEntry>();
  for (const entry of control.tcpSockets(server.serverPort)) if (entry.localPort === server.serverPort && entry.state !== 'LISTEN') serverSides.set(entry.remotePort, entry);
  return connections.map((connection) => {
    if (connection.state !== 'open') return 'closed';
    const entry = serverSides.get(connection.localPort);
    // Not listed: the kernel writes its table a page at a time and one read can miss a socket,
    // and a connection completed by a SYN cookie that the full accept queue then dropped exists
    // on the client's side only. A server that closed or reset it shows in the client's state.
    if (!entry) return undefined;
    if (entry.state === 'ESTABLISHED') return entry.owned ? 'taken' : 'waiting';
    // The handshake is not through on the server's side (SYN_RECV), or this client's close is (CLOSE_WAIT).
    if (entry.state === 'SYN_RECV' || entry.state === 'CLOSE_WAIT') return undefined;
    // FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE...: the server has sent its FIN or dropped the socket.
    return 'closed';
  });
}

export function countStandings(standings: readonly (Standing | undefined)[]): string {
  const count = (standing: Standing | undefined): number => standings.filter((candidate) => candidate === standing).length;
  return `${count('taken')} taken, ${count('waiting')} waiting in the accept queue, ${count('closed')} closed by the server${count(undefined) ? `, ${count(undefined)} the server's table does not show as taken, waiting or closed` : ''}`;
}

export interface FullServer {
  connections: TcpConnection[];
  standings: Standing[];
}

/**
 * Connects idle clients, a few at a time, until the server takes no more and `waiting`
 * of them wait in its accept queue, or until `most` have connected (a server that forks
 * a process per client never runs out). "Takes no more" is kernel state: a process of the
 * server holds as many descriptors as its limit allows, or (a server that caps its own
 * connections below the limit) no thread of it is running while clients wait. Clients
 * connect only as the accept queue has room for them, so that a server with a small
 * backlog loses none. The caller closes the connections. Fails at once if the server dies.
 */
export async function connectUntilServerFull(
  server: RunningServer,
  control: ServerControl,
  limits: { openFiles: number; waiting: number; most: number },
  signal: AbortSignal,
): Promise<FullServer> {
  const connections: TcpConnection[] = [];
  let standings: (Standing | undefined)[] = [];
  let most = 0;
  const cleanUp = (): void => connections.forEach((connection) => connection.close());
  try {
    for (;;) {
      const state = await pollUntil(
        () => {
          if (server.exit) throw new Error(`the server ${describeServerExit(server)} while clients were connecting (${countStandings(standings)})`);
          // Descriptors and threads first: a table read after the server was seen full cannot show it short of clients it took before.
          most = control.usage()?.mostDescriptors ?? 0;
          const idle = control.threadStates().every((thread) => NOT_RUNNING.has(thread));
          standings = standingsOf(server, control, connections);
          if (standings.includes(undefined)) return undefined;
          const waiting = standings.filter((standing) => standing === 'waiting').length;
          if (waiting < limits.waiting) return connections.length >= limits.most ? ('all taken' as const) : ('room' as const);
          return most >= limits.openFiles || idle ? ('full' as const) : undefined;
        },
        STANDING_TIMEOUT_MS,
        () => `the server to take or queue every client so far (${countStandings(standings)}; its fullest process holds ${most} of its ${limits.openFiles} descriptors)`,
      );
      if (state !== 'room') return { connections, standings: standings as Standing[] };
      const waiting = standings.filter((standing) => standing === 'waiting').length;
      const batch = Math.min(limits.waiting - waiting, limits.most - connections.length);
      const outcomes = await Promise.allSettled(Array.from({ length: batch }, () => TcpConnection.open(server.host, server.port, undefined, signal)));
      for (const outcome of outcomes) if (outcome.status === 'fulfilled') connections.push(outcome.value);
      const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failed) throw new Error(`a client could not connect after ${connections.length} had (${countStandings(standings)} before this batch): ${(failed.reason as Error).message}`);
    }
  } catch (error) {
    cleanUp();
    throw error;
  }
}

/** Waits until the server has taken every client (none waits in the accept queue, none is closed). */
export async function awaitAllTaken(server: RunningServer, control: ServerControl, connections: TcpConnection[]): Promise<void> {
  let last: (Standing | undefined)[] = [];
  await pollUntil(
    () => {
      if (server.exit) throw new Error(`the server ${describeServerExit(server)} while idle clients were connecting`);
      last = standingsOf(server, control, connections);
      if (last.includes('closed')) throw new Error(`the server closed idle clients it should hold: ${countStandings(last)}`);
      return last.every((standing) => standing === 'taken') ? true : undefined;
    },
    STANDING_TIMEOUT_MS,
    () => `the server to take every idle client (${countStandings(last)})`,
  );
}

/**
 * Waits until the server has let go of the connections of these clients, which have
 * closed theirs: no process of the server holds its side any more, so the descriptors
 * are free again. Fails at once if the server dies.
 */
export async function awaitServerLetGo(server: RunningServer, control: ServerControl, connections: TcpConnection[]): Promise<void> {
  const ports = new Set(connections.map((connection) => connection.localPort));
  let held = 0;
  await pollUntil(
    () => {
      if (server.exit) throw new Error(`the server ${describeServerExit(server)} while its clients were leaving`);
      held = control.tcpSockets(server.serverPort).filter((entry) => entry.localPort === server.serverPort && ports.has(entry.remotePort) && entry.owned).length;
      return held === 0 ? true : undefined;
    },
    STANDING_TIMEOUT_MS,
    () => `the server to close its side of the connections of the ${ports.size} clients that left (it still holds ${held})`,
  );
}

export interface CpuWindow {
  cpuMs: number;
  elapsedMs: number;
}

/**
 * The CPU time the server's processes use over `windowMs` of wall-clock time. The
 * window is the measurement itself (CPU used over an interval is the behaviour under
 * test), not a pause for something to settle; it is never scaled. Fails if the server
 * dies within it.
 */
export async function cpuOverWindow(server: RunningServer, control: ServerControl, windowMs: number): Promise<CpuWindow> {
  const before = control.usage();
  const started = performance.now();
  if (!before) throw new Error(`the server ${describeServerExit(server)} before the window began`);
  await Promise.race([pause(windowMs), server.exited]);
  const after = control.usage();
  const elapsedMs = performance.now() - started;
  if (server.exit || !after) throw new Error(`the server died ${elapsedMs.toFixed(0)} ms into the ${windowMs} ms window: it ${describeServerExit(server)}`);
  return { cpuMs: after.cpuMs - before.cpuMs, elapsedMs };
}

/**
 * Sends one request of the service on a connection that waited for the server, and
 * waits for its reply or for the connection to end (end-of-stream or reset), whichever
 * comes first. Throws if neither comes within `timeoutMs`, or if the reply is wrong.
 */
export async function servedOrClosed(service: Service, connection: TcpConnection, timeoutMs: number): Promise<'served' | 'closed'> {
  const request = service === 'http' ? httpGet('/hello.txt') : Buffer.from('waited for a descriptor\n');
  try {
    await connection.send(request, timeoutMs);
    if (service === 'http') {
      const response = await readHttpResponse(connection, request, timeoutMs);
      if (response.kind === 'response') return 'served';
      if (connection.state !== 'open') return 'closed';
      throw new Error(`the server answered ${describeHttpResponse(response)}`);
    }
    const echoed = await connection.receiveExactly(request.length, timeoutMs);
    if (!echoed.equals(request)) throw new Error(`the line came back as ${JSON.stringify(echoed.toString('latin1'))}`);
    return 'served';
  } catch (error) {
    // Ended or reset by the server (a send into a reset connection fails with EPIPE); 'closed' would be this client's own doing.
    if (connection.state !== 'open' && connection.state !== 'closed') return 'closed';
    throw new Error(`a client that had waited for a descriptor got neither its ${service === 'http' ? 'response' : 'line back'} nor its connection closed (end-of-stream or reset) within ${timeoutMs} ms: ${(error as Error).message}`);
  }
}
