import { pollUntil } from '../driver/wait';
import type { TcpSocketEntry } from '../kernel/proc-net';
import type { RunningServer, ServerControl } from '../runtime/runtime';

const STATE_TIMEOUT_MS = 5000;

/** States in which the server has sent its FIN or dropped the socket: it has finished with the connection. */
const FINISHED = new Set(['FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSING', 'LAST_ACK', 'CLOSE']);

/** The server's side of the connection from `clientPort`, as its own network namespace lists it. */
export function serverSideOf(server: RunningServer, control: ServerControl, clientPort: number): TcpSocketEntry | undefined {
  return control.tcpSockets(server.serverPort).find((entry) => entry.localPort === server.serverPort && entry.remotePort === clientPort);
}

/**
 * Polls the kernel's entry for the server's side of the connection from
 * `clientPort` (undefined once it is gone) until `reached` holds; `waitingFor`
 * names the wait, given the last entry seen, when it times out.
 */
export async function awaitServerSide(
  server: RunningServer,
  control: ServerControl,
  clientPort: number,
  reached: (entry: TcpSocketEntry | undefined) => boolean,
  waitingFor: (entry: TcpSocketEntry | undefined) => string,
): Promise<TcpSocketEntry | undefined> {
  let seen: TcpSocketEntry | undefined;
  await pollUntil(
    () => {
      seen = serverSideOf(server, control, clientPort);
      return reached(seen) ? true : undefined;
    },
    STATE_TIMEOUT_MS,
    () => waitingFor(seen),
  );
  return seen;
}

/**
 * Waits until the kernel lists the server's side of the connection from `clientPort`
 * in TIME_WAIT (true), or no longer lists it at all (false). Once both FINs are
 * through, nothing but a reset removes that entry within a minute; and a reset can
 * reach it through no fault of the server: a late duplicate ACK that crosses the
 * client's last ACK draws a reset from the client's kernel (RFC 1337's TIME-WAIT
 * assassination, seen on loopback under load).
 */
export async function awaitServerSideTimeWait(server: RunningServer, control: ServerControl, clientPort: number): Promise<boolean> {
  const entry = await awaitServerSide(
    server,
    control,
    clientPort,
    (candidate) => candidate === undefined || candidate.state === 'TIME_WAIT',
    (candidate) => `the server's side of the connection from port ${clientPort} to be in TIME_WAIT (it is ${candidate?.state ?? 'absent'})`,
  );
  return entry !== undefined;
}

/** Waits until the server has sent its FIN on that connection, or closed (or reset) it outright. */
export async function awaitServerFinished(server: RunningServer, control: ServerControl, clientPort: number): Promise<string> {
  const entry = await awaitServerSide(
    server,
    control,
    clientPort,
    (candidate) => candidate === undefined || FINISHED.has(candidate.state),
    (candidate) => `the server to finish with the connection from port ${clientPort} (its side is ${candidate?.state ?? 'gone'})`,
  );
  return entry?.state ?? 'gone';
}

/** Waits until the server has accepted every connection queued on its listening socket. */
export async function awaitAcceptQueueEmpty(server: RunningServer, control: ServerControl): Promise<void> {
  let queued = 0;
  await pollUntil(
    () => {
      const listener = control.tcpSockets(server.serverPort).find((entry) => entry.localPort === server.serverPort && entry.state === 'LISTEN');
      queued = listener?.receiveQueue ?? 0;
      return queued === 0 ? true : undefined;
    },
    STATE_TIMEOUT_MS,
    () => `the server to accept the ${queued} connections still in its accept queue`,
  );
}

/** Waits until the server is sending on that connection faster than the client reads: bytes wait unacknowledged in its send queue. */
export async function awaitServerSendBacklog(server: RunningServer, control: ServerControl, clientPort: number): Promise<void> {
  await awaitServerSide(
    server,
    control,
    clientPort,
    (entry) => (entry?.sendQueue ?? 0) > 0,
    (entry) => `the server's send queue on the connection from port ${clientPort} to fill (it holds ${entry?.sendQueue ?? 0} bytes)`,
  );
}
