import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeOnCleanup } from './cleanup';

/**
 * What a run makes outside itself carries the pid of the sockspec process that made
 * it, so that if the run is killed outright (SIGKILL: no exit handler runs) the next
 * run can tell what is abandoned (its owner is gone) from what belongs to a run still
 * under way, and remove only the former (see leftovers.ts).
 */

/** Set in the environment of every target process (and so of its children): the pid of the sockspec that started it. */
export const OWNER_ENV = 'SOCKSPEC_OWNER_PID';

/** Temporary folders of a run are named sockspec-<pid>-<purpose>-XXXXXX. */
export const TEMP_DIR_NAME = /^sockspec-(\d+)-/;

/** A fresh temporary folder named for this process, removed when the run ends, or by the next run if this one is killed. */
export function runTempDir(purpose: string): string {
  const dir = mkdtempSync(join(tmpdir(), `sockspec-${process.pid}-${purpose}-`));
  removeOnCleanup(dir);
  return dir;
}

/** The environment a target process starts with: ours, plus who owns it. */
export function ownedEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env, [OWNER_ENV]: String(process.pid) };
}

/** Whether a process with this pid exists (any state but reaped). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
