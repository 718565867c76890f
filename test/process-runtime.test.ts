import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TcpConnection } from '../src/driver/tcp-connection';
import { ProcessRuntime } from '../src/runtime/process-runtime';
import { ServerStartError } from '../src/runtime/server-launch';
import { loadTarget } from '../src/contract/manifest';
import { TEST_TARGETS, fakeTarget } from './helpers';

const echoRequest = { service: 'echo' as const, host: '127.0.0.1', port: 0, backlog: 8 };

describe('process runtime', () => {
  it('starts a server, learns its port from the LISTENING line and stops it with SIGTERM', async () => {
    const server = await new ProcessRuntime().start(fakeTarget('well-behaved'), echoRequest);
    assert.ok(server.port > 0);
    const connection = await TcpConnection.open(server.host, server.port);
    await connection.send('ping\n');
    assert.equal((await connection.receiveExactly(5)).toString(), 'ping\n');
    connection.close();
    assert.ok((server.control?.descriptorCount() ?? 0) > 0, 'reads the descriptor count from /proc');
    const stop = await server.stop();
    assert.deepEqual(stop, { code: 0, signal: null, stoppedInTime: true });
    assert.equal(server.control?.descriptorCount(), undefined);
    assert.deepEqual(await server.stop(), { code: 0, signal: null, stoppedInTime: false }, 'stopping twice is harmless');
  });

  it('kills a server that ignores SIGTERM and says it did not stop in time', async () => {
    const server = await new ProcessRuntime().start(fakeTarget('ignore-sigterm'), echoRequest);
    const stop = await server.stop();
    assert.deepEqual(stop, { code: null, signal: 'SIGKILL', stoppedInTime: false });
  });

  it('gives up on a server that never prints LISTENING, and kills it', async () => {
    const runtime = new ProcessRuntime({ startTimeoutMs: 300 });
    await assert.rejects(runtime.start(loadTarget(join(TEST_TARGETS, 'never-listens')), echoRequest), (error: Error) => {
      assert.ok(error instanceof ServerStartError);
      assert.match(error.message, /^server never-listens echo did not print "LISTENING <port>" within 300 ms \(killed by SIGKILL\); stderr was empty$/);
      return true;
    });
  });

  it('rejects a first line that is not LISTENING <port>, quoting it', async () => {
    await assert.rejects(
      new ProcessRuntime().start(loadTarget(join(TEST_TARGETS, 'garbage-line')), echoRequest),
      /printed "ready on port 4000" instead of "LISTENING <port>"/,
    );
  });

  it('refuses a server that announces another port than the explicit --port it was given', async () => {
    await assert.rejects(
      new ProcessRuntime().start(loadTarget(join(TEST_TARGETS, 'ignores-port')), { ...echoRequest, port: 5000 }),
      /printed "LISTENING 4000", but it was told --port 5000/,
    );
  });

  it('reports an early exit with its code and the tail of stderr', async () => {
    await assert.rejects(
      new ProcessRuntime().start(loadTarget(join(TEST_TARGETS, 'crashes-on-start')), echoRequest),
      /exited \(exit code 1\) before printing "LISTENING <port>"; stderr: bind 127\.0\.0\.1:0: Address already in use$/,
    );
  });

  it('reports a program that cannot be executed', async () => {
    const target = fakeTarget('x');
    target.manifest.server = ['./no-such-program'];
    await assert.rejects(new ProcessRuntime().start(target, echoRequest), /could not be started: spawn .*no-such-program ENOENT/);
  });
});
