import { createCipheriv, createHash, type Cipher } from 'node:crypto';
import { MiB } from '../driver/payload';
import type { TcpConnection } from '../driver/tcp-connection';
import { pollUntil } from '../driver/wait';
import type { RunningServer, ServerControl } from '../runtime/runtime';
import { NOT_RUNNING } from './held-clients';
import { describeServerExit } from './liveness';

/**
 * A client that sends far more than any socket buffer holds and reads nothing back.
 * An echo server that stops reading once it cannot write (backpressure) fills the
 * kernel's buffers on both sides and then the client's writes stop being taken; one
 * that reads on regardless holds everything it read in its own memory.
 */

const CHUNK_BYTES = MiB;
/** How long one chunk may wait for the kernel: the flood is blocked on purpose until the client reads. */
const CHUNK_TIMEOUT_MS = 60_000;
const BLOCKED_TIMEOUT_MS = 10_000;

/** The flood's bytes: a seeded AES-CTR keystream, made a chunk at a time on both sides, so neither keeps it all. */
function keystream(seed: string): Cipher {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
}

export class Flood {
  /** Bytes the kernel has taken (whole chunks whose write completed). */
  taken = 0;
  /** Set when a chunk has been handed to the socket and the kernel has not taken all of it yet. */
  writing = false;
  outcome: 'sending' | 'finished' | Error = 'sending';

  private constructor(
    readonly connection: TcpConnection,
    readonly total: number,
    private readonly seed: string,
  ) {}

  /** Starts sending `total` bytes on `connection` in chunks, each after the kernel took the last; runs on in the background. */
  static start(connection: TcpConnection, total: number, seed: string): Flood {
    const flood = new Flood(connection, total, seed);
    void flood.run();
    return flood;
  }

  private async run(): Promise<void> {
    const stream = keystream(this.seed);
    try {
      while (this.taken < this.total) {
        const chunk = stream.update(Buffer.alloc(Math.min(CHUNK_BYTES, this.total - this.taken)));
        this.writing = true;
        await this.connection.send(chunk, CHUNK_TIMEOUT_MS);
        this.writing = false;
        this.taken += chunk.length;
      }
      this.outcome = 'finished';
    } catch (error) {
      this.writing = false;
      this.outcome = error as Error;
    }
  }

  /**
   * Reads everything back and compares it with what was sent, a chunk at a time, in
   * order; throws at the first difference, or if the stream ends or stalls first.
   */
  async receiveAllBack(timeoutMs: number): Promise<void> {
    const expected = keystream(this.seed);
    for (let offset = 0; offset < this.total; ) {
      const size = Math.min(CHUNK_BYTES, this.total - offset);
      const want = expected.update(Buffer.alloc(size));
      let got: Buffer;
      try {
        got = await this.connection.receiveExactly(size, timeoutMs);
      } catch (error) {
        const sending = this.outcome instanceof Error ? `; the client's sending failed: ${this.outcome.message}` : `; the client had sent ${this.taken} of ${this.total} bytes`;
        throw new Error(`after ${offset} of ${this.total} bytes came back in order: ${(error as Error).message}${sending}`);
      }
      if (!got.equals(want)) {
        let at = 0;
        while (got[at] === want[at]) at++;
        throw new Error(`the bytes came back different from what was sent, first at byte ${offset + at} of ${this.total}`);
      }
      offset += size;
    }
  }
}

export interface BlockedFlood {
  /** 'blocked': the kernel stopped taking the client's bytes; 'finished': it took every one. */
  how: 'blocked' | 'finished';
  /** Bytes the kernel had taken from the client by then. */
  taken: number;
  /** The client's socket send queue then: bytes written and not yet acknowledged by the server. */
  clientSendQueue: number;
}

/**
 * Waits until the client's sending is blocked by the server, or has finished. Blocked
 * is three kernel facts at once, in two reads in a row: a write of the client is
 * waiting for the kernel, the client's socket runs the zero-window probe timer with
 * the same bytes queued (the server's receive buffer is full and nothing leaves it),
 * and no thread of the server is running (it is not about to read either).
 */
export async function awaitFloodBlocked(flood: Flood, server: RunningServer, control: ServerControl): Promise<BlockedFlood> {
  const { connection } = flood;
  let previousQueue: number | undefined;
  let seen = 'nothing yet';
  return pollUntil(
    () => {
      if (flood.outcome instanceof Error) throw new Error(`the client's sending failed after ${flood.taken} bytes: ${flood.outcome.message}`);
      if (server.exit) throw new Error(`the server ${describeServerExit(server)} while the client was sending`);
      if (flood.outcome === 'finished') return { how: 'finished' as const, taken: flood.taken, clientSendQueue: 0 };
      const socket = connection.kernelEntry();
      const running = control.threadStates().filter((state) => !NOT_RUNNING.has(state));
      seen = `${flood.taken} bytes taken, a write ${flood.writing ? 'waiting' : 'not waiting'}, the client's socket has ${socket?.sendQueue ?? 0} bytes queued and timer ${socket?.timer ?? 'absent'}, ${running.length} server threads running`;
      const blocked = flood.writing && socket?.timer === 'zero-window-probe' && socket.sendQueue > 0 && running.length === 0;
      const steady = blocked && socket.sendQueue === previousQueue;
      previousQueue = blocked ? socket.sendQueue : undefined;
      return steady ? { how: 'blocked' as const, taken: flood.taken, clientSendQueue: socket.sendQueue } : undefined;
    },
    BLOCKED_TIMEOUT_MS,
    () => `the client's sending to be blocked by the server or to finish (${seen})`,
  );
}
