import { RUNTIMES, type RuntimeName } from './runtime';

/** What the CLI hands to each Cucumber run (as worldParameters): which target, on which runtime. */
export interface SockspecParameters {
  targetDir: string;
  runtime: RuntimeName;
}

export function isSockspecParameters(value: unknown): value is SockspecParameters {
  const candidate = value as Partial<SockspecParameters> | undefined;
  return typeof candidate?.targetDir === 'string' && (RUNTIMES as readonly string[]).includes(candidate.runtime ?? '');
}
