import { execFileSync, type ExecFileSyncOptionsWithStringEncoding } from 'node:child_process';
import { processAlive } from '../ownership';

/**
 * Containers sockspec starts carry its label and the pid of the sockspec process
 * that owns them, so each run removes its own, and the next run removes those of a
 * run that was killed. Only the docker CLI is used: 'exit' handlers cannot wait, and
 * this module must stay cheap to load (every run calls removeAbandonedContainers).
 */
export const SOCKSPEC_LABEL = 'sockspec';
export const OWNER_LABEL = 'sockspec.owner-pid';

export function ownedLabels(): Record<string, string> {
  return { [SOCKSPEC_LABEL]: 'true', [OWNER_LABEL]: String(process.pid) };
}

// Where no engine runs, docker's own complaint is no news to a process-runtime user.
const QUIET_QUERY: ExecFileSyncOptionsWithStringEncoding = { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] };

/** Removes every container a sockspec process labelled as its own; 'exit' handlers cannot wait, so this uses the CLI. */
export function removeContainersOwnedBy(pid: number): void {
  try {
    const ids = execFileSync('docker', ['ps', '--all', '--quiet', '--filter', `label=${OWNER_LABEL}=${pid}`], QUIET_QUERY).split('\n').filter(Boolean);
    if (ids.length > 0) execFileSync('docker', ['rm', '--force', ...ids], { stdio: 'ignore' });
  } catch {
    // No engine left to ask: nothing of ours can be running there either.
  }
}

/** Removes containers left by a sockspec that was killed before it could clean up. */
export function removeAbandonedContainers(): void {
  let lines: string[];
  try {
    lines = execFileSync('docker', ['ps', '--all', '--filter', `label=${SOCKSPEC_LABEL}`, '--format', `{{.ID}} {{.Label "${OWNER_LABEL}"}}`], QUIET_QUERY)
      .split('\n')
      .filter(Boolean);
  } catch {
    return;
  }
  const abandonedOwners = new Set(lines.map((line) => Number(line.split(' ')[1])).filter((owner) => !processAlive(owner)));
  for (const owner of abandonedOwners) removeContainersOwnedBy(owner);
}
