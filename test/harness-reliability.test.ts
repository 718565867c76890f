import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { processState } from '../src/kernel/proc-net';
import { ownedProcesses } from '../src/leftovers';
import type { ScenarioResult } from '../src/report/summary';
import { PROJECT, runCli, tempDir } from './helpers';

/**
 * The harness's own reliability: a target that crashes, stalls or cannot bind; a run
 * that is interrupted or killed outright. Each faulty behaviour is a small Node
 * stand-in target written here, not a bundled target.
 */

interface Summary {
  incomplete?: string;
  targets: { name: string; scenarios: ScenarioResult[] }[];
}

const BIG_MESSAGE_BYTES = 512 * 1024;

// An echo server following the contract, except for one behaviour chosen by the test.
const STAND_IN_SERVER = `
const net = require('node:net');
const [behaviour, fixedPort, , ...flags] = process.argv.slice(2);
const flag = (name) => flags[flags.indexOf('--' + name) + 1];
const server = net.createServer((socket) => {
  let seen = 0;
  // A flake: the first connection ever made to a server from this folder is reset once
  // the whole 1 MiB message is in, without a byte of echo (so the send has succeeded
  // and the failure is the receiving step's); every later one is served.
  const resetThisOne = behaviour === 'reset-once' && !require('node:fs').existsSync('reset-done');
  socket.on('data', (chunk) => {
    seen += chunk.length;
    if (seen > ${BIG_MESSAGE_BYTES} && behaviour === 'crash-on-big-message') {
      process.stderr.write('stand-in: crashing on a big message\\n');
      process.exit(3);
    }
    if (seen > ${BIG_MESSAGE_BYTES} && behaviour === 'quit-on-big-message') {
      process.stderr.write('stand-in: quitting on a big message\\n');
      process.exit(0);
    }
    if (seen > ${BIG_MESSAGE_BYTES} && behaviour === 'stall-on-big-message') return;
    if (resetThisOne) {
      if (seen < ${2 * BIG_MESSAGE_BYTES}) return;
      require('node:fs').writeFileSync('reset-done', '');
      socket.resetAndDestroy();
      return;
    }
    socket.write(chunk);
  });
  socket.on('end', () => socket.end());
  socket.on('error', () => {});
});
server.on('error', (error) => {
  process.stderr.write('stand-in: listen: ' + error.code + '\\n');
  process.exit(1);
});
const port = behaviour === 'fixed-port' ? Number(fixedPort) : Number(flag('port'));
server.listen({ host: flag('host'), port, backlog: Number(flag('backlog')) }, () => process.stdout.write('LISTENING ' + server.address().port + '\\n'));
process.on('SIGTERM', () => process.exit(0));
`;

function standInTarget(behaviour: string, fixedPort = 0): string {
  const dir = tempDir(`stand-in-${behaviour}`);
  writeFileSync(join(dir, 'server.js'), STAND_IN_SERVER);
  const manifest = { name: `stand-in-${behaviour}`, language: 'js', description: 'a faulty stand-in', server: [process.execPath, 'server.js', behaviour, String(fixedPort)], services: ['echo'] };
  writeFileSync(join(dir, 'target.json'), JSON.stringify(manifest));
  return dir;
}

function runStandIn(behaviour: string): { status: number | null; stderr: string; summary: Summary; pid: number } {
  const reportDir = tempDir('reliability');
  const result = spawnSync(process.execPath, [join(PROJECT, 'bin', 'sockspec.js'), 'run', '--target', standInTarget(behaviour), '--tags', '@echo', '--report-dir', reportDir], {
    cwd: PROJECT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: result.status, stderr: result.stderr, summary: readSummary(reportDir), pid: result.pid };
}

const readSummary = (reportDir: string): Summary => JSON.parse(readFileSync(join(reportDir, 'summary.json'), 'utf8')) as Summary;
const scenario = (summary: Summary, location: string): ScenarioResult | undefined => summary.targets[0].scenarios.find((result) => result.location === location);

/** What a sockspec run with this pid still has: live target processes and temporary folders. */
function leftBehindBy(pid: number): { processes: number[]; tempDirs: string[] } {
  return {
    processes: ownedProcesses().filter(({ owner }) => owner === pid).map((entry) => entry.pid),
    tempDirs: readdirSync(tmpdir()).filter((name) => name.startsWith(`sockspec-${pid}-`)),
  };
}

/** State and parent pid of a process, from /proc; undefined once it is gone. */
function statOf(pid: number): { state: string; parent: number } | undefined {
  try {
    // The command name (in parentheses) may hold spaces; the fields after it are fixed.
    const [state, parent] = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return { state, parent: Number(parent) };
  } catch {
    return undefined;
  }
}

const parentOf = (pid: number): number | undefined => statOf(pid)?.parent;
/** Exited: no longer listed, or a zombie waiting to be reaped. */
const isGone = (pid: number): boolean => (statOf(pid)?.state ?? 'Z') === 'Z';

function startRun(args: string[]): { child: ChildProcess; stdout: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [join(PROJECT, 'bin', 'sockspec.js'), 'run', ...args], { cwd: PROJECT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.resume();
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  return { child, stdout: () => stdout, exited };
}

/** Waits for a condition of the outside world (a process, a container) that no event announces. */
async function eventually(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((tick) => setTimeout(tick, 20));
  }
}

const dockerAnswers = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
const dockerSkip = !dockerAnswers && process.env.SOCKSPEC_REQUIRE_DOCKER !== '1' ? 'no Docker engine answers `docker info`' : false;
const ownedContainers = (pid: number): string =>
  spawnSync('docker', ['ps', '--all', '--quiet', '--filter', `label=sockspec.owner-pid=${pid}`], { encoding: 'utf8' }).stdout.trim();

const ECHO_1MIB = 'features/echo.feature:19';
const ECHO_256_VALUES = 'features/echo.feature:25';

describe('harness reliability', () => {
  it('a server that crashes mid-scenario fails that scenario with "server exited" and its stderr; the next scenario gets a fresh server', () => {
    const { status, summary, pid } = runStandIn('crash-on-big-message');
    assert.equal(status, 1);
    const crashed = scenario(summary, ECHO_1MIB)!;
    assert.equal(crashed.status, 'failed');
    assert.match(crashed.message!, /server exited \(exit code 3\) mid-scenario; its stderr ends: stand-in: crashing on a big message$/);
    assert.equal(scenario(summary, ECHO_256_VALUES)?.status, 'passed', 'the scenario after the crash ran against a fresh server');
    // A normal run ends with nothing of its own left.
    assert.deepEqual(leftBehindBy(pid), { processes: [], tempDirs: [] });
  });

  it('a server that quits with exit code 0 mid-scenario is named as the cause too (only a stop the harness asked for is not)', () => {
    const { status, summary } = runStandIn('quit-on-big-message');
    assert.equal(status, 1);
    assert.match(scenario(summary, ECHO_1MIB)!.message!, /server exited \(exit code 0\) mid-scenario; its stderr ends: stand-in: quitting on a big message$/);
    assert.equal(scenario(summary, ECHO_256_VALUES)?.status, 'passed', 'the scenario after it ran against a fresh server');
  });

  it('the flake detector names a scenario whose verdict changed, with the failing round and its message', () => {
    const { status, stderr } = runCli(['repeat', '--times', '2', '--target', standInTarget('reset-once'), '--name', '^1 MiB of random bytes comes back identical$']);
    assert.equal(status, 1, stderr);
    assert.match(stderr, /CHANGED stand-in-reset-once: echo\.random-1mib 1 MiB of random bytes comes back identical \(features\/echo.feature:19\): failed at "the client receives exactly the bytes it sent" \| passed\n/);
    assert.match(stderr, /\nsockspec: {3}round 1: expected 1048576 bytes, but received 0 bytes in total; connection reset by the peer \(ECONNRESET[):]/);
    assert.match(stderr, /2 rounds of 1 scenarios: 1 verdicts changed\n$/);
  });

  it('a stuck scenario fails at its step with the timeout, and the run goes on', () => {
    const { status, summary } = runStandIn('stall-on-big-message');
    assert.equal(status, 1);
    const stuck = scenario(summary, ECHO_1MIB)!;
    assert.equal(stuck.status, 'failed');
    assert.equal(stuck.failedStep, 'the client receives exactly the bytes it sent');
    assert.match(stuck.message!, /^timed out after 5000 ms waiting for 1048576 bytes/);
    assert.equal(scenario(summary, ECHO_256_VALUES)?.status, 'passed', 'the run went on after the stuck scenario');
    assert.ok(summary.targets[0].scenarios.filter((result) => result.status === 'passed').length >= 10);
  });

  it('a target whose port is already taken is a harness error naming the target, the port problem and the manifest', async () => {
    const holder = createServer();
    await new Promise<void>((listening) => holder.listen(0, '127.0.0.1', listening));
    try {
      const target = standInTarget('fixed-port', (holder.address() as AddressInfo).port);
      const { status, stderr } = runCli(['run', '--target', target], 60_000);
      assert.equal(status, 2, stderr);
      const lastLine = stderr.trim().split('\n').pop()!;
      assert.match(lastLine, /target\.json: server stand-in-fixed-port echo exited \(exit code 1\) before printing "LISTENING <port>"; stderr: stand-in: listen: EADDRINUSE$/);
    } finally {
      holder.close();
    }
  });

  it('an unreadable or malformed manifest is a harness error naming the file', () => {
    const unreadable = tempDir('unreadable-manifest');
    // A folder where the file should be: unreadable even for root, who may read any file.
    mkdirSync(join(unreadable, 'target.json'));
    const first = runCli(['run', '--target', unreadable], 60_000);
    assert.equal(first.status, 2);
    assert.match(first.stderr.trim().split('\n').pop()!, /target\.json: cannot read the target manifest \(EISDIR\)$/);

    const malformed = tempDir('malformed-manifest');
    writeFileSync(join(malformed, 'target.json'), '{"name": "half');
    const second = runCli(['run', '--target', malformed], 60_000);
    assert.equal(second.status, 2);
    assert.match(second.stderr.trim().split('\n').pop()!, /target\.json: not valid JSON \(/);
  });

  it('rejects a --parallel that is not a positive number with one line and exit code 2', () => {
    const { status, stderr } = runCli(['run', '--parallel', '0'], 60_000);
    assert.equal(status, 2);
    assert.equal(stderr.trim(), "error: option '--parallel <n>' argument '0' is invalid. --parallel needs a positive whole number, got \"0\"");
  });

  it('interrupted with Ctrl-C (SIGINT), a run writes a valid summary of what ran and leaves nothing behind', async () => {
    const reportDir = tempDir('interrupted');
    // One after another, in the run's own process: the processes it leaves carry its pid.
    const run = startRun(['--target', 'cpp', '--parallel', '1', '--report-dir', reportDir]);
    // Progress prints a character per step: interrupt once a few scenarios have run.
    await eventually(() => run.stdout().length >= 40, 'the run to finish some steps');
    run.child.kill('SIGINT');
    assert.equal(await run.exited, 130);
    const summary = readSummary(reportDir);
    assert.match(summary.incomplete ?? '', /ended early/);
    const ran = summary.targets[0].scenarios;
    assert.ok(ran.length >= 5, `${ran.length} scenarios listed`);
    for (const result of ran) assert.ok(['passed', 'failed', 'not applicable', 'not runnable'].includes(result.status), result.status);
    assert.deepEqual(leftBehindBy(run.child.pid!), { processes: [], tempDirs: [] });
  });

  it('interrupted with --parallel, the run and its workers leave nothing behind', async () => {
    const run = startRun(['--target', 'cpp', '--parallel', '2', '--report-dir', tempDir('interrupted-parallel')]);
    const coordinator = run.child.pid!;
    // The workers are the run's children; their target processes carry the worker's pid.
    const workers = new Set<number>();
    const serversOfWorkers = (): number[] => ownedProcesses().filter(({ owner }) => workers.has(owner)).map(({ pid }) => pid);
    await eventually(() => {
      for (const { owner } of ownedProcesses()) if (parentOf(owner) === coordinator) workers.add(owner);
      return workers.size > 0 && run.stdout().length >= 20;
    }, 'a worker to start a target server and the run to finish some steps');
    run.child.kill('SIGINT');
    assert.equal(await run.exited, 130);
    await eventually(() => [...workers].every(isGone) && serversOfWorkers().length === 0, 'the workers and their servers to be gone', 30_000);
    for (const worker of workers) assert.deepEqual(leftBehindBy(worker), { processes: [], tempDirs: [] });
  });

  /** Kills a run once it has what `holds` looks for running, then checks that the next run removes what it left. */
  async function killedRunIsCleanedByTheNext(args: string[], holds: (left: { processes: number[]; tempDirs: string[] }) => boolean, what: string): Promise<string> {
    // One after another, in the run's own process: the processes it leaves carry its pid.
    const run = startRun([...args, '--parallel', '1', '--report-dir', tempDir('killed')]);
    const pid = run.child.pid!;
    // Stopped, the run cannot stop its processes either: what is seen running stays until the kill.
    await eventually(() => {
      run.child.kill('SIGSTOP');
      if (holds(leftBehindBy(pid))) return true;
      run.child.kill('SIGCONT');
      return false;
    }, what);
    run.child.kill('SIGKILL');
    await run.exited;
    const left = leftBehindBy(pid);
    assert.ok(holds(left), `a killed run cannot clean up: ${JSON.stringify(left)}`);

    const next = runCli(['run', '--target', 'cpp', '--tags', '@udp-echo', '--report-dir', tempDir('next')]);
    assert.equal(next.status, 0, next.stderr);
    assert.deepEqual(leftBehindBy(pid), { processes: [], tempDirs: [] });
    for (const dir of left.tempDirs) assert.ok(!existsSync(join(tmpdir(), dir)));
    return next.stderr;
  }

  it('killed outright (SIGKILL), a run leaves processes and folders that the next run removes', async () => {
    // Killed while its scenario holds the server frozen: a frozen server cannot be on its way out
    // (as a server the run has just asked to stop can be), so it is certainly still there after the kill.
    const nextStderr = await killedRunIsCleanedByTheNext(
      ['--target', 'cpp', '--name', '^After thawing, every queued client and the waiting one are served without loss$'],
      (left) => left.processes.some((server) => processState(server) === 'T') && left.tempDirs.length > 0,
      'the run to hold its target server frozen',
    );
    assert.match(nextStderr, /killed \d+ target process\(es\) an earlier, killed sockspec run left running/);
  });

  // The client itself ends on its own once the killed run's server socket is gone (or is killed
  // by the next run, as a target process, if it is still waiting); its output folder stays.
  it('killed outright while a target client runs, a run leaves the client\'s output folder, which the next run removes', async () => {
    await killedRunIsCleanedByTheNext(
      ['--target', 'cpp', '--tags', '@client'],
      (left) => left.tempDirs.some((name) => name.includes('-client-')),
      "the run to have the target's file client running",
    );
  });

  it('killed outright on the docker runtime, a run leaves containers that the next run removes', { skip: dockerSkip }, async () => {
    const run = startRun(['--runtime', 'docker', '--target', 'cpp', '--parallel', '1', '--report-dir', tempDir('killed-docker')]);
    const containersOf = (): string => ownedContainers(run.child.pid!);
    await eventually(() => containersOf() !== '', 'the run to start a container', 180_000);
    run.child.kill('SIGKILL');
    await run.exited;
    assert.notEqual(containersOf(), '', 'a killed run cannot remove its containers');

    const next = runCli(['run', '--target', 'cpp', '--tags', '@udp-echo', '--report-dir', tempDir('next-docker')]);
    assert.equal(next.status, 0, next.stderr);
    assert.equal(containersOf(), '');
  });
});
