import { readdirSync } from 'node:fs';
import { processState, readNetCounter, readTcpSockets, type TcpSocketEntry } from '../kernel/proc-net';
import { boundSockets, type BoundSocket } from '../kernel/process-sockets';
import { processTreeUsage, treeThreadStates, type ProcessUsage } from '../kernel/process-usage';
import type { ServerControl } from './runtime';

/** How a runtime stops and resumes a server: signals for a process, the cgroup freezer for a container. */
export interface Freezer {
  freeze(): Promise<void>;
  thaw(): Promise<void>;
}

/**
 * Server control through Linux's /proc of the server's host pid: its descriptor
 * table, and the TCP table and counters of its network namespace. The same for a
 * local process and for a container's process, seen from the host.
 */
export class ProcControl implements ServerControl {
  constructor(
    private readonly pid: () => number | undefined,
    private readonly freezer: Freezer,
  ) {}

  freeze(): Promise<void> {
    return this.freezer.freeze();
  }

  thaw(): Promise<void> {
    return this.freezer.thaw();
  }

  descriptorCount(): number | undefined {
    const pid = this.livePid();
    if (pid === undefined) return undefined;
    try {
      return readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      return undefined;
    }
  }

  tcpSockets(port?: number): TcpSocketEntry[] {
    return readTcpSockets(this.requireLivePid(), port);
  }

  boundSockets(): BoundSocket[] {
    return boundSockets(this.requireLivePid());
  }

  netCounter(name: string): number {
    return readNetCounter(this.requireLivePid(), name);
  }

  usage(): ProcessUsage | undefined {
    const pid = this.livePid();
    return pid === undefined ? undefined : processTreeUsage(pid);
  }

  threadStates(): string[] {
    return treeThreadStates(this.requireLivePid());
  }

  /** The pid while the process lives; a process that died but is not yet reaped has only empty /proc entries. */
  livePid(): number | undefined {
    const pid = this.pid();
    if (pid === undefined || processState(pid) === undefined || processState(pid) === 'Z') return undefined;
    return pid;
  }

  private requireLivePid(): number {
    const pid = this.livePid();
    if (pid === undefined) throw new Error('the server is not running');
    return pid;
  }
}
