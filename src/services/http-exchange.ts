import { DEFAULT_IO_TIMEOUT_MS, TcpConnection } from '../driver/tcp-connection';
import type { Transcript } from '../driver/transcript';
import type { HttpFullResponse, HttpResponse, StreamEnding } from './http-message';
import { readHttpResponse } from './http-response-reader';

// The client's messages and reader, for the steps and the liveness probe.
export * from './http-message';
export * from './http-response-reader';

/** What the server did after a response: the bytes it sent next, and whether it closed the connection. */
export interface AfterResponse {
  trailing: Buffer;
  /** 'open': the server neither closed nor reset the connection within the wait. */
  ending: StreamEnding | 'open';
}

const afterResponses = new WeakMap<TcpConnection, Promise<AfterResponse>>();

/**
 * Waits (up to `timeoutMs`) for the server to close the connection after the
 * response just read, and collects what it sent meanwhile. Asked again for the
 * same connection, it gives the same answer.
 */
export function awaitServerClose(connection: TcpConnection, timeoutMs = DEFAULT_IO_TIMEOUT_MS): Promise<AfterResponse> {
  let after = afterResponses.get(connection);
  if (!after) {
    after = observeClose(connection, timeoutMs);
    afterResponses.set(connection, after);
  }
  return after;
}

async function observeClose(connection: TcpConnection, timeoutMs: number): Promise<AfterResponse> {
  try {
    return { trailing: await connection.receiveUntilEnd(timeoutMs), ending: 'closed' };
  } catch {
    if (connection.state !== 'open') {
      const trailing = await connection.receiveUntilClosed(timeoutMs);
      return { trailing, ending: connection.state === 'ended' ? 'closed' : 'reset' };
    }
    // Still open: take what has arrived (the connection gives out only counted bytes, so one at a time).
    const pieces: Buffer[] = [];
    for (let taken = 0; taken < 1024 * 1024; taken++) {
      try {
        pieces.push(await connection.receiveExactly(1, 1));
      } catch {
        break;
      }
    }
    return { trailing: Buffer.concat(pieces), ending: 'open' };
  }
}

/** The response with the bytes that came after it counted in its `raw` (for checks over everything the server sent). */
export function withTrailingBytes(response: HttpResponse, after: AfterResponse): HttpResponse {
  return after.trailing.length === 0 ? response : { ...response, raw: Buffer.concat([response.raw, after.trailing]) };
}

/** The media type without parameters: "text/html; charset=utf-8" is text/html. */
export function mediaType(response: HttpFullResponse): string | undefined {
  return response.headers.get('content-type')?.split(';')[0].trim().toLowerCase();
}

/** The connection options of a message: the Connection field's tokens, lower-case. */
export function connectionOptions(response: HttpFullResponse): string[] {
  return (response.headers.get('connection') ?? '').split(',').map((token) => token.trim().toLowerCase()).filter(Boolean);
}

/**
 * Why the connection will not carry another request after this response, per
 * RFC 9112 section 9.3 (and a body ended by the close ends the connection too);
 * undefined if it persists.
 */
export function whyNotPersistent(response: HttpFullResponse): string | undefined {
  const options = connectionOptions(response);
  if (options.includes('close')) return 'the response carries "Connection: close"';
  if (response.version === 'HTTP/1.0' && !options.includes('keep-alive')) return 'the response is HTTP/1.0 without the "keep-alive" connection option, so "the connection will close after the current response"';
  if (response.framing === 'close') return 'the response has neither Content-Length nor chunked coding, so only the close can end it';
  return undefined;
}

/**
 * What is wrong with a response by sockspec's contract (http: every reply has
 * an exact Content-Length, optionally "Connection: close", and the server then
 * closes gracefully); undefined if nothing.
 */
export function profileFramingProblem(response: HttpResponse, after: AfterResponse, options: { connectionClose: boolean }): string | undefined {
  return profileHeadProblem(response, options) ?? profileCloseProblem(after);
}

/** The part of `profileFramingProblem` the response itself shows, before waiting for the close. */
export function profileHeadProblem(response: HttpResponse, { connectionClose }: { connectionClose: boolean }): string | undefined {
  if (response.kind !== 'response') return `the server sent ${describeHttpResponse(response)}`;
  const lengths = response.fields.filter(([name]) => name.toLowerCase() === 'content-length');
  if (lengths.length === 0 || response.framing !== 'content-length') {
    return `the response has no Content-Length to delimit it (its body is delimited by ${response.framing === 'chunked' ? 'the chunked coding' : response.framing === 'close' ? 'the close' : 'nothing'})`;
  }
  if (lengths.length > 1) return `the response carries ${lengths.length} Content-Length lines`;
  if (connectionClose && !connectionOptions(response).includes('close')) {
    return `expected "Connection: close", but the Connection header is ${JSON.stringify(response.headers.get('connection') ?? 'missing')}`;
  }
  return undefined;
}

/** The part of `profileFramingProblem` that comes after the response: nothing more, then a graceful close. */
export function profileCloseProblem(after: AfterResponse): string | undefined {
  if (after.trailing.length > 0) {
    return `${after.trailing.length} more bytes came after the Content-Length bytes of the body: ${JSON.stringify(after.trailing.subarray(0, 40).toString('latin1'))}`;
  }
  if (after.ending === 'reset') return 'the server reset the connection after the response instead of closing it';
  if (after.ending === 'open') return 'the server did not close the connection after the response';
  return undefined;
}

/**
 * What is wrong with the answer to a HEAD request, next to the answer to the
 * same request made with GET (RFC 9110 sections 9.3.2 and 8.6); undefined if nothing.
 */
export function headResponseProblem(head: HttpResponse, after: AfterResponse, get: HttpResponse): string | undefined {
  if (get.kind !== 'response') return `the GET it is compared with got ${describeHttpResponse(get)}`;
  if (head.kind !== 'response') return `the HEAD request got ${describeHttpResponse(head)}`;
  if (head.status !== get.status) return `HEAD got status ${head.status}, but GET got ${get.status}`;
  const declared = head.headers.get('content-length');
  if (declared !== undefined && !(/^\d+$/.test(declared) && Number(declared) === get.body.length)) {
    return `HEAD declares Content-Length ${declared}, but the GET's content is ${get.body.length} bytes (RFC 9110 section 8.6: it MUST be the length a GET would have sent)`;
  }
  if (after.trailing.length > 0) {
    return `${after.trailing.length} bytes followed the head of the HEAD response: ${JSON.stringify(after.trailing.subarray(0, 40).toString('latin1'))}`;
  }
  return undefined;
}

/** One line for failure messages: what the server actually answered. */
export function describeHttpResponse(response: HttpResponse): string {
  if (response.kind === 'malformed') {
    return `a malformed response (${response.problem}); first bytes ${JSON.stringify(response.raw.subarray(0, 60).toString('latin1'))}`;
  }
  if (response.kind === 'simple') {
    return `an HTTP/0.9 response: ${response.body.length} bytes with no status line, then the close; first bytes ${JSON.stringify(response.body.subarray(0, 40).toString('latin1'))}`;
  }
  const type = response.headers.get('content-type') ?? 'no Content-Type';
  const framing = { 'content-length': 'by Content-Length', chunked: 'chunked', close: 'ended by the close', none: 'no body' }[response.framing];
  return `${response.status} (${type}, ${response.body.length} bytes of body, ${framing})`;
}

/** Sends one request on a new connection and reads its response (without waiting for a close the response does not need). */
export async function exchangeHttp(host: string, port: number, request: Buffer, timeoutMs?: number, transcript?: Transcript): Promise<HttpResponse> {
  const connection = await TcpConnection.open(host, port, timeoutMs, undefined, transcript);
  try {
    await connection.send(request);
    return await readHttpResponse(connection, request, timeoutMs);
  } finally {
    connection.close();
  }
}

/** Two requests on one connection: the second is sent only if the first response leaves the connection open. */
export interface PersistenceTrial {
  first: HttpResponse;
  /** Why no second request was sent, when it was not. */
  notSent?: string;
  second?: HttpResponse;
}

export async function twoRequestsOnOneConnection(connection: TcpConnection, first: Buffer, second: Buffer, timeoutMs?: number): Promise<PersistenceTrial> {
  await connection.send(first);
  const firstResponse = await readHttpResponse(connection, first, timeoutMs);
  if (firstResponse.kind !== 'response') return { first: firstResponse, notSent: `the first request got ${describeHttpResponse(firstResponse)}` };
  const why = whyNotPersistent(firstResponse);
  if (why) return { first: firstResponse, notSent: why };
  try {
    await connection.send(second);
  } catch (error) {
    return { first: firstResponse, notSent: `sending the second request failed: ${(error as Error).message}` };
  }
  return { first: firstResponse, second: await readHttpResponse(connection, second, timeoutMs) };
}
