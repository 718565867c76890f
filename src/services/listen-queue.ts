import { ConnectError, TcpConnection } from '../driver/tcp-connection';
import type { Transcript } from '../driver/transcript';
import { pollUntil } from '../driver/wait';
import { readTcpSockets } from '../kernel/proc-net';
import type { RunningServer, ServerControl } from '../runtime/runtime';

export const LISTEN_OVERFLOWS = 'TcpExt.ListenOverflows';

// A dropped SYN is retransmitted after 1 s, then 3 s, 7 s...: a waiting attempt
// may need several seconds to complete once the queue has room again.
const WAITING_ATTEMPT_TIMEOUT_MS = 15_000;
const ATTEMPT_DECISION_TIMEOUT_MS = 3000;
const MAX_ATTEMPTS = 300;

/** A connection attempt that has not necessarily finished. */
export class ConnectAttempt {
  state: 'waiting' | 'connected' | 'failed' = 'waiting';
  connection: TcpConnection | undefined;
  error: ConnectError | undefined;
  readonly settled: Promise<void>;

  /** `signal` abandons the attempt (and its connection, if made) when the scenario ends. */
  constructor(host: string, port: number, signal?: AbortSignal, transcript?: Transcript) {
    this.settled = TcpConnection.open(host, port, WAITING_ATTEMPT_TIMEOUT_MS, signal, transcript).then(
      (connection) => {
        this.state = 'connected';
        this.connection = connection;
      },
      (error: ConnectError) => {
        this.state = 'failed';
        this.error = error;
      },
    );
  }

  describe(): string {
    if (this.state === 'failed') return `failed: ${this.error?.message}`;
    return this.state;
  }
}

/** Whether one of the harness's own sockets is waiting for the answer to its SYN to `port`. */
export function waitingForSynAck(port: number): boolean {
  return readTcpSockets(process.pid, port).some((entry) => entry.remotePort === port && entry.state === 'SYN_SENT');
}

/** What happened when clients connected one by one to a server that does not accept. */
export interface QueueProbe {
  completed: TcpConnection[];
  /** The first attempt that did not complete (its SYN dropped, or refused); undefined if all completed. */
  firstIncomplete: ConnectAttempt | undefined;
  overflowsBefore: number;
  overflowsAfter: number;
}

/**
 * Connects clients one after another to a frozen server until an attempt does not
 * complete. Each attempt is decided by the kernel, not by a timer: it either
 * connects, fails, or the server namespace's ListenOverflows counter rises while
 * it waits (its SYN was dropped).
 */
export async function fillListenQueue(server: RunningServer, control: ServerControl, signal?: AbortSignal, transcript?: Transcript): Promise<QueueProbe> {
  const overflowsBefore = control.netCounter(LISTEN_OVERFLOWS);
  const completed: TcpConnection[] = [];
  for (let attempts = 0; attempts < MAX_ATTEMPTS; attempts++) {
    const overflowsNow = control.netCounter(LISTEN_OVERFLOWS);
    const attempt = new ConnectAttempt(server.host, server.port, signal, transcript);
    const outcome = await pollUntil(
      () => {
        if (attempt.state === 'connected') return 'connected';
        if (attempt.state === 'failed') return 'failed';
        // The counter is the namespace's, not the server's: only together with our own
        // handshake still unanswered (SYN_SENT) does its rise mean our SYN was dropped.
        return control.netCounter(LISTEN_OVERFLOWS) > overflowsNow && waitingForSynAck(server.port) ? 'dropped' : undefined;
      },
      ATTEMPT_DECISION_TIMEOUT_MS,
      `connection attempt ${attempts + 1} to complete, fail, or raise ListenOverflows`,
      1,
    );
    if (outcome === 'connected') {
      completed.push(attempt.connection!);
      continue;
    }
    return { completed, firstIncomplete: attempt, overflowsBefore, overflowsAfter: control.netCounter(LISTEN_OVERFLOWS) };
  }
  return { completed, firstIncomplete: undefined, overflowsBefore, overflowsAfter: control.netCounter(LISTEN_OVERFLOWS) };
}
