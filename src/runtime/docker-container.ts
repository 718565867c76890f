import './testcontainers-settings';
import { constants } from 'node:os';
import { GenericContainer, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import type { ServerExit, ServerLimits } from './runtime';

/** The port every server listens on inside its container; the harness reaches it through a mapping on 127.0.0.1. */
export const CONTAINER_PORT = 7000;
export type BindMount = Parameters<GenericContainer['withBindMounts']>[0][number];

/** A container whose network namespace may carry sysctls, and which reports how it exits. */
export class TargetContainer extends GenericContainer {
  exited: Promise<ServerExit> | undefined;
  /** Set once the container has exited. */
  exit: ServerExit | undefined;

  /**
   * Runs the server under Docker's init (tini) instead of as PID 1. The kernel
   * never applies a default signal action to a namespace's PID 1, so as PID 1 a
   * server that forgot to ignore SIGPIPE would survive a broken pipe in a
   * container and die of it everywhere else: the bug would hide.
   */
  withInit(): this {
    this.hostConfig.Init = true;
    return this;
  }

  /** The signal `docker stop` sends (to Docker's init, which passes it on to the server). */
  withStopSignal(signal: NodeJS.Signals): this {
    this.createOpts.StopSignal = signal;
    return this;
  }

  withSysctls(sysctls: Record<string, string> | undefined): this {
    if (sysctls) this.hostConfig.Sysctls = { ...sysctls };
    return this;
  }

  /** The container's ulimits: every process in it starts under them. */
  withLimits(limits: ServerLimits | undefined): this {
    if (limits) this.hostConfig.Ulimits = [{ Name: 'nofile', Soft: limits.openFiles, Hard: limits.openFiles }];
    return this;
  }

  // Watch for the exit from the moment the container exists: testcontainers
  // removes a container that fails its wait strategy, and its exit code with it.
  protected override async containerCreated(containerId: string): Promise<void> {
    this.exited = (await dockerContainer(containerId))
      // "next-exit": the container has not even started yet, so the default ("not-running") would answer at once.
      .wait({ condition: 'next-exit' })
      .then((result: { StatusCode: number }) => (this.exit = exitFromStatus(result.StatusCode)));
  }
}

/** The Docker API's handle on a container: pause, wait and inspect go to Docker itself. */
export async function dockerContainer(id: string) {
  return (await getContainerRuntimeClient()).container.dockerode.getContainer(id);
}

/** Docker (and its init) report a process killed by signal N as exit status 128 + N. */
export function exitFromStatus(status: number): ServerExit {
  if (status > 128) {
    const signal = Object.entries(constants.signals).find(([, number]) => number === status - 128)?.[0] as NodeJS.Signals | undefined;
    if (signal) return { code: null, signal };
  }
  return { code: status, signal: null };
}

export async function removeContainer(container: StartedTestContainer): Promise<void> {
  await container.stop({ timeout: 0, remove: true }).catch(() => undefined);
}

/** Removals under way, which `finish` waits for. */
const pendingRemovals = new Set<Promise<void>>();

/**
 * Removes a container whose process has exited, or that holds a namespace no one
 * uses any more, without waiting: nothing depends on its removal but the tidiness
 * of the engine, and the run's exit removes whatever is still there (onCleanup).
 */
export function removeInBackground(container: StartedTestContainer): void {
  const removal = removeContainer(container).finally(() => pendingRemovals.delete(removal));
  pendingRemovals.add(removal);
}

/** Waits for the removals under way. */
export async function awaitPendingRemovals(): Promise<void> {
  await Promise.all(pendingRemovals);
}
