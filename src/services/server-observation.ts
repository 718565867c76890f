import { pollUntil } from '../driver/wait';
import type { RunningServer, ServerControl } from '../runtime/runtime';
import { describeServerExit } from './liveness';

const CLOSE_TIMEOUT_MS = 5000;

/**
 * Waits until the server holds no more descriptors than `baseline` (it has closed
 * the connections opened since), failing at once if the server exits meanwhile.
 * The kernel's descriptor table is the signal: nothing is inferred from elapsed time.
 * With `bound`, closing within that many ms (never scaled) is the behaviour under
 * test, and the timeout says what a server that misses it fails to do. Returns how
 * long it took.
 */
export async function waitUntilConnectionsClosed(
  server: RunningServer,
  control: ServerControl,
  baseline: number | undefined,
  bound?: { withinMs: number; missedBy: string },
): Promise<number> {
  if (baseline === undefined) throw new Error('no descriptor baseline was taken before the clients connected');
  const started = Date.now();
  let last: number | undefined;
  await pollUntil(
    () => {
      if (server.exit) throw new Error(`the server ${describeServerExit(server)}`);
      last = control.descriptorCount();
      return last !== undefined && last <= baseline ? true : undefined;
    },
    bound?.withinMs ?? CLOSE_TIMEOUT_MS,
    () => `the server to close its connections: it holds ${last} descriptors, ${baseline} before the clients came${bound ? `; ${bound.missedBy}` : ''}`,
    5,
    bound === undefined,
  );
  return Date.now() - started;
}
