import type { TcpConnection } from '../driver/tcp-connection';
import { pollUntil } from '../driver/wait';
import type { TcpSocketEntry } from '../kernel/proc-net';
import type { RunningServer, ServerControl } from '../runtime/runtime';
import { awaitServerSide, serverSideOf } from './tcp-states';

/**
 * A client that goes away before or while the server answers, and the kernel
 * state each way of going leaves the server's socket in. Which write of the
 * server then fails, and which one raises SIGPIPE, depends on that state
 * (docs/linux-notes.md, "Broken pipes"):
 *
 * - `close`: close() with nothing unread sends a FIN. The server's socket is in
 *   CLOSE_WAIT; its first write draws a reset from the client's kernel (the
 *   reset is handled before that write returns, on loopback), and the next write
 *   fails with EPIPE and raises SIGPIPE.
 * - `reset`: a reset (SO_LINGER 0) while the connection is ESTABLISHED. The
 *   first write fails with ECONNRESET and raises nothing; the next one raises SIGPIPE.
 * - `half-close then reset`: a FIN, then a reset. The reset meets a socket in
 *   CLOSE_WAIT, whose error is then EPIPE: the very first write raises SIGPIPE.
 */
export type Departure = 'close' | 'reset' | 'half-close then reset';

const STATE_TIMEOUT_MS = 5000;
/** The states a server's side leaves CLOSE_WAIT for when the server closes or shuts down its sending side. */
const CLOSED_AFTER_CLOSE_WAIT = new Set(['LAST_ACK', 'CLOSE']);
/**
 * The kernel writes its table out a page at a time while sockets change state, so one
 * read can miss a socket that is there: only a socket missing from this many reads in a row is gone.
 */
const READS_TO_BE_GONE = 3;

/**
 * Leaves as `departure` says, while the server (frozen by the caller) has read
 * nothing of the reply: before a reset, waits until the server's kernel has
 * acknowledged all `sentBytes` the client sent; after leaving, waits until the
 * server's kernel shows the departure (CLOSE_WAIT after the FIN; the entry gone after the reset).
 */
export async function departBeforeReply(
  server: RunningServer,
  control: ServerControl,
  client: TcpConnection,
  departure: Departure,
  sentBytes: number,
  note: (text: string) => void = () => {},
): Promise<void> {
  const port = client.localPort;
  if (departure === 'reset') {
    // A reset destroys whatever the client's kernel has not sent yet: the whole request must be across first.
    await awaitAllAcknowledged(client, sentBytes);
    note(`the server's kernel has acknowledged all ${sentBytes} bytes`);
    client.reset();
    await awaitServerSideGone(server, control, port);
    return note("the server's kernel has torn down its side of the connection (reset while ESTABLISHED)");
  }
  if (departure === 'close') client.close();
  else await client.halfClose();
  // CLOSE_WAIT: the FIN has arrived, and with it every byte sent before it.
  await awaitServerSideCloseWait(server, control, port);
  note(`the server's side of the connection is in CLOSE_WAIT: the FIN has arrived, after all ${sentBytes} bytes`);
  if (departure === 'half-close then reset') {
    client.reset();
    await awaitServerSideGone(server, control, port);
    note("the server's kernel has torn down its side of the connection (reset in CLOSE_WAIT)");
  }
}

/**
 * For a client that has half-closed and stopped reading: waits until the server,
 * in CLOSE_WAIT, has not finished its reply (it has not shut down its sending side)
 * and bytes of it wait in its send queue, then resets. The reset meets the server
 * in the middle of its writes, on a socket whose error becomes EPIPE. A server may
 * instead take the half-close for the client's departure and close at once (nginx
 * does: LAST_ACK, its reply still queued); then no write of its meets the reset,
 * and `note` says so.
 */
export async function resetMidReplyAfterHalfClose(server: RunningServer, control: ServerControl, client: TcpConnection, note: (text: string) => void = () => {}): Promise<void> {
  const port = client.localPort;
  let absentReads = 0;
  const entry = await awaitServerSide(
    server,
    control,
    port,
    (candidate) => {
      // Gone (the server aborted the connection) only when missing from several reads in a row.
      absentReads = candidate === undefined ? absentReads + 1 : 0;
      if (candidate === undefined) return absentReads >= READS_TO_BE_GONE;
      return (candidate.state === 'CLOSE_WAIT' && candidate.sendQueue > 0) || CLOSED_AFTER_CLOSE_WAIT.has(candidate.state);
    },
    (candidate) => `the server's side of the connection from port ${port} to be in CLOSE_WAIT with bytes of its reply in the send queue (it is ${describe(candidate)})`,
  );
  note(
    entry?.state === 'CLOSE_WAIT'
      ? `the server is writing its reply in CLOSE_WAIT: ${entry.sendQueue} bytes wait in its send queue`
      : `the server closed the connection on the client's half-close, before the reset (its side is ${describe(entry)})`,
  );
  client.reset();
}

/**
 * Waits until the server has accepted the connection from `clientPort`: its side
 * is listed, and the listening socket's accept queue is empty (the queue counts
 * connections whose handshake is done and that no accept() has taken yet).
 */
export async function awaitAccepted(server: RunningServer, control: ServerControl, clientPort: number): Promise<void> {
  let queued: number | undefined;
  let connection: TcpSocketEntry | undefined;
  await pollUntil(
    () => {
      const entries = control.tcpSockets(server.serverPort).filter((entry) => entry.localPort === server.serverPort);
      connection = entries.find((entry) => entry.remotePort === clientPort);
      queued = entries.find((entry) => entry.state === 'LISTEN')?.receiveQueue;
      return connection && queued === 0 ? true : undefined;
    },
    STATE_TIMEOUT_MS,
    () => `the server to accept the connection from port ${clientPort} (its side is ${describe(connection)}; ${queued ?? 'no'} connections wait in its accept queue)`,
  );
}

export function awaitServerSideCloseWait(server: RunningServer, control: ServerControl, clientPort: number): Promise<TcpSocketEntry | undefined> {
  return awaitServerSide(server, control, clientPort, (entry) => entry?.state === 'CLOSE_WAIT', (entry) =>
    `the server's side of the connection from port ${clientPort} to be in CLOSE_WAIT, the client's FIN received (it is ${describe(entry)})`,
  );
}

/** Waits until the server's kernel no longer lists the connection: a reset has torn it down (the descriptor may still be open). */
export async function awaitServerSideGone(server: RunningServer, control: ServerControl, clientPort: number): Promise<void> {
  let absentReads = 0;
  let last: TcpSocketEntry | undefined;
  await pollUntil(
    () => {
      last = serverSideOf(server, control, clientPort);
      absentReads = last === undefined ? absentReads + 1 : 0;
      return absentReads >= READS_TO_BE_GONE ? true : undefined;
    },
    STATE_TIMEOUT_MS,
    () => `the client's reset to tear down the server's side of the connection from port ${clientPort} (it is ${describe(last)})`,
    1,
  );
}

/**
 * Waits until the client's own kernel holds none of the bytes it sent unacknowledged:
 * the server's kernel has them all. (Not the server's receive queue: a server frozen by
 * SIGSTOP may still finish the read it was blocked in while its other threads stop.)
 */
async function awaitAllAcknowledged(client: TcpConnection, sentBytes: number): Promise<void> {
  let waiting: number | undefined;
  await pollUntil(
    () => {
      const own = client.kernelEntry();
      waiting = own?.sendQueue;
      return waiting === 0 ? true : undefined;
    },
    STATE_TIMEOUT_MS,
    () => `the server's kernel to acknowledge all ${sentBytes} bytes the client sent (${waiting ?? 'the client socket is not listed; unknown how many'} bytes wait unacknowledged)`,
  );
}

function describe(entry: TcpSocketEntry | undefined): string {
  return entry ? `${entry.state}, ${entry.receiveQueue} bytes received and unread, ${entry.sendQueue} bytes in its send queue` : 'no longer listed';
}
