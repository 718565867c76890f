import { RUNTIMES, type RuntimeName } from './runtime';
import type { Endpoints } from './runtime/external-runtime';

/** What the CLI hands to each Cucumber run (as worldParameters): which target, on which runtime. */
export interface SockspecParameters {
  targetDir: string;
  runtime: RuntimeName;
  /** For the external runtime: the target's name and where each of its services runs. */
  external?: { name: string; endpoints: Endpoints };
  /** --fresh-servers: every scenario starts its own servers, none is kept for the next. */
  freshServers?: boolean;
  /**
   * A folder where each worker writes what failed outside its scenarios (the last stop of a
   * server kept to the end), one file per worker process: Cucumber has no report for an
   * AfterAll hook's failure, and a hook that throws ends the whole run.
   */
  runFailuresDir?: string;
}

export function isSockspecParameters(value: unknown): value is SockspecParameters {
  const candidate = value as Partial<SockspecParameters> | undefined;
  return typeof candidate?.targetDir === 'string' && (RUNTIMES as readonly string[]).includes(candidate.runtime ?? '');
}
