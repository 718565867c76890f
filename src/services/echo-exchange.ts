import { TcpConnection } from '../driver/tcp-connection';
import { describeDifference } from '../driver/payload';
import type { Transcript } from '../driver/transcript';

/** One echo client's whole exchange: connect, send, half-close, read everything back up to end-of-stream. */
export async function echoExchange(host: string, port: number, payload: Buffer, timeoutMs?: number, transcript?: Transcript): Promise<Buffer> {
  const connection = await TcpConnection.open(host, port, timeoutMs, undefined, transcript);
  try {
    const [, received] = await Promise.all([
      connection.send(payload, timeoutMs).then(() => connection.halfClose(timeoutMs)),
      connection.receiveUntilEnd(timeoutMs),
    ]);
    return received;
  } finally {
    connection.close();
  }
}

/** Throws "<who>: expected N bytes …, got M …" when the echo differs from what was sent. */
export function assertSameBytes(who: string, sent: Buffer, received: Buffer): void {
  const difference = describeDifference(sent, received);
  if (difference) throw new Error(`${who}: ${difference}`);
}
