import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TcpConnection } from '../src/driver/tcp-connection';
import { Transcript, TRANSCRIPT_HEADING } from '../src/driver/transcript';
import { UdpClient } from '../src/driver/udp-client';

// A loopback echo server that, after echoing "reset-me", tears the connection down with RST.
let server: Server;
let port: number;
let udpEcho: UdpSocket;
let udpPort: number;

before(async () => {
  server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('data', (chunk) => {
      socket.write(chunk);
      if (chunk.toString().includes('reset-me')) setImmediate(() => socket.resetAndDestroy());
    });
    socket.on('end', () => socket.end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
  udpEcho = createSocket('udp4');
  udpEcho.on('message', (data, from) => udpEcho.send(data, from.port, from.address));
  udpEcho.bind(0, '127.0.0.1');
  await once(udpEcho, 'listening');
  udpPort = udpEcho.address().port;
});
after(() => {
  server.close();
  udpEcho.close();
});

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

describe('socket transcript', () => {
  it('records a TCP exchange: addresses, byte counts, digest, hex excerpt, half-close and end-of-stream', async () => {
    const transcript = new Transcript();
    const connection = await TcpConnection.open('127.0.0.1', port, undefined, undefined, transcript);
    await connection.send('hello ');
    await connection.send('world');
    await connection.halfClose();
    assert.equal((await connection.receiveUntilEnd()).toString(), 'hello world');
    connection.close();
    const text = transcript.render();
    assert.ok(text.startsWith(TRANSCRIPT_HEADING), text);
    assert.match(text, new RegExp(`#1 connected 127\\.0\\.0\\.1:${connection.localPort} -> 127\\.0\\.0\\.1:${port} in \\d+\\.\\d ms`));
    assert.match(text, /#1 sent 11 bytes \(2 writes\)\n.*#1 half-close: this client shut down its sending side \(FIN\)/);
    assert.match(text, /#1 end-of-stream: the peer closed its sending side \(FIN\)/);
    assert.match(text, /#1 closed by this client \(received 11 bytes in total; connection ended by end-of-stream\)/);
    assert.match(text, new RegExp(`sent 11 bytes in 2 writes, sha256 ${sha256('hello world')}, first bytes: 68 65 6c 6c 6f 20 77 6f 72 6c 64\\n`));
    assert.match(text, new RegExp(`received 11 bytes in \\d+ reads?, sha256 ${sha256('hello world')}`));
  });

  it('names the errno of a reset and of a refused connection', async () => {
    const transcript = new Transcript();
    const connection = await TcpConnection.open('127.0.0.1', port, undefined, undefined, transcript);
    await connection.send('reset-me');
    await connection.receiveUntilClosed();
    assert.equal(connection.state, 'reset');
    // A port nobody listens on: the one of a server that has just closed.
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const closedPort = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    await assert.rejects(TcpConnection.open('127.0.0.1', closedPort, undefined, undefined, transcript));
    const text = transcript.render();
    assert.match(text, /#1 reset by the peer.*ECONNRESET/);
    assert.match(text, new RegExp(`#2 connecting to 127\\.0\\.0\\.1:${closedPort}\\n.*#2 connect failed after \\d+\\.\\d ms: ECONNREFUSED`));
  });

  it('records UDP datagrams with their peers, and a timeout with what was awaited', async () => {
    const transcript = new Transcript();
    const client = await UdpClient.open('127.0.0.1', transcript);
    await client.send(Buffer.from('ping'), '127.0.0.1', udpPort);
    assert.equal((await client.receive()).data.toString(), 'ping');
    await assert.rejects(client.receive(50));
    const localPort = client.localPort;
    client.close();
    const text = transcript.render();
    assert.match(text, new RegExp(`#1 bound 127\\.0\\.0\\.1:${localPort}`));
    assert.match(text, new RegExp(`#1 sent 4 bytes \\(1 datagram\\) to 127\\.0\\.0\\.1:${udpPort}\\n.*#1 received 4 bytes \\(1 datagram\\) from 127\\.0\\.0\\.1:${udpPort}`));
    assert.match(text, /#1 timed out after 50 ms waiting for a datagram/);
    assert.match(text, new RegExp(`#1 udp: sent 4 bytes in 1 datagram, sha256 ${sha256('ping')}, first bytes: 70 69 6e 67\\n`));
  });

  it('stays small for a large transfer: counts and digests everything, keeps only the first bytes', async () => {
    const transcript = new Transcript();
    const connection = await TcpConnection.open('127.0.0.1', port, undefined, undefined, transcript);
    const payload = Buffer.alloc(8 * 1024 * 1024, 0xab);
    // Alternating directions make a line per turn; past the cap, lines stop but the totals go on.
    for (let turn = 0; turn < 300; turn++) {
      await connection.send(payload.subarray(turn * 1024, (turn + 1) * 1024));
      await connection.receiveExactly(1024);
    }
    await connection.send(payload.subarray(300 * 1024));
    await connection.receiveExactly(payload.length - 300 * 1024);
    connection.close();
    const text = transcript.render();
    assert.ok(text.length < 40_000, `transcript of ${text.length} characters`);
    assert.match(text, /later events left out; the totals below count everything/);
    assert.match(text, new RegExp(`sent ${payload.length} bytes in 301 writes, sha256 ${sha256(payload)}, first bytes: (ab ){31}ab \\.\\.\\.`));
    assert.match(text, new RegExp(`received ${payload.length} bytes in \\d+ reads, sha256 ${sha256(payload)}`));
  });
});
