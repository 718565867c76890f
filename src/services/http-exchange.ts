import { TcpConnection } from '../driver/tcp-connection';
import type { Transcript } from '../driver/transcript';

/** An HTTP response as the client saw it, up to the server's end-of-stream. */
export type HttpResponse =
  | { kind: 'response'; status: number; headers: Map<string, string>; body: Buffer; raw: Buffer }
  | { kind: 'malformed'; problem: string; raw: Buffer };

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: [^\r\n]*)?$/;
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/;
const HEAD_END = Buffer.from('\r\n\r\n');

export function httpGet(path: string, version = 'HTTP/1.0'): Buffer {
  return httpRequest('GET', path, version);
}

export function httpRequest(method: string, path: string, version = 'HTTP/1.0', extraHeaders: string[] = []): Buffer {
  return Buffer.from([`${method} ${path} ${version}`, 'Host: sockspec', 'User-Agent: sockspec', ...extraHeaders, '', ''].join('\r\n'), 'latin1');
}

/**
 * Reads a whole response: the body must be exactly Content-Length bytes, since
 * the server closes the connection after it (Connection: close).
 */
export function parseHttpResponse(raw: Buffer): HttpResponse {
  const headEnd = raw.indexOf(HEAD_END);
  if (headEnd < 0) return { kind: 'malformed', problem: 'no empty line ends the response head', raw };
  const [statusLine, ...headerLines] = raw.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = STATUS_LINE.exec(statusLine);
  if (!status) return { kind: 'malformed', problem: `status line ${JSON.stringify(statusLine.slice(0, 60))} is not "HTTP/1.x <code> <reason>"`, raw };
  const headers = new Map<string, string>();
  for (const line of headerLines) {
    const header = HEADER_LINE.exec(line);
    if (!header) return { kind: 'malformed', problem: `header line ${JSON.stringify(line.slice(0, 60))} is not "Name: value"`, raw };
    headers.set(header[1].toLowerCase(), header[2]);
  }
  const body = raw.subarray(headEnd + HEAD_END.length);
  const declared = headers.get('content-length');
  if (declared === undefined || !/^\d+$/.test(declared)) return { kind: 'malformed', problem: `Content-Length is ${declared === undefined ? 'missing' : JSON.stringify(declared)}`, raw };
  if (Number(declared) !== body.length) return { kind: 'malformed', problem: `Content-Length ${declared}, but ${body.length} bytes of body came before end-of-stream`, raw };
  return { kind: 'response', status: Number(status[1]), headers, body, raw };
}

/** The media type without parameters: "text/html; charset=utf-8" is text/html. */
export function mediaType(response: HttpResponse & { kind: 'response' }): string | undefined {
  return response.headers.get('content-type')?.split(';')[0].trim().toLowerCase();
}

/** One line for failure messages: what the server actually answered. */
export function describeHttpResponse(response: HttpResponse): string {
  if (response.kind === 'malformed') {
    return `a malformed response (${response.problem}); first bytes ${JSON.stringify(response.raw.subarray(0, 60).toString('latin1'))}`;
  }
  const type = response.headers.get('content-type') ?? 'no Content-Type';
  return `${response.status} (${type}, ${response.body.length} bytes of body)`;
}

/** Sends one request on a new connection and reads the response up to the server's end-of-stream. */
export async function exchangeHttp(host: string, port: number, request: Buffer, timeoutMs?: number, transcript?: Transcript): Promise<HttpResponse> {
  const connection = await TcpConnection.open(host, port, timeoutMs, undefined, transcript);
  try {
    await connection.send(request);
    return parseHttpResponse(await connection.receiveUntilEnd(timeoutMs));
  } finally {
    connection.close();
  }
}
