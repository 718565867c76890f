/**
 * Checks of single HTTP responses against RFC 9110 and sockspec's contract
 * (docs/contract.md, http) that the steps of features/web-page.feature name:
 * the Allow field of a 405, the body of an error reply, the head a HEAD gets,
 * and what the server does when a client leaves in the middle of its head.
 */
import type { TcpConnection } from '../driver/tcp-connection';
import { awaitServerClose, connectionOptions, describeHttpResponse, mediaType, type AfterResponse } from './http-exchange';
import { requestInfo, type HttpResponse } from './http-message';
import { parseHttpResponse } from './http-response-reader';

/**
 * The methods an Allow field value lists (RFC 9110 section 10.2.1:
 * `Allow = #method`, a comma-separated list with optional whitespace; empty
 * list elements do not count, section 5.6.1). Method names are case-sensitive
 * (section 9.1), so they are kept as sent.
 */
export function allowedMethods(value: string): string[] {
  return value.split(',').map((method) => method.trim()).filter(Boolean);
}

/** What is wrong with the Allow field of a 405 (RFC 9110 section 15.5.6); undefined if it names GET and HEAD. */
export function allowProblem(response: HttpResponse, required: string[] = ['GET', 'HEAD']): string | undefined {
  if (response.kind !== 'response') return `the server sent ${describeHttpResponse(response)}`;
  // Several Allow lines are one list (RFC 9110 section 5.3): the reader joins them with ", ".
  const value = response.headers.get('allow');
  if (value === undefined) return `the ${response.status} carries no Allow header (RFC 9110 section 15.5.6: "The origin server MUST generate an Allow header field in a 405 response")`;
  const methods = allowedMethods(value);
  const missing = required.filter((method) => !methods.includes(method));
  if (missing.length > 0) return `Allow is ${JSON.stringify(value)}: it does not name ${missing.join(' and ')} (method names are case-sensitive, RFC 9110 section 9.1)`;
  return undefined;
}

const ERROR_BODY_TYPES = ['text/plain', 'text/html'];

/**
 * What is wrong with an error reply's body by the contract ("Error replies
 * carry a short text/plain or text/html body, with its Content-Length");
 * undefined if nothing. The reader delimits the body by Content-Length, so a
 * complete body is exactly that long.
 */
export function errorBodyProblem(response: HttpResponse): string | undefined {
  if (response.kind !== 'response') return `the server sent ${describeHttpResponse(response)}`;
  if (response.framing !== 'content-length') return `the body is not delimited by Content-Length: ${describeHttpResponse(response)}`;
  if (response.body.length === 0) return `the ${response.status} has an empty body (Content-Length: ${response.headers.get('content-length')})`;
  const type = mediaType(response);
  if (!type || !ERROR_BODY_TYPES.includes(type)) return `the ${response.status}'s body is typed ${JSON.stringify(response.headers.get('content-type') ?? 'nothing')}, not text/plain or text/html`;
  return undefined;
}

/**
 * What is wrong, by the contract, with the head a HEAD request got, next to
 * the response the same GET gets: the same status, Content-Length the length
 * of that GET's body, its Content-Type, "Connection: close", no content after
 * the head, and a graceful close. Undefined if nothing.
 */
export function headContractProblem(head: HttpResponse, after: AfterResponse, get: HttpResponse): string | undefined {
  if (get.kind !== 'response') return `the GET it is compared with got ${describeHttpResponse(get)}`;
  if (head.kind !== 'response') return `the HEAD request got ${describeHttpResponse(head)}`;
  if (head.status !== get.status) return `HEAD got status ${head.status}, but GET got ${get.status}`;
  const lengths = head.fields.filter(([name]) => name.toLowerCase() === 'content-length').map(([, value]) => value.trim());
  if (lengths.length !== 1) return `the HEAD response carries ${lengths.length} Content-Length lines, not one`;
  if (lengths[0] !== String(get.body.length)) return `HEAD declares Content-Length ${lengths[0]}, but the GET's body is ${get.body.length} bytes`;
  if (mediaType(head) !== mediaType(get)) return `HEAD declares Content-Type ${JSON.stringify(head.headers.get('content-type') ?? 'nothing')}, but the GET got ${JSON.stringify(get.headers.get('content-type') ?? 'nothing')}`;
  if (!connectionOptions(head).includes('close')) return `expected "Connection: close", but the Connection header is ${JSON.stringify(head.headers.get('connection') ?? 'missing')}`;
  if (after.trailing.length > 0) return `${after.trailing.length} bytes followed the head of the HEAD response: ${JSON.stringify(after.trailing.subarray(0, 40).toString('latin1'))}`;
  if (after.ending === 'reset') return 'the server reset the connection after the HEAD response instead of closing it';
  if (after.ending === 'open') return 'the server did not close the connection after the HEAD response';
  return undefined;
}

/**
 * What is wrong with what the server sent to a client that half-closed in the
 * middle of its request head: a 400 or nothing at all, then a graceful close.
 * `response` is what the bytes the server sent before its close make up
 * (undefined when it sent none).
 */
export function incompleteHeadProblem(response: HttpResponse | undefined, after: AfterResponse): string | undefined {
  if (after.ending === 'open') return 'the server neither answered nor closed the connection after the client ended its side in the middle of the request head';
  if (after.ending === 'reset') return 'the server reset the connection instead of closing it';
  if (response === undefined) return undefined;
  if (response.kind !== 'response' || response.status !== 400) return `expected 400 or no reply, but the server sent ${describeHttpResponse(response)}`;
  return undefined;
}

/**
 * Sends the request line and the first header line of `request` (not the
 * empty line that would end its head), ends the client's side, and collects
 * what the server sends until it closes: the response those bytes make up
 * (undefined if none) and how the connection ended.
 */
export async function sendIncompleteHead(connection: TcpConnection, request: Buffer): Promise<{ response: HttpResponse | undefined; after: AfterResponse }> {
  const secondLineEnd = request.indexOf('\n', request.indexOf('\n') + 1);
  await connection.send(request.subarray(0, secondLineEnd + 1));
  await connection.halfClose();
  const after = await awaitServerClose(connection);
  return { response: after.trailing.length > 0 ? parseHttpResponse(after.trailing, requestInfo(request)) : undefined, after };
}
