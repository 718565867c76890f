import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after } from 'node:test';

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
