import { execFileSync } from 'node:child_process';
import { processTree } from './process-sockets';
import { readOptional, readdirOrEmpty, statFields, threadStates } from './proc-net';

/**
 * What a process and its descendants use, from /proc alone: CPU time (/proc/<pid>/stat),
 * resident memory (/proc/<pid>/status) and what each of their threads is doing. Summed
 * over the tree, so a server that forks a child per client is measured whole.
 */

export interface ProcessUsage {
  /** User and system CPU time of every process in the tree, reaped children included, in ms. */
  cpuMs: number;
  /** The sum of the processes' VmRSS (pages shared between them count in each), in bytes. */
  residentBytes: number;
  processes: number;
  /** The most descriptors one process of the tree holds open (RLIMIT_NOFILE limits each process alone). */
  mostDescriptors: number;
}

/** The tree's usage, or undefined once `pid` is gone. */
export function processTreeUsage(pid: number): ProcessUsage | undefined {
  if (!readOptional(`/proc/${pid}/stat`)) return undefined;
  let cpuTicks = 0;
  let residentKiB = 0;
  let processes = 0;
  let mostDescriptors = 0;
  for (const member of processTree(pid)) {
    const times = statFields(`/proc/${member}/stat`);
    // A process that vanished meanwhile is skipped: its time moved to its parent's reaped-children total.
    if (!times) continue;
    processes += 1;
    // utime, stime, cutime, cstime: fields 14 to 17. A live process's own time is in the first two;
    // a reaped child's moved into its parent's last two, so the sum over the live tree counts each tick once.
    cpuTicks += times.slice(11, 15).reduce((sum, field) => sum + Number(field), 0);
    residentKiB += statusKiB(member, 'VmRSS') ?? 0;
    mostDescriptors = Math.max(mostDescriptors, readdirOrEmpty(`/proc/${member}/fd`).length);
  }
  return { cpuMs: (cpuTicks * 1000) / clockTicksPerSecond(), residentBytes: residentKiB * 1024, processes, mostDescriptors };
}

/** The one-letter state of every thread of every process in the tree ("S" sleeping, "R" running...). */
export function treeThreadStates(pid: number): string[] {
  return processTree(pid).flatMap(threadStates);
}

/** The soft limit on open descriptors of process `pid` ("Max open files" in /proc/<pid>/limits); undefined if unreadable. */
export function openFilesLimit(pid: number | 'self'): number | undefined {
  const line = readOptional(`/proc/${pid}/limits`).split('\n').find((candidate) => candidate.startsWith('Max open files'));
  const soft = line?.split(/\s{2,}/)[1];
  if (soft === undefined) return undefined;
  return soft === 'unlimited' ? Infinity : Number(soft);
}

function statusKiB(pid: number, field: string): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readOptional(`/proc/${pid}/status`));
  return match ? Number(match[1]) : undefined;
}

let ticksPerSecond: number | undefined;

/** The unit of /proc's CPU times (sysconf(_SC_CLK_TCK)): 100 on every Linux this runs on, asked once. */
function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}
