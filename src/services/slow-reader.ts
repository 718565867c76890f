import type { TcpConnection } from '../driver/tcp-connection';
import type { RunningServer, ServerControl } from '../runtime/runtime';
import { describeServerExit } from './liveness';
import { awaitServerSide, serverSideOf } from './tcp-states';

/**
 * A client that asks for a large reply and reads none of it. Once its receive
 * buffer is full it advertises a zero window: the server's kernel then holds the
 * rest of what the server wrote in the connection's send queue and runs the
 * zero-window probe timer. A server that writes the reply in its only thread is
 * stuck in that write (or its wait for the socket to become writable) from then
 * on, and nobody else is served.
 */

/** Sends `request` on `connection` without ever reading, and waits until the server can send it no more. */
export async function requestAndReadNothing(connection: TcpConnection, request: Buffer, server: RunningServer, control: ServerControl): Promise<void> {
  connection.pauseReading();
  await connection.send(request);
  await awaitServerSide(
    server,
    control,
    connection.localPort,
    (entry) => entry?.state === 'ESTABLISHED' && entry.sendQueue > 0 && entry.timer === 'zero-window-probe',
    (entry) =>
      `the server's sending on the connection from port ${connection.localPort} to back up against the client's full receive window ` +
      `(its side is ${entry ? `${entry.state}, ${entry.sendQueue} bytes queued, timer ${entry.timer}` : 'gone'})`,
  );
}

/** Why the client that reads nothing is not still connected to the server, or undefined if it is. */
export function stillConnectedProblem(connection: TcpConnection, server: RunningServer, control: ServerControl): string | undefined {
  if (server.exit) return `the server ${describeServerExit(server)}`;
  if (connection.state !== 'open') return `the client that reads nothing lost its connection: ${connection.describe()}`;
  const entry = serverSideOf(server, control, connection.localPort);
  if (entry?.state !== 'ESTABLISHED') {
    return `the server has given up the connection of the client that reads nothing (its side is ${entry?.state ?? 'gone'})`;
  }
  return undefined;
}
