import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ScenarioResult } from '../src/report/summary';
import { runCli, tempDir } from './helpers';

/**
 * A UDP echo server that follows the contract until it has answered a datagram, and
 * from then on ignores SIGTERM: the bug a server shows only after it has served, which
 * a server kept across scenarios shows at its last stop rather than at its scenario's end.
 */
const IGNORES_SIGTERM_ONCE_USED = `#!/usr/bin/env python3
import signal, socket, sys
args = dict(zip(sys.argv[2::2], sys.argv[3::2]))
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
sock = socket.socket(socket.AF_INET6 if ':' in args['--host'] else socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((args['--host'], int(args['--port'])))
print(f"LISTENING {sock.getsockname()[1]}", flush=True)
while True:
    data, peer = sock.recvfrom(65535)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sock.sendto(data, peer)
`;

function targetIgnoringSigtermOnceUsed(manifest: Record<string, string> = {}): string {
  const dir = join(tempDir('session'), 'ignores-sigterm-once-used');
  mkdirSync(dir);
  writeFileSync(join(dir, 'server.py'), IGNORES_SIGTERM_ONCE_USED);
  chmodSync(join(dir, 'server.py'), 0o755);
  writeFileSync(join(dir, 'target.json'), JSON.stringify({ name: 'ignores-sigterm-once-used', language: 'Python 3', description: 'test target', server: ['./server.py'], services: ['udp-echo'], profile: 'sockspec', ...manifest }));
  return dir;
}

function runOn(target: string, extraArgs: string[]): { status: number | null; stderr: string; runFailures?: string[]; scenarios: ScenarioResult[] } {
  const reportDir = tempDir('session-report');
  const { status, stderr } = runCli(['run', '--target', target, '--id', 'udp.boundaries', '--id', 'udp.same-port-reply', ...extraArgs, '--report-dir', reportDir]);
  const summary = JSON.parse(readFileSync(join(reportDir, 'summary.json'), 'utf8')) as { targets: { runFailures?: string[]; scenarios: ScenarioResult[] }[] };
  return { status, stderr, ...summary.targets[0] };
}

describe('servers kept across scenarios', () => {
  it('a kept server that breaks the stop contract at its last stop fails the run, outside any scenario', () => {
    const kept = runOn(targetIgnoringSigtermOnceUsed(), []);
    assert.deepEqual(kept.scenarios.map((scenario) => scenario.status), ['passed', 'passed'], 'the scenarios themselves pass: each ends with the server serving');
    assert.match(kept.runFailures?.join('\n') ?? '', /stopped after the last of them: on SIGTERM the server must exit with code 0 within 2 s, but it was still running after 2 s/);
    assert.match(kept.stderr, /FAILED outside the scenarios: /);
    assert.equal(kept.status, 1);
  });

  for (const [how, target, args] of [
    ['with --fresh-servers', () => targetIgnoringSigtermOnceUsed(), ['--fresh-servers']],
    ['for a target whose manifest asks for fresh servers', () => targetIgnoringSigtermOnceUsed({ freshServers: 'test: its servers must not outlive a scenario' }), []],
  ] as const) {
    it(`${how} the same bug fails each scenario that used the server, at its end`, () => {
      const fresh = runOn(target(), [...args]);
      assert.deepEqual(fresh.scenarios.map((scenario) => scenario.status), ['failed', 'failed']);
      for (const scenario of fresh.scenarios) assert.match(scenario.message ?? '', /on SIGTERM the server must exit with code 0 within 2 s, but it was still running after 2 s/);
      assert.equal(fresh.runFailures, undefined);
      assert.equal(fresh.status, 1);
    });
  }
});
