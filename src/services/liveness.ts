import { TcpConnection } from '../driver/tcp-connection';
import type { Transcript } from '../driver/transcript';
import type { FileRoot } from '../fixtures/file-root';
import type { RunningServer } from '../runtime/runtime';
import { describeExit } from '../runtime/runtime';
import { describeFileReply, fetchFile } from './file-protocol';
import { describeHttpResponse, exchangeHttp, httpGet } from './http-exchange';
import { udpPingPong } from './udp-echo-exchange';

const PROBE_FILE = 'hello.txt';

/**
 * Checks that a server is still running and still serves a fresh client correctly;
 * throws an error saying what went wrong otherwise. Every scenario ends with it.
 */
export async function assertStillServing(server: RunningServer, fileRoot: FileRoot, transcript?: Transcript): Promise<void> {
  if (server.exit) throw new Error(`the server is no longer running: it ${describeServerExit(server)}`);
  transcript?.note('liveness check: a fresh client asks the server for the service once more');
  try {
    switch (server.service) {
      case 'echo':
        return await probeEcho(server, transcript);
      case 'file':
        return await probeFile(server, fileRoot, transcript);
      case 'udp-echo':
        return await probeUdpEcho(server, transcript);
      case 'http':
        return await probeHttp(server, fileRoot, transcript);
    }
  } catch (error) {
    const exited = server.exit ? `; the server ${describeServerExit(server)}` : '';
    throw new Error(`the server no longer serves a fresh client: ${(error as Error).message}${exited}`);
  }
}

export function describeServerExit(server: RunningServer): string {
  if (!server.exit) return 'is running';
  const stderr = server.stderrTail();
  return `exited (${describeExit(server.exit)})${stderr ? `; its stderr ends: ${stderr.split('\n').join(' | ')}` : ''}`;
}

async function probeEcho(server: RunningServer, transcript: Transcript | undefined): Promise<void> {
  const probe = Buffer.from('sockspec liveness probe\n');
  const connection = await TcpConnection.open(server.host, server.port, undefined, undefined, transcript);
  try {
    await connection.send(probe);
    const echoed = await connection.receiveExactly(probe.length);
    if (!echoed.equals(probe)) throw new Error(`the echo probe came back as ${JSON.stringify(echoed.toString('latin1'))}`);
  } finally {
    connection.close();
  }
}

async function probeUdpEcho(server: RunningServer, transcript: Transcript | undefined): Promise<void> {
  await udpPingPong(server, 0, 1, undefined, transcript);
}

async function probeFile(server: RunningServer, fileRoot: FileRoot, transcript: Transcript | undefined): Promise<void> {
  const reply = await fetchFile(server.host, server.port, PROBE_FILE, undefined, transcript);
  const expected = fileRoot.files.get(PROBE_FILE)!;
  if (reply.kind !== 'ok' || !reply.body.equals(expected)) {
    throw new Error(`requesting ${PROBE_FILE} gave ${describeFileReply(reply)}`);
  }
}

async function probeHttp(server: RunningServer, fileRoot: FileRoot, transcript: Transcript | undefined): Promise<void> {
  const response = await exchangeHttp(server.host, server.port, httpGet(`/${PROBE_FILE}`), undefined, transcript);
  if (response.kind !== 'response' || response.status !== 200 || !response.body.equals(fileRoot.files.get(PROBE_FILE)!)) {
    throw new Error(`GET /${PROBE_FILE} gave ${describeHttpResponse(response)}`);
  }
}
