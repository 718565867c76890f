import { readSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { readOwnTcpSockets, readTcpSockets, type TcpSocketEntry, type TcpTable } from '../kernel/proc-net';
import { formatAddress, type SocketRecorder, type Transcript } from './transcript';
import { pause, pollUntil, scaled, withTimeout } from './wait';

export const DEFAULT_IO_TIMEOUT_MS = 5000;
const READ_BUFFER_BYTES = 64 * 1024;
const KEEP_READ_AS_IS_BYTES = 16 * 1024;
const KERNEL_TABLE_READS = 3;

export type ConnectionState = 'open' | 'ended' | 'reset' | 'failed' | 'closed';

/** Why a connection attempt did not produce a connection. */
export class ConnectError extends Error {
  constructor(
    readonly code: string,
    readonly elapsedMs: number,
    detail: string,
  ) {
    super(`connect failed with ${code} after ${elapsedMs.toFixed(1)} ms: ${detail}`);
    this.name = 'ConnectError';
  }
}

interface Waiter {
  satisfied: () => boolean;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * One client connection, seen from the client's side. It counts every byte received
 * and how the stream ended (end-of-stream, reset, error) so steps can state exactly
 * what the socket saw when an expectation fails.
 */
export class TcpConnection {
  /** Bytes received and not yet taken by a receive call; taken bytes are dropped, so a long transfer keeps only what is pending. */
  private unread: Buffer[] = [];
  private receivedLength = 0;
  private consumed = 0;
  private waiters: Waiter[] = [];
  state: ConnectionState = 'open';
  error: NodeJS.ErrnoException | undefined;
  /** Set when the kernel, not Node, revealed a reset: what the kernel's table showed. */
  private resetEvidence: string | undefined;
  /** Resolves once the socket is fully closed, both directions, whatever the reason. */
  readonly closed: Promise<void>;

  /** Read once at connect: Node forgets the addresses of a socket whose both sides have ended. */
  readonly localPort: number;
  readonly remotePort: number;
  /** Where the kernel lists this socket: an IPv6 socket (v4-mapped too) is in tcp6. */
  private readonly kernelTable: TcpTable;

  private closedHere = false;

  private constructor(
    private readonly socket: Socket,
    private readonly recorder: SocketRecorder | undefined,
  ) {
    this.localPort = socket.localPort ?? 0;
    this.remotePort = socket.remotePort ?? 0;
    this.kernelTable = socket.localFamily === 'IPv6' ? 'tcp6' : 'tcp';
    this.closed = new Promise((resolveClosed) => socket.once('close', () => resolveClosed()));
    socket.setNoDelay(true);
    socket.on('end', () => {
      if (this.state === 'open') {
        this.resetEvidence = this.kernelSawReset();
        this.state = this.resetEvidence ? 'reset' : 'ended';
        if (this.resetEvidence) this.error = Object.assign(new Error(this.resetEvidence), { code: 'ECONNRESET' });
        this.recorder?.note(this.resetEvidence ? `reset by the peer: ECONNRESET (${this.resetEvidence})` : 'end-of-stream: the peer closed its sending side (FIN)');
      }
      // What Node would do without allowHalfOpen: answer the peer's FIN with ours.
      socket.end();
      this.settleWaiters();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.recorder?.error(error.code === 'ECONNRESET' ? 'reset by the peer' : 'socket error', error);
      this.error = error;
      this.state = error.code === 'ECONNRESET' ? 'reset' : 'failed';
      this.settleWaiters();
    });
    socket.on('close', () => this.markClosedHere());
  }

  /** Connects, or rejects with a ConnectError carrying the errno name and how long the attempt took. */
  static open(host: string, port: number, unscaledTimeoutMs = DEFAULT_IO_TIMEOUT_MS, signal?: AbortSignal, transcript?: Transcript, localPort?: number): Promise<TcpConnection> {
    const timeoutMs = scaled(unscaledTimeoutMs);
    const started = performance.now();
    const recorder = transcript?.socket('tcp');
    recorder?.note(`connecting to ${formatAddress(host, port)}`);
    return new Promise((resolveOpen, rejectOpen) => {
      // The signal destroys the socket whenever it fires, also after the connection is made.
      let connection: TcpConnection | undefined;
      const socket = connect({
        host,
        port,
        signal,
        // From a port of the caller's: libuv binds it with SO_REUSEADDR.
        ...(localPort === undefined ? {} : { localAddress: host, localPort }),
        // Our side stays open at end-of-stream until the kernel has been asked how the peer closed.
        allowHalfOpen: true,
        // With a read buffer of its own, pause() really stops reading from the kernel
        // (plain sockets keep reading into the stream's buffer), so "the client reads
        // nothing" means the bytes wait in the kernel's receive queue.
        // A fresh buffer for every read, so a large read is kept as it is, never copied
        // (a shared one would have to be); small reads are copied out, so that a
        // byte-at-a-time stream does not hold a whole read buffer per byte.
        onread: {
          buffer: () => Buffer.allocUnsafe(READ_BUFFER_BYTES),
          callback: (bytes: number, buffer: Uint8Array) => {
            const view = Buffer.from(buffer.buffer, buffer.byteOffset, bytes);
            connection?.onBytes(bytes >= KEEP_READ_AS_IS_BYTES ? view : Buffer.from(view));
            return true; // false would pause reading
          },
        },
      });
      const timer = setTimeout(() => {
        socket.destroy();
        recorder?.note(`connect failed: ETIMEDOUT, no answer within ${timeoutMs} ms`);
        rejectOpen(new ConnectError('ETIMEDOUT', performance.now() - started, `no answer from ${host}:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        recorder?.note(
          `connected ${formatAddress(socket.localAddress, socket.localPort)} -> ${formatAddress(socket.remoteAddress, socket.remotePort)} in ${(performance.now() - started).toFixed(1)} ms`,
        );
        connection = new TcpConnection(socket, recorder);
        resolveOpen(connection);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        recorder?.error(`connect failed after ${(performance.now() - started).toFixed(1)} ms`, error);
        rejectOpen(new ConnectError(error.code ?? 'EUNKNOWN', performance.now() - started, error.message));
      });
    });
  }


  /**
   * Resolves once the kernel has taken the bytes (not when the peer has read them).
   * A peer that stops reading fills both sockets' buffers, and then nothing more is taken:
   * that is a timeout naming the bytes, not a hang.
   */
  send(data: Buffer | string, timeoutMs = DEFAULT_IO_TIMEOUT_MS): Promise<void> {
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    this.recorder?.sentBytes(typeof data === 'string' ? Buffer.from(data) : data);
    const taken = new Promise<void>((resolveSend, rejectSend) => {
      this.socket.write(data, (error) => {
        if (!error) return resolveSend();
        const code = (error as NodeJS.ErrnoException).code ?? error.message;
        this.recorder?.note(`sending ${size} bytes failed: ${code}`);
        rejectSend(new Error(`sending ${size} bytes failed (${code}); ${this.describe()}`));
      });
    });
    return withTimeout(taken, timeoutMs, `the kernel to take ${size} bytes to send (does the peer read?)`);
  }

  /** Sends `data` as `pieces` separate writes with a pause between them, so each leaves as its own segment. */
  async sendInPieces(data: Buffer, pieces: number, pauseMs: number): Promise<void> {
    const size = Math.ceil(data.length / pieces);
    for (let offset = 0; offset < data.length; offset += size) {
      if (offset > 0) await pause(pauseMs);
      await this.send(data.subarray(offset, offset + size));
    }
  }

  /** Shuts down the sending side (FIN); the receiving side stays open. */
  halfClose(timeoutMs = DEFAULT_IO_TIMEOUT_MS): Promise<void> {
    this.recorder?.note('half-close: this client shut down its sending side (FIN)');
    // The FIN leaves after every byte still waiting to be sent, so this too waits on the peer's reading.
    return withTimeout(new Promise((resolveEnd) => this.socket.end(resolveEnd)), timeoutMs, 'the bytes before the half-close to be sent');
  }

  private onBytes(chunk: Buffer): void {
    this.unread.push(chunk);
    this.receivedLength += chunk.length;
    this.recorder?.receivedBytes(chunk);
    this.settleWaiters();
  }

  /** Stops taking bytes from the kernel: they wait in the socket's receive queue until `resumeReading`. */
  pauseReading(): void {
    this.recorder?.note('stopped reading: bytes now wait in the kernel receive queue');
    this.socket.pause();
  }

  resumeReading(): void {
    this.recorder?.note('resumed reading');
    this.socket.resume();
  }

  /** Waits until the kernel holds bytes for this socket that it has not read (while reading is paused). */
  async awaitQueuedBytes(timeoutMs = DEFAULT_IO_TIMEOUT_MS): Promise<void> {
    await pollUntil(
      () => (readOwnTcpSockets(this.localPort, this.kernelTable).some((entry) => entry.localPort === this.localPort && entry.remotePort === this.remotePort && entry.receiveQueue > 0) ? true : undefined),
      timeoutMs,
      'bytes to arrive in the socket\'s receive queue',
    );
  }

  /** Aborts with a reset (RST) instead of an orderly close. */
  reset(): void {
    if (!this.closedHere) this.recorder?.note('reset by this client (RST)');
    this.closedHere = true;
    this.socket.resetAndDestroy();
    this.markClosedHere();
  }

  close(): void {
    if (!this.closedHere) this.recorder?.note(`closed by this client (${this.describe()})`);
    this.closedHere = true;
    this.socket.destroy();
    this.markClosedHere();
  }

  private markClosedHere(): void {
    if (this.state === 'open') this.state = 'closed';
    this.settleWaiters();
  }

  /** The next `count` bytes, once they have arrived. */
  async receiveExactly(count: number, timeoutMs = DEFAULT_IO_TIMEOUT_MS): Promise<Buffer> {
    await this.waitFor(() => this.receivedLength - this.consumed >= count, `${count} bytes`, timeoutMs);
    return this.take(count);
  }

  /** Everything from here to the peer's end-of-stream; fails if the stream is reset or times out first. */
  async receiveUntilEnd(timeoutMs = DEFAULT_IO_TIMEOUT_MS): Promise<Buffer> {
    await this.waitFor(() => this.state === 'ended', 'end-of-stream', timeoutMs);
    return this.take(this.receivedLength - this.consumed);
  }

  /** Everything from here until the stream ends in any way (end, reset, error), without failing on a reset. */
  async receiveUntilClosed(timeoutMs = DEFAULT_IO_TIMEOUT_MS): Promise<Buffer> {
    await this.waitFor(() => this.state !== 'open', 'the connection to close', timeoutMs);
    return this.take(this.receivedLength - this.consumed);
  }

  /** One line, up to and including its newline, once it has arrived. */
  async receiveLine(timeoutMs = DEFAULT_IO_TIMEOUT_MS): Promise<string> {
    await this.waitFor(() => this.pending().includes(0x0a), 'a newline-terminated line', timeoutMs);
    return this.take(this.pending().indexOf(0x0a) + 1).toString('latin1');
  }

  /** A one-line account of the connection's state, for failure messages. */
  describe(): string {
    const kernelEvidence = this.resetEvidence ? `: ${this.resetEvidence}` : '';
    const how = {
      open: 'still open',
      ended: 'ended by end-of-stream',
      reset: `reset by the peer (ECONNRESET${kernelEvidence})`,
      failed: `failed (${this.error?.code ?? this.error?.message})`,
      closed: 'closed by this client',
    }[this.state];
    return `received ${this.receivedLength} bytes in total; connection ${how}`;
  }

  /**
   * Node (libuv) can report a reset as a plain end-of-stream: after a short read it
   * takes the hang-up for end-of-stream without reading again, so the pending
   * ECONNRESET is never read. Returns why it was a reset, if it was one.
   */
  private kernelSawReset(): string | undefined {
    if (process.platform !== 'linux') return undefined;
    if (this.socket.writableEnded) {
      // After our own FIN, only the socket can tell: the kernel's table loses an orderly
      // connection too (LAST_ACK ends once our FIN is acknowledged, and RFC 1337's
      // TIME-WAIT assassination kills a TIME_WAIT entry, seen under load). A read
      // returns 0 once the peer's FIN has arrived, and the reset's error otherwise.
      const ending = this.readEnding();
      if (ending === 'fin') return undefined;
      if (ending === 'reset') return 'Node reported end-of-stream, but a read of the socket fails with ECONNRESET: the peer reset it without a FIN';
    }
    // Before our FIN, a connection the peer ended with FIN stays listed (CLOSE_WAIT)
    // until we close it; one torn down by a reset (even right after its FIN) is gone.
    // The kernel writes its table out a page at a time while sockets change state, so
    // one read can miss a socket that is there: only a socket missing from three reads is gone.
    let listed = '';
    for (let read = 0; read < KERNEL_TABLE_READS; read++) {
      const tables = read === 0 ? readOwnTcpSockets(this.localPort, this.kernelTable) : readTcpSockets(process.pid, this.localPort, [this.kernelTable]);
      const sameLocalPort = tables.filter((candidate) => candidate.localPort === this.localPort);
      const entry = sameLocalPort.find((candidate) => candidate.remotePort === this.remotePort);
      if (entry && entry.state !== 'CLOSE') return undefined;
      listed = sameLocalPort.map((candidate) => `${candidate.state} to port ${candidate.remotePort}`).join(', ') || 'nothing';
    }
    return `Node reported end-of-stream, but the kernel no longer lists the socket from port ${this.localPort} to port ${this.remotePort} in an orderly state (on port ${this.localPort} it lists ${listed}), which only a reset does`;
  }

  /** This connection's own socket as the harness's kernel lists it (queues, state, timer); undefined once it is gone. */
  kernelEntry(): TcpSocketEntry | undefined {
    return readTcpSockets(process.pid, this.localPort).find((entry) => entry.localPort === this.localPort && entry.remotePort === this.remotePort);
  }

  /**
   * How a read of the socket says the stream ended: 0 bytes once the peer's FIN has
   * arrived, ECONNRESET after a reset that came without one; undefined if it says
   * neither (no descriptor, or any other answer), and then the table decides.
   */
  private readEnding(): 'fin' | 'reset' | undefined {
    const fd = (this.socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    if (fd === undefined || fd < 0) return undefined;
    try {
      return readSync(fd, Buffer.alloc(1), 0, 1, null) === 0 ? 'fin' : undefined;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ECONNRESET' ? 'reset' : undefined;
    }
  }

  private pending(): Buffer {
    if (this.unread.length > 1) this.unread = [Buffer.concat(this.unread, this.receivedLength - this.consumed)];
    return this.unread[0] ?? Buffer.alloc(0);
  }

  private take(count: number): Buffer {
    const all = this.pending();
    const piece = all.subarray(0, count);
    this.unread = all.length > count ? [all.subarray(count)] : [];
    this.consumed += count;
    return piece;
  }

  private waitFor(satisfied: () => boolean, what: string, unscaledTimeoutMs: number): Promise<void> {
    const timeoutMs = scaled(unscaledTimeoutMs);
    if (satisfied()) return Promise.resolve();
    if (this.state !== 'open') return Promise.reject(new Error(`expected ${what}, but ${this.describe()}`));
    return new Promise((resolveWait, rejectWait) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== entry);
        this.recorder?.note(`timed out after ${timeoutMs} ms waiting for ${what}`);
        rejectWait(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${this.describe()}`));
      }, timeoutMs);
      const entry: Waiter = {
        satisfied: () => {
          if (satisfied()) return true;
          if (this.state !== 'open') throw new Error(`expected ${what}, but ${this.describe()}`);
          return false;
        },
        resolve: () => {
          clearTimeout(timer);
          resolveWait();
        },
        reject: (error) => {
          clearTimeout(timer);
          rejectWait(error);
        },
      };
      this.waiters.push(entry);
    });
  }

  private settleWaiters(): void {
    this.waiters = this.waiters.filter((waiter) => {
      try {
        if (!waiter.satisfied()) return true;
        waiter.resolve();
      } catch (error) {
        waiter.reject(error as Error);
      }
      return false;
    });
  }

  /** How many bytes have arrived on this connection so far, taken by a receive call or not. */
  get totalReceived(): number {
    return this.receivedLength;
  }

  /** Resolves once `total` bytes in all have arrived on this connection; fails if the stream ends or stalls first. */
  async awaitTotalReceived(total: number, timeoutMs = DEFAULT_IO_TIMEOUT_MS): Promise<void> {
    await this.waitFor(() => this.receivedLength >= total, `${total} bytes in all to arrive`, timeoutMs);
  }
}
