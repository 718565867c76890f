import type Dockerode from 'dockerode';
import type { WaitStrategy } from 'testcontainers';
import type { Service } from '../contract/manifest';
import { formatAddress } from '../driver/transcript';
import { pollUntil } from '../driver/wait';
import type { BoundSocket } from '../kernel/process-sockets';
import { listeningWhereAsked, protocolOf } from './launch';
import { describeExit, type ServerExit } from './runtime';

/** Where a launched program was told to listen. */
export interface ListenTarget {
  host: string;
  port: number;
  service: Service;
}

/**
 * `"ready": "listen"`, for a program that prints nothing when it is ready: waits until
 * the kernel shows a process of the tree under `rootPid` holding a socket bound where
 * the program was told to listen. Never a connect probe, which an iterative or one-shot
 * server would count as a client. Resolves "exited" if the program ends first; the
 * timeout names the address, and any other address the program bound instead.
 */
export async function awaitListening(rootPid: number, hasExited: () => boolean, expected: ListenTarget, timeoutMs: number): Promise<'listening' | 'exited'> {
  let elsewhere: BoundSocket[] = [];
  return pollUntil(
    () => {
      if (hasExited()) return 'exited' as const;
      const seen = listeningWhereAsked(rootPid, expected);
      elsewhere = seen.elsewhere;
      return seen.ready ? ('listening' as const) : undefined;
    },
    timeoutMs,
    () =>
      `a ${protocolOf(expected.service).toUpperCase()} socket of its process tree bound on ${formatAddress(expected.host, expected.port)}` +
      (elsewhere.length > 0 ? `; it listens on ${elsewhere.map((socket) => formatAddress(socket.address, socket.port)).join(', ')} instead: does its config take {host} and {port}?` : ''),
    10,
  );
}

/** Why a launched program that exited before it listened did so, with the usual cause of a clean exit. */
export function exitedBeforeListening(exit: ServerExit, expected: ListenTarget): string {
  const background = exit.code === 0 ? ': went to the background? use its foreground flag (nginx: daemon off; lighttpd: -D; xinetd: -dontfork)' : '';
  return `exited (${describeExit(exit)}) before listening on ${formatAddress(expected.host, expected.port)}${background}`;
}

/**
 * The same wait as a testcontainers wait strategy: the container's processes are read
 * from the host's /proc (they are ordinary processes of this kernel, in namespaces of
 * their own), starting at the container's first process.
 */
export class ListeningInContainer implements WaitStrategy {
  private startupTimeoutMs = 10_000;
  private timeoutSet = false;

  constructor(
    private readonly expected: ListenTarget,
    private readonly hasExited: () => boolean,
  ) {}

  async waitUntilReady(container: Dockerode.Container): Promise<void> {
    const { State } = await container.inspect();
    const outcome = State.Running ? await awaitListening(State.Pid, this.hasExited, this.expected, this.startupTimeoutMs) : 'exited';
    if (outcome === 'exited') throw new Error('the container exited');
  }

  withStartupTimeout(startupTimeoutMs: number): this {
    this.startupTimeoutMs = startupTimeoutMs;
    this.timeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.timeoutSet;
  }

  getStartupTimeout(): number {
    return this.startupTimeoutMs;
  }
}
