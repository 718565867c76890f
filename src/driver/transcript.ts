import { createHash, type Hash } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/** The first line of every transcript; how reports tell a transcript from other attachments. */
export const TRANSCRIPT_HEADING = 'Socket transcript (client side)';

const EXCERPT_BYTES = 32;
// A benchmark or a flood of clients must not grow the transcript without bound: past
// this many lines only the per-socket totals are kept, and the transcript says so.
const MAX_EVENTS = 400;

type DataKind = 'sent' | 'received';

interface TranscriptEvent {
  atMs: number;
  socket: number;
  text: string;
  /** Consecutive writes (or reads) on one socket merge into one line: a count, not a line per chunk. */
  data?: { kind: DataKind; bytes: number; chunks: number; peer?: string };
}

/** Bytes in one direction of one socket: the count, a running digest and the first bytes. */
class DirectionTally {
  bytes = 0;
  chunks = 0;
  private readonly hash: Hash = createHash('sha256');
  private excerpt = Buffer.alloc(0);

  add(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    this.chunks += 1;
    this.hash.update(chunk);
    if (this.excerpt.length < EXCERPT_BYTES) {
      this.excerpt = Buffer.concat([this.excerpt, chunk.subarray(0, EXCERPT_BYTES - this.excerpt.length)]);
    }
  }

  describe(kind: DataKind, socketKind: 'tcp' | 'udp'): string {
    if (this.bytes === 0) return `${kind} nothing`;
    const unit = socketKind === 'udp' ? 'datagram' : kind === 'sent' ? 'write' : 'read';
    const digest = this.hash.copy().digest('hex');
    const more = this.bytes > this.excerpt.length ? ' ...' : '';
    return `${kind} ${plural(this.bytes, 'byte')} in ${plural(this.chunks, unit)}, sha256 ${digest}, first bytes: ${hexExcerpt(this.excerpt)}${more}`;
  }
}

/** One socket's part of the transcript; the driver reports what happens on the wire to it. */
export class SocketRecorder {
  private readonly sent = new DirectionTally();
  private readonly received = new DirectionTally();

  constructor(
    private readonly transcript: Transcript,
    readonly id: number,
    readonly kind: 'tcp' | 'udp',
  ) {}

  note(text: string): void {
    this.transcript.add(this.id, text);
  }

  sentBytes(chunk: Uint8Array, peer?: string): void {
    this.sent.add(chunk);
    this.transcript.addData(this.id, 'sent', chunk.length, peer);
  }

  receivedBytes(chunk: Uint8Array, peer?: string): void {
    this.received.add(chunk);
    this.transcript.addData(this.id, 'received', chunk.length, peer);
  }

  error(what: string, error: NodeJS.ErrnoException): void {
    this.note(`${what}: ${error.code ?? 'no errno'} (${error.message})`);
  }

  totals(): string {
    return `#${this.id} ${this.kind}: ${this.sent.describe('sent', this.kind)}\n     ${' '.repeat(String(this.id).length + this.kind.length)}${this.received.describe('received', this.kind)}`;
  }
}

/**
 * What one scenario did on the wire, from the client's side: connects with their
 * addresses, bytes each way, half-closes, end-of-stream, resets and errors by errno
 * name, each with its time since the scenario began. Cheap enough to leave on for a
 * gigabyte transfer: data is counted and digested, and only the first bytes are kept.
 */
export class Transcript {
  private readonly startedAt = performance.now();
  private readonly events: TranscriptEvent[] = [];
  private readonly sockets: SocketRecorder[] = [];
  private droppedEvents = 0;

  socket(kind: 'tcp' | 'udp'): SocketRecorder {
    const recorder = new SocketRecorder(this, this.sockets.length + 1, kind);
    this.sockets.push(recorder);
    return recorder;
  }

  /** A line about no socket in particular, such as the server the scenario started. */
  note(text: string): void {
    this.add(0, text);
  }

  add(socket: number, text: string): void {
    this.push({ atMs: this.elapsedMs(), socket, text });
  }

  addData(socket: number, kind: DataKind, bytes: number, peer?: string): void {
    const last = this.events.at(-1);
    if (last?.data && last.socket === socket && last.data.kind === kind && last.data.peer === peer && this.droppedEvents === 0) {
      last.data.bytes += bytes;
      last.data.chunks += 1;
      return;
    }
    this.push({ atMs: this.elapsedMs(), socket, text: '', data: { kind, bytes, chunks: 1, peer } });
  }

  get isEmpty(): boolean {
    return this.events.length === 0;
  }

  render(): string {
    const lines = [`${TRANSCRIPT_HEADING}; times in ms since the scenario started`];
    for (const event of this.events) {
      const who = event.socket === 0 ? '  ' : `#${event.socket}`;
      lines.push(`${event.atMs.toFixed(1).padStart(9)} ${who} ${event.data ? describeData(event.data) : event.text}`);
    }
    if (this.droppedEvents > 0) lines.push(`          (${this.droppedEvents} later events left out; the totals below count everything)`);
    if (this.sockets.length > 0) lines.push('Totals:', ...this.sockets.map((socket) => `  ${socket.totals()}`));
    return `${lines.join('\n')}\n`;
  }

  private push(event: TranscriptEvent): void {
    if (this.events.length >= MAX_EVENTS) {
      this.droppedEvents += 1;
      return;
    }
    this.events.push(event);
  }

  private elapsedMs(): number {
    return performance.now() - this.startedAt;
  }
}

function describeData({ kind, bytes, chunks, peer }: NonNullable<TranscriptEvent['data']>): string {
  const unit = peer ? 'datagram' : kind === 'sent' ? 'write' : 'read';
  const where = peer ? (kind === 'sent' ? ` to ${peer}` : ` from ${peer}`) : '';
  return `${kind} ${plural(bytes, 'byte')} (${plural(chunks, unit)})${where}`;
}

const plural = (count: number, unit: string): string => `${count} ${unit}${count === 1 ? '' : 's'}`;

function hexExcerpt(bytes: Buffer): string {
  return bytes.toString('hex').replace(/(..)(?!$)/g, '$1 ');
}

export const formatAddress = (host: string | undefined, port: number | undefined): string =>
  host?.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
