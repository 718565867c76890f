import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConnectError, TcpConnection } from '../src/driver/tcp-connection';
import { pollUntil } from '../src/driver/wait';
import { readTcpSockets } from '../src/kernel/proc-net';
import { holdPort, killTimeWaitEntry } from './helpers';

/** A loopback server whose behaviour each test chooses by the first line it sends. */
let server: Server;
let port: number;
const behaviours: Record<string, (socket: Socket) => void> = {
  'echo-then-close': (socket) => socket.end('hello\nworld\n'),
  'reset': (socket) => socket.resetAndDestroy(),
  'silent': () => {},
  'segments': (socket) => {
    socket.write('one ');
    setImmediate(() => socket.end('two\n'));
  },
};

before(async () => {
  server = createServer((socket) => {
    socket.once('data', (chunk) => behaviours[chunk.toString().trim()]?.(socket));
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  port = (server.address() as AddressInfo).port;
});
after(() => server.close());

async function ask(behaviour: string): Promise<TcpConnection> {
  const connection = await TcpConnection.open('127.0.0.1', port);
  await connection.send(`${behaviour}\n`);
  return connection;
}

/** The kernel's entry for the client's side of its connection to `serverPort`, if it lists one. */
function clientEntry(connection: TcpConnection, serverPort: number) {
  return readTcpSockets(process.pid, connection.localPort, ['tcp']).find((entry) => entry.localPort === connection.localPort && entry.remotePort === serverPort);
}

describe('TCP connection driver', () => {
  it('reads lines and then everything up to end-of-stream', async () => {
    const connection = await ask('echo-then-close');
    assert.equal(await connection.receiveLine(), 'hello\n');
    assert.equal((await connection.receiveUntilEnd()).toString(), 'world\n');
    assert.equal(connection.state, 'ended');
    assert.equal(connection.describe(), 'received 12 bytes in total; connection ended by end-of-stream');
  });

  it('assembles a message that arrives in several segments', async () => {
    const connection = await ask('segments');
    assert.equal((await connection.receiveExactly(8)).toString(), 'one two\n');
  });

  it('says the stream ended when more bytes were expected', async () => {
    const connection = await ask('echo-then-close');
    await assert.rejects(connection.receiveExactly(100), /^Error: expected 100 bytes, but received 12 bytes in total; connection ended by end-of-stream$/);
  });

  it('tells a reset apart from end-of-stream', async () => {
    const connection = await ask('reset');
    await assert.rejects(connection.receiveUntilEnd(), /expected end-of-stream, but received 0 bytes in total; connection reset by the peer \(ECONNRESET\)/);
    assert.equal(connection.state, 'reset');
    assert.equal((await connection.receiveUntilClosed()).length, 0);
  });

  it('times out naming what it waited for', async () => {
    const connection = await ask('silent');
    await assert.rejects(connection.receiveLine(50), /timed out after 50 ms waiting for a newline-terminated line; received 0 bytes in total; connection still open/);
    connection.close();
    assert.equal(connection.state, 'closed');
  });

  it('reports a refused connection with its errno name and how long it took', async () => {
    const closed = createServer();
    await new Promise<void>((resolveListen) => closed.listen(0, '127.0.0.1', resolveListen));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise((resolveClose) => closed.close(resolveClose));
    await assert.rejects(TcpConnection.open('127.0.0.1', freePort), (error: Error) => {
      assert.ok(error instanceof ConnectError);
      assert.equal(error.code, 'ECONNREFUSED');
      assert.ok(error.elapsedMs < 1000);
      return true;
    });
  });

  it('sends in pieces and half-closes', async () => {
    const received: Buffer[] = [];
    const sink = createServer((socket) => {
      socket.on('data', (chunk) => received.push(chunk));
      socket.on('end', () => socket.end());
    });
    await new Promise<void>((resolveListen) => sink.listen(0, '127.0.0.1', resolveListen));
    const connection = await TcpConnection.open('127.0.0.1', (sink.address() as AddressInfo).port);
    await connection.sendInPieces(Buffer.from('abcdefgh'), 4, 20);
    await connection.halfClose();
    await connection.receiveUntilEnd();
    sink.close();
    assert.equal(Buffer.concat(received).toString(), 'abcdefgh');
    assert.equal(received.length, 4, 'each piece arrives as its own segment');
  });

  it('times out a send that a peer that never reads cannot take', async () => {
    const neverReads = createServer((socket) => socket.pause());
    await new Promise<void>((resolveListen) => neverReads.listen(0, '127.0.0.1', resolveListen));
    const connection = await TcpConnection.open('127.0.0.1', (neverReads.address() as AddressInfo).port);
    // 64 MiB cannot fit in the two sockets' buffers; a reading peer would take it in well under the timeout.
    await assert.rejects(connection.send(Buffer.alloc(64 * 1024 * 1024), 1000), /^Error: timed out after 1000 ms waiting for the kernel to take 67108864 bytes to send/);
    connection.reset();
    neverReads.close();
  });

  it('calls a reset without a FIN after the client half-closed a reset, though Node reports end-of-stream', async () => {
    // Data and the reset that follows it, read together, are end-of-stream to Node
    // (libuv takes the hang-up after a short read for it): the client reads nothing until both are in.
    const repliesThenResets = createServer({ allowHalfOpen: true }, (socket) => {
      socket.resume();
      socket.on('end', () => socket.write('reply\n', () => socket.resetAndDestroy()));
    });
    await new Promise<void>((resolveListen) => repliesThenResets.listen(0, '127.0.0.1', resolveListen));
    const serverPort = (repliesThenResets.address() as AddressInfo).port;
    const connection = await TcpConnection.open('127.0.0.1', serverPort);
    connection.pauseReading();
    await connection.halfClose();
    await pollUntil(() => (clientEntry(connection, serverPort) === undefined ? true : undefined), 5000, "the server's reset to remove the client's socket");
    connection.resumeReading();
    assert.equal((await connection.receiveUntilClosed()).toString(), 'reply\n');
    repliesThenResets.close();
    assert.equal(connection.state, 'reset');
    assert.match(connection.describe(), /reset by the peer \(ECONNRESET: Node reported end-of-stream, but a read of the socket fails with ECONNRESET: the peer reset it without a FIN\)$/);
  });

  it('keeps end-of-stream when a reset kills the TIME_WAIT entry left after both FINs', async () => {
    const closesAfterClient = createServer({ allowHalfOpen: true }, (socket) => {
      socket.resume();
      socket.on('end', () => socket.end());
    });
    // The server's port is bound again to kill the entry: it stays held until then.
    const serverPort = (await holdPort()).port;
    await new Promise<void>((resolveListen) => closesAfterClient.listen(serverPort, '127.0.0.1', resolveListen));
    const connection = await TcpConnection.open('127.0.0.1', serverPort);
    // Paused, the client learns of the server's FIN only after the kernel has dealt with what follows.
    connection.pauseReading();
    await connection.halfClose();
    await pollUntil(() => (clientEntry(connection, serverPort)?.state === 'TIME_WAIT' ? true : undefined), 5000, "the client's side to reach TIME_WAIT");
    await new Promise<void>((resolveClose) => closesAfterClient.close(() => resolveClose()));
    await killTimeWaitEntry(serverPort, connection.localPort, () => clientEntry(connection, serverPort) === undefined);
    connection.resumeReading();
    await connection.receiveUntilEnd();
    assert.equal(connection.state, 'ended');
  });
});
