import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Target } from './contract/manifest';
import { HarnessError } from './errors';

export const SKIPPED_DIRS: ReadonlySet<string> = new Set(['.git', 'node_modules']);

export function cacheDir(): string {
  return process.env.SOCKSPEC_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'sockspec');
}

/**
 * A digest of every file in the target folder, build outputs included: if it matches
 * the digest recorded right after the last successful build, neither the sources nor
 * the outputs changed and the build is skipped. No list of outputs is needed.
 */
export function folderDigest(dir: string, extraDirs: string[] = [], skippedDirs: ReadonlySet<string> = SKIPPED_DIRS): string {
  const hash = createHash('sha256');
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (!skippedDirs.has(entry.name)) walk(path);
      } else if (entry.isFile()) {
        hash.update(relative(dir, path)).update('\0').update(readFileSync(path)).update('\0');
      }
    }
  };
  for (const folder of [dir, ...extraDirs]) walk(folder);
  return hash.digest('hex');
}

const targetDigest = (target: Target): string =>
  folderDigest(target.dir, (target.manifest.buildInputs ?? []).map((input) => resolve(target.dir, input)));

export interface BuildOutcome {
  skipped: boolean;
}

/** Runs the manifest's `build` command in the target folder unless nothing changed since the last build. */
export async function buildTarget(target: Target, log: (line: string) => void = () => {}): Promise<BuildOutcome> {
  const command = target.manifest.build;
  if (command === undefined) return { skipped: true };
  const stampFile = join(cacheDir(), 'builds.json');
  const stamps = readStamps(stampFile);
  if (stamps[target.dir] === targetDigest(target)) return { skipped: true };

  log(`building ${target.manifest.name}: ${command}`);
  const { code, signal, output } = await runShell(command, target.dir);
  if (code !== 0) {
    const tail = output.trim().split('\n').slice(-1)[0] ?? '';
    throw new HarnessError(
      `${target.manifestPath}: build "${command}" failed (${signal ?? `exit ${code}`})${tail ? `: ${tail}` : ''}`,
    );
  }
  stamps[target.dir] = targetDigest(target);
  mkdirSync(cacheDir(), { recursive: true });
  writeFileSync(stampFile, JSON.stringify(stamps, null, 2));
  return { skipped: false };
}

function readStamps(file: string): Record<string, string> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

function runShell(command: string, cwd: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, output }));
  });
}
