import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OWNER_ENV, TEMP_DIR_NAME, processAlive } from './ownership';
import { removeAbandonedContainers } from './runtime/container-owners';
import { removeNetworksOwned } from './runtime/docker-ipv6-network';

/**
 * Removes what killed sockspec runs left behind (target processes, temporary
 * folders, containers), found by the owner pid each carries (ownership.ts). Every
 * run calls it first, so a SIGKILLed run is cleaned up by the next one.
 */

export interface Abandoned {
  processes: number[];
  tempDirs: string[];
}

/** Removes what killed sockspec runs left: their target processes, temporary folders and containers. */
export function removeAbandoned(): Abandoned {
  const processes = abandonedProcesses();
  for (const pid of processes) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone in the meantime: nothing to remove.
    }
  }
  const tempDirs = abandonedTempDirs();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  removeAbandonedContainers();
  removeNetworksOwned();
  return { processes, tempDirs };
}

/** Target processes whose owning sockspec is gone; only Linux shows another process's environment. */
export function abandonedProcesses(): number[] {
  return ownedProcesses().filter(({ owner }) => !processAlive(owner)).map(({ pid }) => pid);
}

/** Every process started by a sockspec run, with the pid of that run; read from /proc, so Linux only. */
export function ownedProcesses(): { pid: number; owner: number }[] {
  if (process.platform !== 'linux') return [];
  const marker = `${OWNER_ENV}=`;
  const found: { pid: number; owner: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let environment: string;
    try {
      environment = readFileSync(`/proc/${entry}/environ`, 'latin1');
    } catch {
      continue; // Not ours to read, or already gone.
    }
    const variable = environment.split('\0').find((line) => line.startsWith(marker));
    if (variable) found.push({ pid: Number(entry), owner: Number(variable.slice(marker.length)) });
  }
  return found;
}

export function abandonedTempDirs(): string[] {
  return readdirSync(tmpdir())
    .map((name) => ({ name, owner: TEMP_DIR_NAME.exec(name)?.[1] }))
    .filter(({ owner }) => owner !== undefined && !processAlive(Number(owner)))
    .map(({ name }) => join(tmpdir(), name));
}

/** removeAbandoned, saying what it removed: an earlier run was killed, which a user should know. */
export function removeAbandonedAndSay(log: (line: string) => void): void {
  const { processes, tempDirs } = removeAbandoned();
  if (processes.length > 0) log(`killed ${processes.length} target process(es) an earlier, killed sockspec run left running (pids ${processes.join(', ')})`);
  if (tempDirs.length > 0) log(`removed ${tempDirs.length} temporary folder(s) an earlier, killed sockspec run left`);
}
