import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KiB, seededBytes } from '../driver/payload';
import type { TcpConnection } from '../driver/tcp-connection';
import type { RunningServer, ServerControl } from '../runtime/runtime';
import { describeServerExit } from './liveness';
import { serverSideOf } from './tcp-states';

/**
 * Exchanges of the file service that probe how a server ends a connection: what it
 * does with input that arrives after its reply, and how long it waits for a client
 * that never closes.
 */

/** How much the client takes from the kernel between two looks at the server's side. */
const READ_STEP_BYTES = 64 * KiB;
const QUEUED_REPLY_TIMEOUT_MS = 20_000;
/** States of the server's side once it has shut down its sending side (or gone): its whole reply is queued. */
const SENDING_SHUT_DOWN = new Set(['FIN_WAIT1', 'FIN_WAIT2', 'CLOSING']);

/**
 * With the client's reading paused, takes the reply a step at a time until the kernel
 * lists the server's side of the connection as having sent (or queued) its FIN: the
 * server has handed the whole reply to its kernel and shut down its sending side, and
 * most of the reply still waits in its send queue. Returns the state seen (or "gone").
 */
export async function readUntilServerShutsDownSending(client: TcpConnection, server: RunningServer, control: ServerControl): Promise<string> {
  client.pauseReading();
  const deadline = Date.now() + QUEUED_REPLY_TIMEOUT_MS;
  for (;;) {
    if (server.exit) throw new Error(`the server ${describeServerExit(server)} while sending its reply`);
    const side = serverSideOf(server, control, client.localPort);
    if (!side) return 'gone';
    if (SENDING_SHUT_DOWN.has(side.state)) return side.state;
    if (Date.now() > deadline) {
      throw new Error(`the server never shut down its sending side within ${QUEUED_REPLY_TIMEOUT_MS} ms (its side is ${side.state}); ${client.describe()}`);
    }
    const target = client.totalReceived + READ_STEP_BYTES;
    client.resumeReading();
    try {
      await client.awaitTotalReceived(target);
    } finally {
      client.pauseReading();
    }
  }
}

/**
 * A file in the served root that belongs to one scenario, so that changing it
 * disturbs no other scenario (the root is shared by every scenario of a process).
 */
export class ScenarioFile {
  readonly path: string;
  readonly original: Buffer;

  constructor(root: string, readonly name: string, size: number) {
    this.path = join(root, name);
    this.original = seededBytes(size, name);
    writeFileSync(this.path, this.original);
  }

  append(bytes: Buffer): void {
    appendFileSync(this.path, bytes);
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}
