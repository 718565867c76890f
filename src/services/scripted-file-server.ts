import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { onCleanup } from '../cleanup';
import { pause, withTimeout } from '../driver/wait';

/** How the file server sockspec plays for client scenarios answers a request. */
export type ServerScript =
  | 'serves the file'
  | 'sends its reply one byte per segment'
  | 'answers ERR NOT_FOUND'
  | 'closes the connection halfway through the file'
  | 'resets the connection halfway through the file'
  | 'never answers'
  | 'sends the file one byte every 300 ms'
  | 'declares a size that is not a number'
  | 'declares a size with letters after its digits';

export const SERVER_SCRIPTS: readonly ServerScript[] = [
  'serves the file',
  'sends its reply one byte per segment',
  'answers ERR NOT_FOUND',
  'closes the connection halfway through the file',
  'resets the connection halfway through the file',
  'never answers',
  'sends the file one byte every 300 ms',
  'declares a size that is not a number',
  'declares a size with letters after its digits',
];

const REQUEST_LINE_LIMIT = 1024;
const TRICKLE_INTERVAL_MS = 5;
/** A slow server's pace: each gap is well inside a 1000 ms timeout, the whole reply far beyond it. */
const SLOW_TRICKLE_INTERVAL_MS = 300;

/**
 * A file-service server on loopback that misbehaves on purpose, one script per
 * scenario, to see how a target's client copes. It serves the fixture files
 * by name (an unknown name gets ERR NOT_FOUND) and records what the client did.
 */
export class ScriptedFileServer {
  /** The request lines received, without their newline. */
  readonly requests: string[] = [];
  /** Every byte each connection's client sent, in the order of the connections. */
  private readonly sent: Buffer[][] = [];
  private readonly lifetimes: Promise<number>[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly forgetCleanup: () => void;

  private constructor(
    private readonly server: Server,
    private readonly script: ServerScript,
    private readonly files: ReadonlyMap<string, Buffer>,
  ) {
    this.forgetCleanup = onCleanup(() => this.destroyAll());
    server.on('connection', (socket) => this.serve(socket));
  }

  static async start(script: ServerScript, files: ReadonlyMap<string, Buffer>, host = '127.0.0.1'): Promise<ScriptedFileServer> {
    // allowHalfOpen: a client's end-of-stream must not end our side before the script says so.
    const server = createServer({ allowHalfOpen: true });
    const scripted = new ScriptedFileServer(server, script, files);
    server.listen(0, host);
    await withTimeout(once(server, 'listening'), 5000, `the scripted file server to listen on ${host}`);
    return scripted;
  }

  get port(): number {
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('the scripted file server is not listening');
    return address.port;
  }

  /**
   * Milliseconds from accepting the first connection to the client closing it
   * (end-of-stream, reset or close, whichever comes first).
   */
  async firstConnectionLifetime(timeoutMs: number): Promise<number> {
    if (this.lifetimes.length === 0) throw new Error('the client never connected to the scripted file server');
    return withTimeout(this.lifetimes[0], timeoutMs, 'the client to close its connection');
  }

  /** Every byte the client sent on the first connection, once it has closed it (end-of-stream, reset or close). */
  async firstConnectionBytes(timeoutMs: number): Promise<Buffer> {
    await this.firstConnectionLifetime(timeoutMs);
    return Buffer.concat(this.sent[0]!);
  }

  close(): void {
    this.forgetCleanup();
    this.destroyAll();
  }

  private destroyAll(): void {
    this.server.close();
    for (const socket of this.sockets) socket.destroy();
  }

  private serve(socket: Socket): void {
    const acceptedAt = performance.now();
    this.sockets.add(socket);
    this.lifetimes.push(
      new Promise((resolveLifetime) => {
        const closedByClient = (): void => resolveLifetime(performance.now() - acceptedAt);
        socket.once('end', closedByClient);
        socket.once('error', closedByClient);
        socket.once('close', closedByClient);
      }),
    );
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    const sent: Buffer[] = [];
    this.sent.push(sent);
    socket.on('data', (chunk: Buffer) => sent.push(chunk));
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const newline = received.indexOf(0x0a);
      if (newline < 0 && received.length < REQUEST_LINE_LIMIT) return;
      socket.off('data', onData);
      const name = received.subarray(0, newline < 0 ? received.length : newline).toString('latin1');
      this.requests.push(name);
      // Whatever the client sends after its request is read and dropped, so our close never turns into a reset by accident.
      socket.resume();
      const contents = this.files.get(name);
      if (!contents) {
        socket.end(`ERR NOT_FOUND no fixture file ${JSON.stringify(name)}\n`);
        return;
      }
      void this.reply(socket, contents).catch(() => socket.destroy());
    };
    socket.on('data', onData);
  }

  private async reply(socket: Socket, contents: Buffer): Promise<void> {
    const header = Buffer.from(`OK ${contents.length}\n`);
    const half = contents.subarray(0, contents.length >> 1);
    switch (this.script) {
      case 'serves the file':
        socket.end(Buffer.concat([header, contents]));
        return;
      case 'sends its reply one byte per segment':
        return this.sendBytewise(socket, Buffer.concat([header, contents]), TRICKLE_INTERVAL_MS);
      case 'answers ERR NOT_FOUND':
        socket.end('ERR NOT_FOUND no such file\n');
        return;
      case 'closes the connection halfway through the file':
        socket.end(Buffer.concat([header, half]));
        return;
      case 'resets the connection halfway through the file':
        await write(socket, Buffer.concat([header, half]));
        socket.resetAndDestroy();
        return;
      case 'never answers':
        // The client's own timeout has to end this; its end-of-stream is answered with ours.
        socket.once('end', () => socket.end());
        return;
      case 'sends the file one byte every 300 ms':
        await write(socket, header);
        return this.sendBytewise(socket, contents, SLOW_TRICKLE_INTERVAL_MS);
      case 'declares a size that is not a number':
        socket.end(Buffer.concat([Buffer.from('OK lots\n'), contents]));
        return;
      case 'declares a size with letters after its digits':
        // What atoi, strtol without an end check, sscanf("%d") and parseInt all take for the size.
        socket.end(Buffer.concat([Buffer.from(`OK ${contents.length}abc\n`), contents]));
        return;
    }
  }

  /**
   * A trickling server: each byte goes out in a segment of its own (Nagle's
   * algorithm off), intervalMs after the previous one (a few milliseconds for
   * the one-byte segments, 300 ms for the slow server). A client blocked
   * in recv() wakes within microseconds of a segment's arrival, so each recv()
   * returns one byte. (Confirming each read in the kernel's tables was tried:
   * reading /proc/net/tcp costs tens of milliseconds per byte on a busy machine.)
   */
  private async sendBytewise(socket: Socket, reply: Buffer, intervalMs: number): Promise<void> {
    socket.setNoDelay(true);
    for (const byte of reply) {
      await write(socket, Buffer.of(byte));
      await pause(intervalMs);
    }
    socket.end();
  }
}

function write(socket: Socket, data: Buffer): Promise<void> {
  return new Promise((resolveWrite, rejectWrite) => socket.write(data, (error) => (error ? rejectWrite(error) : resolveWrite())));
}

/** A loopback port that refuses connections: one the kernel just handed out and that was closed again. */
export async function portWithNoListener(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await withTimeout(once(server, 'listening'), 5000, `a free port on ${host}`);
  const { port } = server.address() as { port: number };
  await new Promise((resolveClose) => server.close(resolveClose));
  return port;
}
