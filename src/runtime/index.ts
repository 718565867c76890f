import { HarnessError } from '../errors';
import { ProcessRuntime } from './process-runtime';
import type { Runtime } from './runtime';

export const RUNTIMES = ['process'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

export function createRuntime(name: string): Runtime {
  switch (name) {
    case 'process':
      return new ProcessRuntime();
    default:
      throw new HarnessError(`--runtime ${name}: unknown runtime (known: ${RUNTIMES.join(', ')})`);
  }
}
