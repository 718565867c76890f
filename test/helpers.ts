import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after } from 'node:test';
import type { Target } from '../src/contract/manifest';
import { pollUntil } from '../src/driver/wait';
import type { ScenarioResult } from '../src/report/summary';

export const PROJECT = resolve(__dirname, '..');
export const TEST_TARGETS = join(__dirname, 'fixtures', 'targets');
const CLI = join(PROJECT, 'bin', 'sockspec.js');

const FAKE_SERVER = join(__dirname, 'fixtures', 'fake-server.js');

/** A target whose server is test/fixtures/fake-server.js with one of its behaviours: an echo server that needs no build. */
export function fakeTarget(behaviour: string): Target {
  return {
    dir: __dirname,
    manifestPath: join(__dirname, 'target.json'),
    manifest: { name: behaviour, language: 'js', description: 'fake', server: [process.execPath, FAKE_SERVER, behaviour], services: ['echo'] },
  };
}

/** A temporary folder removed when the test file finishes. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `sockspec-test-${prefix}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

// A long run's output can pass the default 1 MiB output limit, which would kill it.
const cliOptions = (timeoutMs: number) => ({ cwd: PROJECT, encoding: 'utf8' as const, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 });

/** Runs the real CLI in a child process, as a user or CI would. */
export function runCli(args: string[], timeoutMs = 300_000): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], cliOptions(timeoutMs));
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** runCli without blocking the event loop, so that several runs can go at once. */
export function runCliAsync(args: string[], timeoutMs = 300_000): Promise<CliResult> {
  return new Promise((resolveRun) => {
    const child = execFile(process.execPath, [CLI, ...args], cliOptions(timeoutMs), (_error, stdout, stderr) =>
      resolveRun({ status: child.exitCode, stdout, stderr }),
    );
  });
}

/**
 * A loopback port held for a test, so that the TIME_WAIT assassination below can bind
 * it again: a connection bound to it explicitly, to a listener of its own. libuv sets
 * SO_REUSEADDR on every TCP bind, so the test's own sockets may bind the port too; and
 * while a socket is bound to it, no other process's connect() is given it (the kernel's
 * choice of an ephemeral port skips ports sockets were bound to). Without it, a port
 * freed by the test's own close is soon in use by some other connection of a busy
 * machine, and binding it fails with EADDRINUSE.
 */
export async function holdPort(): Promise<{ port: number; release: () => void }> {
  const anchor = createServer((socket) => socket.resume());
  await new Promise<void>((resolveListen) => anchor.listen(0, '127.0.0.1', resolveListen));
  const holder = connect({ host: '127.0.0.1', port: (anchor.address() as AddressInfo).port, localAddress: '127.0.0.1', localPort: 0 });
  await new Promise<void>((resolveConnect, rejectConnect) => holder.once('connect', resolveConnect).once('error', rejectConnect));
  const release = (): void => {
    holder.destroy();
    anchor.close();
  };
  after(release);
  return { port: holder.localPort!, release };
}

/**
 * Kills the TIME_WAIT entry of the connection between two loopback ports, as RFC 1337's
 * TIME-WAIT assassination does: a SYN from `fromPort` (held with holdPort) draws an ACK
 * from the entry, as nothing listens on `toPort` to take the SYN over; the connecting
 * socket answers that ACK with a reset, and the reset kills the entry. Resolves once
 * `gone()` says the kernel dropped it. A new SYN is sent each time the last attempt ended
 * with the entry still there (binding `fromPort` fails while the socket that had it is
 * still in LAST_ACK).
 */
export async function killTimeWaitEntry(fromPort: number, toPort: number, gone: () => boolean): Promise<void> {
  let assassin: Socket | undefined;
  const failures: string[] = [];
  const sendSyn = (): void => {
    const attempt = connect({ host: '127.0.0.1', port: toPort, localAddress: '127.0.0.1', localPort: fromPort });
    attempt.on('error', (error: NodeJS.ErrnoException) => failures.push(error.code ?? error.message));
    attempt.on('close', () => {
      if (assassin === attempt) assassin = undefined;
    });
    assassin = attempt;
  };
  try {
    await pollUntil(
      () => {
        if (gone()) return true;
        if (!assassin) sendSyn();
        return undefined;
      },
      5000,
      () => `a reset to kill the TIME_WAIT entry between ports ${fromPort} and ${toPort} (the SYNs from ${fromPort} ended: ${[...new Set(failures)].join(', ') || 'none yet'})`,
    );
  } finally {
    assassin?.destroy();
  }
}

/** One negative control's run at the scenarios its fault names. */
export interface ControlRun {
  name: string;
  expected: string[];
  status: number | null;
  stderr: string;
  results: ScenarioResult[];
}

/**
 * Runs every control at the scenarios its `fault.expectedFailures` names, each run a CLI
 * of its own, two at a time (most of a short run is builds and server starts, which
 * overlap well). `--strict`: a control caught by a @should scenario warns otherwise.
 */
export async function runControlsAtTheirScenarios(controls: Target[], runtimeArgs: string[]): Promise<ControlRun[]> {
  const queue = [...controls];
  const runs: ControlRun[] = [];
  const worker = async (): Promise<void> => {
    for (let control = queue.shift(); control; control = queue.shift()) {
      const { name, fault } = control.manifest;
      const expected = fault!.expectedFailures;
      const reportDir = tempDir('control');
      const { status, stderr } = await runCliAsync(['run', ...runtimeArgs, '--strict', '--target', name, ...expected.flatMap((id) => ['--id', id]), '--report-dir', reportDir], 1_200_000);
      const results = (JSON.parse(readFileSync(join(reportDir, 'summary.json'), 'utf8')) as { targets: { scenarios: ScenarioResult[] }[] }).targets[0]?.scenarios ?? [];
      runs.push({ name, expected, status, stderr, results });
    }
  };
  await Promise.all([worker(), worker()]);
  return runs;
}

/** A scenario's verdict as two runs must agree on it: where it is, its status, and for a failure the step it failed at. */
export function verdictLine(target: string, result: ScenarioResult): string {
  return `${target} ${result.location} ${result.status}${result.failedStep ? ` at "${result.failedStep}"` : ''}`;
}

/**
 * Every control's verdicts, control by control, in a fixed order: for comparing two runs
 * of the controls. The verdict, not the step it failed at: where a bug races the
 * scenario's first check (an abortive close: the reset may land before the reply is
 * read, or after), either step may be the one that sees it.
 */
export function controlVerdicts(runs: ControlRun[]): string[] {
  return [...runs]
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((run) => [`${run.name} exit ${run.status}`, ...run.results.map((result) => `${run.name} ${result.location} ${result.status}`)]);
}
