import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TcpConnection } from '../src/driver/tcp-connection';
import { parseFileReply } from '../src/services/file-protocol';
import { ScriptedFileServer, portWithNoListener, type ServerScript } from '../src/services/scripted-file-server';

const files = new Map([['hello.txt', Buffer.from('hello, client\n')]]);

async function ask(script: ServerScript, name = 'hello.txt'): Promise<{ server: ScriptedFileServer; connection: TcpConnection }> {
  const server = await ScriptedFileServer.start(script, files);
  const connection = await TcpConnection.open('127.0.0.1', server.port);
  await connection.send(`${name}\n`);
  return { server, connection };
}

describe('the file server sockspec plays for client scenarios', () => {
  it('serves a fixture file, and ERR NOT_FOUND for any other name', async () => {
    for (const [name, expected] of [['hello.txt', 'OK 14\nhello, client\n'], ['other', 'ERR NOT_FOUND no fixture file "other"\n']]) {
      const { server, connection } = await ask('serves the file', name);
      assert.equal((await connection.receiveUntilEnd()).toString(), expected);
      assert.deepEqual(server.requests, [name]);
      connection.close();
      server.close();
    }
  });

  it('trickles its reply a byte per segment, whole', async () => {
    const { server, connection } = await ask('sends its reply one byte per segment');
    assert.equal((await connection.receiveUntilEnd()).toString(), 'OK 14\nhello, client\n');
    connection.close();
    server.close();
  });

  it('stops halfway through the file: with end-of-stream, or with a reset', async () => {
    const closed = await ask('closes the connection halfway through the file');
    const reply = parseFileReply(await closed.connection.receiveUntilEnd());
    assert.equal(reply.kind, 'malformed');
    closed.server.close();
    const reset = await ask('resets the connection halfway through the file');
    await assert.rejects(reset.connection.receiveUntilEnd(), /reset/);
    reset.server.close();
  });

  it('never answers, and measures how long the client kept the connection', async () => {
    const { server, connection } = await ask('never answers');
    await assert.rejects(connection.receiveExactly(1, 200), /timed out after 200 ms/);
    connection.close();
    const lifetime = await server.firstConnectionLifetime(1000);
    assert.ok(lifetime >= 150 && lifetime < 1000, `lifetime ${lifetime}`);
    server.close();
  });

  it('declares a size that is not a number', async () => {
    const { server, connection } = await ask('declares a size that is not a number');
    assert.match((await connection.receiveUntilEnd()).toString(), /^OK lots\n/);
    server.close();
  });

  it('finds a port that refuses connections', async () => {
    await assert.rejects(TcpConnection.open('127.0.0.1', await portWithNoListener()), /ECONNREFUSED|refused/);
  });
});
