import { TcpConnection } from '../driver/tcp-connection';
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
export async function assertStillServing(server: RunningServer, fileRoot: FileRoot): Promise<void> {
  if (server.exit) throw new Error(`the server is no longer running: it ${describeServerExit(server)}`);
  try {
    switch (server.service) {
      case 'echo':
        return await probeEcho(server);
      case 'file':
        return await probeFile(server, fileRoot);
      case 'udp-echo':
        return await probeUdpEcho(server);
      case 'http':
        return await probeHttp(server, fileRoot);
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

async function probeEcho(server: RunningServer): Promise<void> {
  const probe = Buffer.from('sockspec liveness probe\n');
  const connection = await TcpConnection.open(server.host, server.port);
  try {
    await connection.send(probe);
    const echoed = await connection.receiveExactly(probe.length);
    if (!echoed.equals(probe)) throw new Error(`the echo probe came back as ${JSON.stringify(echoed.toString('latin1'))}`);
  } finally {
    connection.close();
  }
}

async function probeUdpEcho(server: RunningServer): Promise<void> {
  await udpPingPong(server, 0, 1);
}

async function probeFile(server: RunningServer, fileRoot: FileRoot): Promise<void> {
  const reply = await fetchFile(server.host, server.port, PROBE_FILE);
  const expected = fileRoot.files.get(PROBE_FILE)!;
  if (reply.kind !== 'ok' || !reply.body.equals(expected)) {
    throw new Error(`requesting ${PROBE_FILE} gave ${describeFileReply(reply)}`);
  }
}

async function probeHttp(server: RunningServer, fileRoot: FileRoot): Promise<void> {
  const response = await exchangeHttp(server.host, server.port, httpGet(`/${PROBE_FILE}`));
  if (response.kind !== 'response' || response.status !== 200 || !response.body.equals(fileRoot.files.get(PROBE_FILE)!)) {
    throw new Error(`GET /${PROBE_FILE} gave ${describeHttpResponse(response)}`);
  }
}
