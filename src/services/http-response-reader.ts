import { DEFAULT_IO_TIMEOUT_MS, type TcpConnection } from '../driver/tcp-connection';
import { requestInfo, type BodyFraming, type HttpResponse, type ReadNeed, type RequestInfo, type StreamEnding } from './http-message';

/**
 * The suite's HTTP/1.x client. A response is read the way RFC 9112 section 6.3
 * delimits its body: by Content-Length (exactly that many bytes, without waiting
 * for a close), by the chunked transfer coding (decoded), or, with neither, by
 * the server closing the connection. Nothing here asks for more than the
 * standard does: what sockspec's contract adds (Content-Length on every response,
 * "Connection: close", the close itself) is checked by `profileFramingProblem`.
 */

const STATUS_LINE = /^HTTP\/(1\.[01]) (\d{3})(?: [^\r\n]*)?$/;
/** RFC 1945 section 6.1: "HTTP/" 1*DIGIT "." 1*DIGIT SP 3DIGIT tells a Full-Response from a Simple-Response. */
const STATUS_LINE_START = /^HTTP\/\d+\.\d+ \d{3}/;
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/;
const CHUNK_SIZE_LINE = /^([0-9A-Fa-f]+)[ \t]*(?:;.*)?$/;
/** A response head longer than this is taken for a server that never ends its head. */
const MAX_HEAD_BYTES = 64 * 1024;
const CRLF = Buffer.from('\r\n');

/**
 * Takes one response apart as its bytes arrive. `push` the bytes it asks for
 * (`need`), call `end` when the connection ends, and read `result` once it is set.
 * It never asks for a byte past the end of the response, except where the
 * response is ended by the close.
 */
export class HttpResponseReader {
  private state:
    | { name: 'first-line' | 'head' | 'chunk-size' | 'chunk-end' | 'trailer' | 'close' | 'simple' | 'done' }
    | { name: 'length' | 'chunk-data'; remaining: number } = { name: 'head' };
  private pending: Buffer = Buffer.alloc(0);
  private readonly rawPieces: Buffer[] = [];
  private readonly bodyPieces: Buffer[] = [];
  private bodyLength = 0;
  private headLines: string[] = [];
  private headBytes = 0;
  private head: { version: string; status: number; fields: [string, string][] } | undefined;
  private declaredLength = 0;
  private readonly interim: number[] = [];
  private ending: StreamEnding | undefined;
  private outcome: HttpResponse | undefined;
  /** Bytes pushed after the response was complete. */
  private excess = 0;

  constructor(private readonly request: RequestInfo) {
    if (request.version === undefined) this.state = { name: 'first-line' };
  }

  get result(): HttpResponse | undefined {
    return this.outcome;
  }

  /** Bytes received after the end of the response. */
  get excessBytes(): number {
    return this.excess;
  }

  get need(): ReadNeed {
    const state = this.state;
    switch (state.name) {
      case 'first-line':
        return { what: 'line', waitingFor: 'the first line of the response' };
      case 'head':
        return { what: 'line', waitingFor: this.headLines.length === 0 ? 'the status line' : 'the rest of the response head (its empty line)' };
      case 'length':
        return { what: 'bytes', count: state.remaining, waitingFor: `the rest of the body: ${state.remaining} of its Content-Length ${this.declaredLength} bytes` };
      case 'chunk-size':
        return { what: 'line', waitingFor: `the next chunk-size line of the chunked body (${this.bodyLength} bytes of content so far)` };
      case 'chunk-data':
        return { what: 'bytes', count: state.remaining, waitingFor: `the rest of a chunk (${state.remaining} bytes)` };
      case 'chunk-end':
        return { what: 'bytes', count: 2 - this.pending.length, waitingFor: 'the CRLF after a chunk' };
      case 'trailer':
        return { what: 'line', waitingFor: 'the end of the chunked body (the empty line after the last chunk)' };
      case 'close':
        return { what: 'end', waitingFor: 'the server to close the connection, which ends a body that has neither Content-Length nor chunked coding' };
      case 'simple':
        return { what: 'end', waitingFor: 'the server to close the connection, which ends an HTTP/0.9 response' };
      case 'done':
        return { what: 'end', waitingFor: 'nothing: the response is complete' };
    }
  }

  push(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.outcome) {
      this.excess += bytes.length;
      return;
    }
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    this.advance();
  }

  /** The connection ended: by an orderly close, or by a reset. */
  end(how: StreamEnding = 'closed'): void {
    if (this.outcome) return;
    this.ending = how;
    this.advance();
  }

  private take(count: number): Buffer {
    const piece = this.pending.subarray(0, count);
    this.pending = this.pending.subarray(count);
    this.rawPieces.push(piece);
    return piece;
  }

  /** The next line without its CRLF; undefined if no whole line has arrived; null if it ends in a bare LF. */
  private takeLine(): string | null | undefined {
    const lf = this.pending.indexOf(0x0a);
    if (lf < 0) return undefined;
    if (lf === 0 || this.pending[lf - 1] !== 0x0d) {
      this.fail(`a line of the response ends in a bare LF, not CRLF: ${JSON.stringify(this.pending.toString('latin1', 0, Math.min(lf + 1, 60)))}`);
      return null;
    }
    return this.take(lf + 1).toString('latin1', 0, lf - 1);
  }

  private get received(): number {
    return this.rawPieces.reduce((total, piece) => total + piece.length, 0) + this.pending.length;
  }

  private rawBytes(): Buffer {
    return Buffer.concat([...this.rawPieces, this.pending]);
  }

  private fail(problem: string): void {
    this.outcome = { kind: 'malformed', problem, raw: this.rawBytes() };
    this.pending = Buffer.alloc(0);
    this.state = { name: 'done' };
  }

  private finish(response: HttpResponse): void {
    this.outcome = response;
    this.excess += this.pending.length;
    this.pending = Buffer.alloc(0);
    this.state = { name: 'done' };
  }

  private finishFull(framing: BodyFraming): void {
    const head = this.head!;
    const headers = new Map<string, string>();
    for (const [name, value] of head.fields) {
      const key = name.toLowerCase();
      headers.set(key, headers.has(key) ? `${headers.get(key)}, ${value}` : value);
    }
    this.finish({
      kind: 'response',
      version: `HTTP/${head.version}`,
      status: head.status,
      headers,
      fields: head.fields,
      body: Buffer.concat(this.bodyPieces, this.bodyLength),
      framing,
      interim: [...this.interim],
      raw: Buffer.concat(this.rawPieces),
    });
  }

  private addBody(piece: Buffer): void {
    this.bodyPieces.push(piece);
    this.bodyLength += piece.length;
  }

  private advance(): void {
    for (;;) {
      const state = this.state;
      switch (state.name) {
        case 'done':
          return;
        case 'first-line': {
          // The answer to a Simple-Request: a status line, or an HTTP/0.9 body with none.
          const lf = this.pending.indexOf(0x0a);
          if (lf < 0 && !this.ending) return;
          if (this.pending.length === 0) {
            return this.fail(`the server ${this.ending === 'reset' ? 'reset' : 'closed'} the connection without sending a response`);
          }
          const firstLine = this.pending.toString('latin1', 0, lf < 0 ? this.pending.length : lf);
          this.state = { name: STATUS_LINE_START.test(firstLine) ? 'head' : 'simple' };
          continue;
        }
        case 'simple':
        case 'close': {
          if (this.pending.length > 0) this.addBody(this.take(this.pending.length));
          if (!this.ending) return;
          if (this.ending === 'reset') {
            this.fail(`the connection was reset before the server closed it, so the ${this.bodyLength}-byte body it ends may be cut short (RFC 9112 section 8: complete "unless an error was indicated by the underlying connection")`);
            return;
          }
          if (state.name === 'simple') this.finish({ kind: 'simple', body: Buffer.concat(this.bodyPieces, this.bodyLength), raw: Buffer.concat(this.rawPieces) });
          else this.finishFull('close');
          return;
        }
        case 'head': {
          if (this.headLines.length === 0 && this.pending.length > 0) {
            const lf = this.pending.indexOf(0x0a);
            const first = this.pending.toString('latin1', 0, lf < 0 ? this.pending.length : lf).replace(/\r$/, '');
            if ((lf >= 0 || this.ending) && first !== '' && !first.startsWith('HTTP/')) {
              return this.fail(`the response does not begin with a status line: its first line is ${JSON.stringify(first.slice(0, 60))}`);
            }
          }
          const line = this.takeLine();
          if (line === null) return;
          if (line === undefined) {
            if (this.pending.length + this.headBytes > MAX_HEAD_BYTES) return this.fail(`the response head is longer than ${MAX_HEAD_BYTES} bytes`);
            if (!this.ending) return;
            return this.fail(
              this.received === 0
                ? `the server ${this.ending === 'reset' ? 'reset' : 'closed'} the connection without sending a response`
                : `the connection ${this.ending === 'reset' ? 'was reset' : 'ended'} before the empty line that ends the response head`,
            );
          }
          this.headBytes += line.length + 2;
          if (line !== '') {
            this.headLines.push(line);
            continue;
          }
          if (this.headLines.length === 0) return this.fail('the response starts with an empty line instead of a status line');
          this.endOfHead();
          continue;
        }
        case 'length': {
          const piece = this.take(Math.min(state.remaining, this.pending.length));
          this.addBody(piece);
          const remaining = state.remaining - piece.length;
          if (remaining === 0) return this.finishFull('content-length');
          this.state = { name: 'length', remaining };
          if (this.ending) return this.fail(`Content-Length ${this.declaredLength}, but ${this.bodyLength} bytes of body came before end-of-stream`);
          return;
        }
        case 'chunk-size': {
          const line = this.takeLine();
          if (line === null) return;
          if (line === undefined) return this.ending ? this.fail(`the connection ended inside the chunked body, after ${this.bodyLength} bytes of content, before its last chunk`) : undefined;
          const size = CHUNK_SIZE_LINE.exec(line);
          if (!size || size[1].length > 12) return this.fail(`chunk-size line ${JSON.stringify(line.slice(0, 60))} is not a hexadecimal size`);
          const count = parseInt(size[1], 16);
          this.state = count === 0 ? { name: 'trailer' } : { name: 'chunk-data', remaining: count };
          continue;
        }
        case 'chunk-data': {
          const piece = this.take(Math.min(state.remaining, this.pending.length));
          this.addBody(piece);
          const remaining = state.remaining - piece.length;
          this.state = remaining === 0 ? { name: 'chunk-end' } : { name: 'chunk-data', remaining };
          if (remaining === 0) continue;
          if (this.ending) return this.fail(`the connection ended inside a chunk, after ${this.bodyLength} bytes of content`);
          return;
        }
        case 'chunk-end': {
          if (this.pending.length < 2) return this.ending ? this.fail('the connection ended before the CRLF that ends a chunk') : undefined;
          if (!this.take(2).equals(CRLF)) return this.fail('a chunk\'s data is not followed by CRLF: the chunk is longer than its size says');
          this.state = { name: 'chunk-size' };
          continue;
        }
        case 'trailer': {
          const line = this.takeLine();
          if (line === null) return;
          if (line === undefined) return this.ending ? this.fail('the connection ended in the trailer section, before the empty line that ends the chunked body') : undefined;
          if (line === '') return this.finishFull('chunked');
          if (!HEADER_LINE.test(line)) return this.fail(`trailer line ${JSON.stringify(line.slice(0, 60))} is not "Name: value"`);
          continue;
        }
      }
    }
  }

  /** The empty line has arrived: parse the head and decide how the body is delimited (RFC 9112 section 6.3). */
  private endOfHead(): void {
    const [statusLine, ...fieldLines] = this.headLines;
    this.headLines = [];
    const status = STATUS_LINE.exec(statusLine);
    if (!status) return this.fail(`status line ${JSON.stringify(statusLine.slice(0, 60))} is not "HTTP/1.x <code> <reason>"`);
    const fields: [string, string][] = [];
    for (const line of fieldLines) {
      if (/^[ \t]/.test(line)) {
        // obs-fold: a user agent "MUST replace each received obs-fold with one or more SP octets" (RFC 9112 section 5.2).
        const previous = fields[fields.length - 1];
        if (!previous) return this.fail(`the first header line ${JSON.stringify(line.slice(0, 60))} starts with whitespace`);
        previous[1] = `${previous[1]} ${line.trim()}`.trim();
        continue;
      }
      const field = HEADER_LINE.exec(line);
      if (!field) return this.fail(`header line ${JSON.stringify(line.slice(0, 60))} is not "Name: value"`);
      fields.push([field[1], field[2]]);
    }
    const code = Number(status[2]);
    if (code >= 100 && code < 200 && code !== 101) {
      // An interim response; the final one follows (RFC 9110 section 15.2: a client "MUST be able to parse one or more 1xx responses").
      this.interim.push(code);
      this.headBytes = 0;
      return;
    }
    this.head = { version: status[1], status: code, fields };
    const values = (name: string) => fields.filter(([field]) => field.toLowerCase() === name).map(([, value]) => value);

    // RFC 9112 section 6.3, rule 1: no body after HEAD, 1xx, 204 and 304, whatever the fields say.
    if (this.request.method === 'HEAD' || code < 200 || code === 204 || code === 304) return this.finishFull('none');

    const transferEncoding = values('transfer-encoding');
    const contentLength = values('content-length');
    if (transferEncoding.length > 0) {
      if (status[1] === '1.0') return this.fail('an HTTP/1.0 response carries Transfer-Encoding, which RFC 9112 section 6.1 makes faulty framing ("MUST treat the message as if the framing is faulty")');
      if (this.request.version !== 'HTTP/1.1') {
        return this.fail('Transfer-Encoding in the response to a request that is not HTTP/1.1 (RFC 9112 section 6.1: "A server MUST NOT send a response containing Transfer-Encoding unless the corresponding request indicates HTTP/1.1")');
      }
      if (contentLength.length > 0) {
        return this.fail('the response carries both Transfer-Encoding and Content-Length (RFC 9112 section 6.2: "A sender MUST NOT send a Content-Length header field in any message that contains a Transfer-Encoding header field")');
      }
      const codings = transferEncoding.flatMap((value) => value.split(',')).map((coding) => coding.trim().toLowerCase()).filter(Boolean);
      const other = codings.filter((coding) => coding !== 'chunked');
      if (other.length > 0) return this.fail(`Transfer-Encoding ${JSON.stringify(codings.join(', '))}: sockspec sends no TE field, so it offered no transfer coding but chunked (RFC 9110 section 10.1.4)`);
      if (codings.length !== 1) return this.fail(`Transfer-Encoding ${JSON.stringify(codings.join(', '))} applies chunked more than once (RFC 9112 section 7: "A sender MUST NOT apply the chunked transfer coding more than once")`);
      this.state = { name: 'chunk-size' };
      return;
    }
    if (contentLength.length > 0) {
      // Rule 5: an invalid Content-Length is an unrecoverable error, unless it is a list of one repeated valid value.
      const lengths = contentLength.flatMap((value) => value.split(',')).map((value) => value.trim());
      if (!lengths.every((value) => /^\d{1,15}$/.test(value)) || new Set(lengths.map(Number)).size !== 1) {
        return this.fail(`Content-Length is ${JSON.stringify(contentLength.join(', '))}, not one decimal length (RFC 9112 section 6.3: an invalid Content-Length is an unrecoverable error)`);
      }
      this.declaredLength = Number(lengths[0]);
      if (this.declaredLength === 0) return this.finishFull('content-length');
      this.state = { name: 'length', remaining: this.declaredLength };
      return;
    }
    // Rule 8: "the message body length is determined by the number of octets received prior to the server closing the connection."
    this.state = { name: 'close' };
  }
}

/**
 * Takes apart a whole exchange: everything the server sent up to its
 * end-of-stream. Bytes after the end of the response make it malformed, since
 * only one request was sent.
 */
export function parseHttpResponse(raw: Buffer, request: RequestInfo = { method: 'GET', version: 'HTTP/1.0' }): HttpResponse {
  const reader = new HttpResponseReader(request);
  reader.push(raw);
  reader.end('closed');
  const response = reader.result!;
  if (reader.excessBytes > 0 && response.kind === 'response') {
    const end = response.framing === 'content-length' ? `its Content-Length ${response.body.length}` : response.framing === 'chunked' ? 'its last chunk' : 'its head';
    return { kind: 'malformed', problem: `${reader.excessBytes} more bytes came after ${end}, before end-of-stream`, raw };
  }
  return response;
}

/**
 * Reads one response to `request` from the connection, never a byte past it
 * (except where the close ends the body). Throws when the server sends nothing
 * more for `timeoutMs`.
 */
export async function readHttpResponse(connection: TcpConnection, request: Buffer | RequestInfo, timeoutMs = DEFAULT_IO_TIMEOUT_MS): Promise<HttpResponse> {
  const reader = new HttpResponseReader(Buffer.isBuffer(request) ? requestInfo(request) : request);
  for (let result = reader.result; !result; result = reader.result) {
    const need = reader.need;
    try {
      if (need.what === 'line') reader.push(Buffer.from(await connection.receiveLine(timeoutMs), 'latin1'));
      else if (need.what === 'bytes') reader.push(await connection.receiveExactly(need.count, timeoutMs));
      else {
        reader.push(await connection.receiveUntilEnd(timeoutMs));
        reader.end('closed');
      }
    } catch (error) {
      if (connection.state === 'open') {
        throw new Error(`no complete HTTP response: ${(error as Error).message}, while waiting for ${need.waitingFor}`);
      }
      // The connection ended (or was reset) before what was asked for: the reader judges what came.
      reader.push(await connection.receiveUntilClosed(timeoutMs));
      reader.end(connection.state === 'ended' ? 'closed' : 'reset');
    }
  }
  return reader.result!;
}
