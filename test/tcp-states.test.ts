import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { TcpConnection } from '../src/driver/tcp-connection';
import { pollUntil } from '../src/driver/wait';
import { ProcControl } from '../src/runtime/proc-control';
import type { RunningServer } from '../src/runtime/runtime';
import { awaitServerSideTimeWait, serverSideOf } from '../src/services/tcp-states';
import { holdPort, killTimeWaitEntry } from './helpers';

// The server runs in this process, so this process's /proc shows its side of each connection.
const control = new ProcControl(() => process.pid, { freeze: async () => {}, thaw: async () => {} });

/** A server that replies and closes first, so its side of each connection ends in TIME_WAIT. */
async function repliesAndClosesFirst() {
  const server = createServer((socket) => socket.end('reply\n'));
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const port = (server.address() as AddressInfo).port;
  return { server, running: { serverPort: port } as RunningServer, port };
}

async function fetchReply(port: number, localPort?: number): Promise<TcpConnection> {
  const client = await TcpConnection.open('127.0.0.1', port, undefined, undefined, undefined, localPort);
  await client.receiveUntilEnd();
  return client;
}

describe("the server's side of a finished connection", () => {
  it('is found in TIME_WAIT once both FINs are through', async () => {
    const { server, running, port } = await repliesAndClosesFirst();
    const client = await fetchReply(port);
    assert.equal(await awaitServerSideTimeWait(running, control, client.localPort), true);
    client.close();
    server.close();
  });

  it('is reported as dropped, not waited for, once a reset has killed its TIME_WAIT entry', async () => {
    const { server, running, port } = await repliesAndClosesFirst();
    // The client's port is bound again to kill the entry: it stays held until then.
    const clientPort = await holdPort();
    const client = await fetchReply(port, clientPort.port);
    await pollUntil(() => (serverSideOf(running, control, client.localPort)?.state === 'TIME_WAIT' ? true : undefined), 5000, "the server's side to reach TIME_WAIT");
    client.close();
    await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    await killTimeWaitEntry(client.localPort, port, () => serverSideOf(running, control, client.localPort) === undefined);
    const started = Date.now();
    assert.equal(await awaitServerSideTimeWait(running, control, client.localPort), false);
    assert.ok(Date.now() - started < 1000, 'a dropped entry is reported at once, not after the 5 s wait');
  });
});
