import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after } from 'node:test';
import { pollUntil } from '../src/driver/wait';

export const PROJECT = resolve(__dirname, '..');
export const TEST_TARGETS = join(__dirname, 'fixtures', 'targets');
const CLI = join(PROJECT, 'bin', 'sockspec.js');

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
 * Kills the TIME_WAIT entry of the connection between two loopback ports, as RFC 1337's
 * TIME-WAIT assassination does: a SYN from `fromPort` (free to bind) draws an ACK from
 * the entry, as nothing listens on `toPort` to take the SYN over; the connecting socket
 * answers that ACK with a reset, and the reset kills the entry. Resolves once `gone()`
 * says the kernel dropped it.
 */
export async function killTimeWaitEntry(fromPort: number, toPort: number, gone: () => boolean): Promise<void> {
  const assassin = connect({ host: '127.0.0.1', port: toPort, localAddress: '127.0.0.1', localPort: fromPort });
  assassin.on('error', () => {});
  try {
    await pollUntil(() => (gone() ? true : undefined), 5000, `a reset to kill the TIME_WAIT entry between ports ${fromPort} and ${toPort}`);
  } finally {
    assassin.destroy();
  }
}
