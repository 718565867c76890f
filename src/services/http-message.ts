/** The requests the suite's HTTP/1.x client sends, and the responses as it reads them (http-response-reader.ts). */

/** What the framing of a response depends on in the request it answers. */
export interface RequestInfo {
  method: string;
  /** "HTTP/1.0" or "HTTP/1.1"; undefined for a request line without a version (an HTTP/0.9 Simple-Request). */
  version: string | undefined;
}

/** How a response's body was delimited (RFC 9112 section 6.3). */
export type BodyFraming = 'content-length' | 'chunked' | 'close' | 'none';

/** A response with a status line. */
export interface HttpFullResponse {
  kind: 'response';
  /** The status line's version, "HTTP/1.0" or "HTTP/1.1". */
  version: string;
  status: number;
  /** Field values by lower-case name; a field sent on several lines is joined with ", " (RFC 9110 section 5.3). */
  headers: Map<string, string>;
  /** Every header field line in order, with its name as sent. */
  fields: [string, string][];
  /** The content, with the chunked coding removed. */
  body: Buffer;
  framing: BodyFraming;
  /** The 1xx (Informational) statuses received before this, the final response. */
  interim: number[];
  /** Every byte of the response as received, interim responses included. */
  raw: Buffer;
}

export type HttpResponse =
  | HttpFullResponse
  /** An HTTP/0.9 Simple-Response (RFC 1945 section 6): the entity body alone, ended by the server's close. */
  | { kind: 'simple'; body: Buffer; raw: Buffer }
  | { kind: 'malformed'; problem: string; raw: Buffer };

/** What the reader waits for next. */
export type ReadNeed = { what: 'line' | 'end'; waitingFor: string } | { what: 'bytes'; count: number; waitingFor: string };

/** How the connection ended under the reader: orderly end-of-stream (FIN), or a reset. */
export type StreamEnding = 'closed' | 'reset';

/** A request: the request line, the header lines, each ending in CRLF, and the empty line. */
export function httpRequestLines(requestLine: string, headerLines: string[]): Buffer {
  return Buffer.from([requestLine, ...headerLines, '', ''].join('\r\n'), 'latin1');
}

export function httpRequest(method: string, path: string, version = 'HTTP/1.0', extraHeaders: string[] = []): Buffer {
  return httpRequestLines(`${method} ${path} ${version}`, ['Host: sockspec', 'User-Agent: sockspec', ...extraHeaders]);
}

export function httpGet(path: string, version = 'HTTP/1.0'): Buffer {
  return httpRequest('GET', path, version);
}

/** The method and version of a request, from its request line. */
export function requestInfo(request: Buffer): RequestInfo {
  const end = request.indexOf(0x0a);
  const line = request.toString('latin1', 0, end < 0 ? request.length : end).replace(/\r$/, '');
  const words = line.split(' ');
  return { method: words[0] ?? '', version: words.length >= 3 ? words[words.length - 1] : undefined };
}
