export const TIMEOUT_SCALE_VARIABLE = 'SOCKSPEC_TIMEOUT_SCALE';

/**
 * `--timeout-scale`: the factor every wait's timeout is multiplied by, for slow machines.
 * The CLI sets it in the environment, so parallel workers see it too. Limits that are
 * themselves the behaviour under test (a server's 2 s to exit, "refused at once") are
 * never scaled.
 */
export function timeoutScale(): number {
  const scale = Number(process.env[TIMEOUT_SCALE_VARIABLE] ?? 1);
  return Number.isFinite(scale) && scale > 0 ? scale : 1;
}

/** A wait's timeout with the run's --timeout-scale applied. */
export const scaled = (timeoutMs: number): number => Math.round(timeoutMs * timeoutScale());

/** Rejects with "timed out after N ms waiting for <what>" unless `promise` settles first. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = scaled(timeoutMs);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${limit} ms waiting for ${what}`)), limit);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls a kernel-side fact (a /proc counter, a process state) until it holds. Used
 * where the kernel offers no event to wait on; the interval is short because each
 * check is a cheap read. `scaleTimeout` false: the timeout is a bound the behaviour
 * under test must keep, which --timeout-scale leaves as it is.
 */
export async function pollUntil<T>(
  read: () => T | undefined,
  timeoutMs: number,
  what: string | (() => string),
  intervalMs = 5,
  scaleTimeout = true,
): Promise<T> {
  const limit = scaleTimeout ? scaled(timeoutMs) : timeoutMs;
  const deadline = Date.now() + limit;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${limit} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolveTick) => setTimeout(resolveTick, intervalMs));
  }
}

export const pause = (ms: number): Promise<void> => new Promise((resolvePause) => setTimeout(resolvePause, ms));
