import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseManifest } from '../src/contract/manifest';
import { decodeAddress, parseSocketTable } from '../src/kernel/process-sockets';
import { readSummary } from '../src/report/summary-schema';
import { runCli, tempDir } from './helpers';

const ECHO_SERVER = join(__dirname, 'fixtures', 'launch', 'echo_server.py');
const dir = tempDir('launch');

/** A target folder for an existing program, described only by its launch template. */
function launchTarget(name: string, launch: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  writeFileSync(join(folder, 'target.json'), JSON.stringify({ name, language: 'Python 3', description: 'a server written without the contract', services: ['echo'], launch: { echo: launch }, ...extra }));
  return folder;
}

describe('launch templates in target.json', () => {
  const base = { name: 'x', language: 'C', description: 'x', services: ['echo'] };
  it('refuses an unknown placeholder, a template that never passes {host} or {port}, and config files nobody reads', () => {
    assert.throws(() => parseManifest({ ...base, launch: { echo: { argv: ['srv', '{hostname}', '{port}'] } } }, 't.json'), /t\.json: invalid target manifest: field "launch\.echo\.argv\.1": unknown placeholder \{hostname\}/);
    assert.throws(() => parseManifest({ ...base, launch: { echo: { argv: ['srv', '{host}'] } } }, 't.json'), /field "launch\.echo\.argv": never passes \{port\}/);
    assert.throws(() => parseManifest({ ...base, launch: { echo: { argv: ['srv'], config: { 'a.conf': 'a.conf.in' } } } }, 't.json'), /renders config files but never passes \{config\}/);
    assert.throws(() => parseManifest({ ...base, services: ['echo', 'http'], launch: { echo: { argv: ['srv', '{host}', '{port}'] } } }, 't.json'), /field "server": is needed: the http service has no launch entry/);
  });

  it('reads listening sockets and their addresses from the kernel tables', () => {
    const table = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0\n';
    assert.deepEqual(parseSocketTable(table), [{ address: '127.0.0.1', port: 8080, state: '0A', inode: '4242' }]);
    assert.equal(decodeAddress('00000000000000000000000001000000'), '::1');
    assert.equal(decodeAddress('00000000000000000000000000000000'), '::');
  });

  it("starts a program that prints nothing, on a port sockspec picks, ready once the kernel shows its socket, and verifies it", () => {
    const target = launchTarget('quiet-echo', { argv: ['python3', ECHO_SERVER, '{host}', '{port}'], ready: 'listen' });
    const report = join(dir, 'quiet-report');
    const run = runCli(['run', '--target', target, '--tags', '@echo and not @backlog-option', '--report-dir', report]);
    assert.equal(run.status, 0, run.stderr);
    const results = readSummary(report).targets[0].scenarios;
    assert.ok(results.filter((result) => result.status === 'passed').length >= 10, run.stderr);
  });

  it('reports the scenarios that set a backlog as not runnable when the template has no {backlog}', () => {
    const target = launchTarget('no-backlog', { argv: ['python3', ECHO_SERVER, '{host}', '{port}'], ready: 'listen' });
    const report = join(dir, 'no-backlog-report');
    runCli(['run', '--target', target, '--id', 'backlog.linux-queue-limit', '--id', 'echo.line', '--report-dir', report]);
    const backlog = readSummary(report).targets[0].scenarios.filter((result) => result.id === 'backlog.linux-queue-limit');
    assert.ok(backlog.length > 0 && backlog.every((result) => result.status === 'not runnable' && /has no \{backlog\}/.test(result.reason!)), JSON.stringify(backlog));
  });

  it('retries a port another process took first, and says so in the transcript', () => {
    const markers = join(dir, 'markers');
    mkdirSync(markers);
    const target = launchTarget('racy-echo', { argv: ['python3', ECHO_SERVER, '{host}', '{port}', '--race-every-other-start'], env: { RACE_MARKER_DIR: markers }, ready: 'listen' });
    const report = join(dir, 'racy-report');
    const run = runCli(['run', '--target', target, '--id', 'echo.line', '--report-dir', report]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(readSummary(report).targets[0].scenarios[0].transcript ?? '', /was taken before racy-echo bound it \(attempt 1 of 3\); starting again on another free port/);
  });

  it('asks exit code 0 on the stop signal of a target in the profile only; any other is described', () => {
    const launch = { argv: ['python3', ECHO_SERVER, '{host}', '{port}', '--die-of-sigterm'], ready: 'listen' };
    const outside = launchTarget('dies-of-sigterm', launch);
    const report = join(dir, 'dies-report');
    // Fresh servers: the scenario's end stops its server, and its transcript describes the stop (a kept one stops after the run's last scenario).
    const run = runCli(['run', '--target', outside, '--id', 'echo.line', '--fresh-servers', '--report-dir', report]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(readSummary(report).targets[0].scenarios[0].transcript ?? '', /server asked to stop: killed by SIGTERM/);
    const inside = launchTarget('dies-of-sigterm-in-profile', launch, { profile: 'sockspec' });
    const refused = runCli(['run', '--target', inside, '--id', 'echo.line', '--report-dir', join(dir, 'dies-profile-report')]);
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, /server dies-of-sigterm-in-profile echo must exit with code 0 on SIGTERM, but it killed by SIGTERM/);
  });

  it('names a program that went to the background, and one that listens on another port, with exit 2', () => {
    const daemon = launchTarget('daemonizes', { argv: ['sh', '-c', `python3 ${ECHO_SERVER} {host} {port} </dev/null >/dev/null 2>&1 & exit 0`], ready: 'listen' });
    const gone = runCli(['run', '--target', daemon, '--id', 'echo.line', '--report-dir', join(dir, 'daemon-report')]);
    assert.equal(gone.status, 2, gone.stderr);
    assert.match(gone.stderr, /exited \(exit code 0\) before listening on 127\.0\.0\.1:\d+: went to the background\? use its foreground flag/);
    const elsewhere = launchTarget('elsewhere', { argv: ['python3', ECHO_SERVER, '{host}', '{port}', '--listen-elsewhere'], ready: 'listen' });
    const wrong = runCli(['run', '--target', elsewhere, '--id', 'echo.line', '--report-dir', join(dir, 'elsewhere-report')]);
    assert.equal(wrong.status, 2, wrong.stderr);
    assert.match(wrong.stderr, /never listened: timed out after \d+ ms waiting for a TCP socket of its process tree bound on 127\.0\.0\.1:(\d+); it listens on 127\.0\.0\.1:\d+ instead: does its config take \{host\} and \{port\}\?/);
  });

  it('shows the last lines of the log file a program writes instead of stderr when it fails to start', () => {
    const logs = launchTarget('logs-to-file', { argv: ['sh', '-c', 'echo "bind {host}:{port} failed: Cannot assign requested address" > {config}/server.log; exit 1'], config: {}, log: '{config}/server.log', ready: 'listen' });
    const failed = runCli(['run', '--target', logs, '--id', 'echo.line', '--report-dir', join(dir, 'logs-report')]);
    assert.equal(failed.status, 2, failed.stderr);
    assert.match(failed.stderr, /exited \(exit code 1\) before listening on 127\.0\.0\.1:\d+; stderr: server\.log: bind 127\.0\.0\.1:\d+ failed: Cannot assign requested address/);
  });
});
