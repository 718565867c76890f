import { pollUntil } from '../driver/wait';
import type { TcpSocketEntry } from '../kernel/proc-net';
import type { RunningServer, ServerControl } from '../runtime/runtime';

const STATE_TIMEOUT_MS = 5000;

/** States in which the server has sent its FIN or dropped the socket: it has finished with the connection. */
const FINISHED = new Set(['FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSING', 'LAST_ACK', 'CLOSE']);

/** The server's side of the connection from `clientPort`, as its own network namespace lists it. */
export function serverSideOf(server: RunningServer, control: ServerControl, clientPort: number): TcpSocketEntry | undefined {
  return control.tcpSockets().find((entry) => entry.localPort === server.serverPort && entry.remotePort === clientPort);
}

/** Waits until the kernel lists the server's side of that connection in `state`. */
export async function awaitServerSideState(server: RunningServer, control: ServerControl, clientPort: number, state: string): Promise<void> {
  let seen = 'absent';
  await pollUntil(
    () => {
      seen = serverSideOf(server, control, clientPort)?.state ?? 'absent';
      return seen === state ? true : undefined;
    },
    STATE_TIMEOUT_MS,
    () => `the server's side of the connection from port ${clientPort} to be in ${state} (it is ${seen})`,
  );
}

/** Waits until the server has sent its FIN on that connection, or closed (or reset) it outright. */
export async function awaitServerFinished(server: RunningServer, control: ServerControl, clientPort: number): Promise<string> {
  let seen = 'absent';
  await pollUntil(
    () => {
      const entry = serverSideOf(server, control, clientPort);
      seen = entry?.state ?? 'gone';
      return entry === undefined || FINISHED.has(entry.state) ? true : undefined;
    },
    STATE_TIMEOUT_MS,
    () => `the server to finish with the connection from port ${clientPort} (its side is ${seen})`,
  );
  return seen;
}

/** Waits until the server has accepted every connection queued on its listening socket. */
export async function awaitAcceptQueueEmpty(server: RunningServer, control: ServerControl): Promise<void> {
  let queued = 0;
  await pollUntil(
    () => {
      const listener = control.tcpSockets().find((entry) => entry.localPort === server.serverPort && entry.state === 'LISTEN');
      queued = listener?.receiveQueue ?? 0;
      return queued === 0 ? true : undefined;
    },
    STATE_TIMEOUT_MS,
    () => `the server to accept the ${queued} connections still in its accept queue`,
  );
}

/** Waits until the server is sending on that connection faster than the client reads: bytes wait unacknowledged in its send queue. */
export async function awaitServerSendBacklog(server: RunningServer, control: ServerControl, clientPort: number): Promise<void> {
  let queued = 0;
  await pollUntil(
    () => {
      queued = serverSideOf(server, control, clientPort)?.sendQueue ?? 0;
      return queued > 0 ? true : undefined;
    },
    STATE_TIMEOUT_MS,
    () => `the server's send queue on the connection from port ${clientPort} to fill (it holds ${queued} bytes)`,
  );
}
