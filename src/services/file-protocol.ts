import { TcpConnection } from '../driver/tcp-connection';
import type { Transcript } from '../driver/transcript';

/** The file service's answer as the client saw it. */
export type FileReply =
  | { kind: 'ok'; declaredSize: number; body: Buffer; raw: Buffer }
  | { kind: 'err'; code: string; text: string; raw: Buffer }
  | { kind: 'malformed'; problem: string; raw: Buffer };

const OK_HEADER = /^OK (\d+)\n/;
const ERR_LINE = /^ERR ([A-Z_]+)(?: ([^\n]*))?\n$/;

export function parseFileReply(raw: Buffer): FileReply {
  const newline = raw.indexOf(0x0a);
  if (newline < 0) return { kind: 'malformed', problem: 'no newline-terminated status line', raw };
  const statusLine = raw.subarray(0, newline + 1).toString('latin1');
  const ok = OK_HEADER.exec(statusLine);
  if (ok) {
    const declaredSize = Number(ok[1]);
    const body = raw.subarray(newline + 1);
    if (body.length !== declaredSize) {
      return { kind: 'malformed', problem: `declared ${declaredSize} bytes but sent ${body.length}`, raw };
    }
    return { kind: 'ok', declaredSize, body, raw };
  }
  const err = ERR_LINE.exec(statusLine);
  if (err && newline === raw.length - 1) return { kind: 'err', code: err[1], text: err[2] ?? '', raw };
  if (err) return { kind: 'malformed', problem: `sent ${raw.length - newline - 1} bytes after the ERR line`, raw };
  return { kind: 'malformed', problem: `status line ${JSON.stringify(statusLine.slice(0, 60))} is neither "OK <size>" nor "ERR <CODE> <text>"`, raw };
}

/** One line of the reply for failure messages: what the server actually said. */
export function describeFileReply(reply: FileReply): string {
  switch (reply.kind) {
    case 'ok':
      return `OK ${reply.declaredSize} with ${reply.body.length} bytes`;
    case 'err':
      return `ERR ${reply.code} ${reply.text}`.trim();
    case 'malformed':
      return `a malformed reply (${reply.problem}); first bytes ${JSON.stringify(reply.raw.subarray(0, 40).toString('latin1'))}`;
  }
}

export function fileRequest(name: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from(name), Buffer.from('\n')]);
}

/** Asks for one file on a new connection and reads the whole reply up to the server's end-of-stream. */
export async function fetchFile(host: string, port: number, name: string, timeoutMs?: number, transcript?: Transcript): Promise<FileReply> {
  const connection = await TcpConnection.open(host, port, timeoutMs, undefined, transcript);
  try {
    await connection.send(fileRequest(name));
    return parseFileReply(await connection.receiveUntilEnd(timeoutMs));
  } finally {
    connection.close();
  }
}

/**
 * A relative name of exactly `length` bytes that names nothing under the root: folders
 * of 63 characters each (well under NAME_MAX), so that the only thing unusual about
 * it is its length, and the lookup fails with ENOENT, not ENAMETOOLONG.
 */
export function missingNameOfLength(length: number): string {
  const folder = 'no-such-folder-'.padEnd(63, 'x');
  let name = '';
  while (name.length < length) name += name.length === 0 ? folder : `/${folder}`;
  name = name.slice(0, length);
  // A trailing "/" would make it a folder's name; end in a letter instead.
  return name.endsWith('/') ? `${name.slice(0, -1)}z` : name;
}
