import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { PROJECT, runCli, tempDir } from './helpers';

const CPP = join(PROJECT, 'fixtures', 'targets', 'cpp');
const servers: ChildProcess[] = [];
const files = tempDir('external-files');

/** Starts the reference server by hand, as a user's own CI would, and returns its port. */
async function startByHand(args: string[]): Promise<number> {
  const child = spawn(join(CPP, 'build', 'server'), args, { stdio: ['ignore', 'pipe', 'ignore'] });
  servers.push(child);
  const [line] = (await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next()).value.split('\n');
  return Number(/^LISTENING (\d+)$/.exec(line)![1]);
}

describe('the external runtime against servers started outside sockspec', () => {
  let spec = '';
  before(async () => {
    assert.equal(spawnSync('make', ['-C', CPP], { stdio: 'ignore' }).status, 0);
    assert.equal(runCli(['files', files]).status, 0);
    const common = ['--host', '127.0.0.1', '--port', '0', '--backlog', '512'];
    const echo = await startByHand(['echo', ...common]);
    const file = await startByHand(['file', ...common, '--root', join(files, 'root')]);
    const udp = await startByHand(['udp-echo', ...common]);
    spec = `mine=echo@127.0.0.1:${echo},file@127.0.0.1:${file},udp-echo@127.0.0.1:${udp}`;
  });
  after(() => servers.forEach((server) => server.kill()));

  it('passes what it can check and reports the rest as needing server control', () => {
    const reportDir = tempDir('external');
    const { status, stderr } = runCli(['run', '--runtime', 'external', '--target', spec, '--report-dir', reportDir]);
    assert.equal(status, 0, stderr);
    const [target] = JSON.parse(readFileSync(join(reportDir, 'summary.json'), 'utf8')).targets;
    const byStatus = (status: string) => target.scenarios.filter((result: { status: string }) => result.status === status);
    assert.ok(byStatus('passed').length >= 20);
    assert.equal(byStatus('failed').length, 0);
    for (const result of byStatus('not runnable')) assert.match(result.reason, /needs server control/);
  });

  it('refuses an address outside loopback without --allow-remote', () => {
    const { status, stderr } = runCli(['run', '--runtime', 'external', '--target', 'x=echo@192.0.2.1:7']);
    assert.equal(status, 2);
    assert.match(stderr, /192\.0\.2\.1 is not a loopback address; pass --allow-remote/);
  });

  it('says when a server is not there', () => {
    const { status, stderr } = runCli(['run', '--runtime', 'external', '--target', 'x=echo@127.0.0.1:1']);
    assert.equal(status, 2);
    assert.match(stderr, /x echo at 127\.0\.0\.1:1 is not reachable: connect failed with ECONNREFUSED/);
  });
});
