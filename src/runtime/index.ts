import { HarnessError } from '../errors';
import { DockerRuntime } from './docker-runtime';
import { ProcessRuntime } from './process-runtime';
import type { Runtime } from './runtime';

export const RUNTIMES = ['process', 'docker'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

export function createRuntime(name: string, log?: (line: string) => void): Runtime {
  switch (name) {
    case 'process':
      return new ProcessRuntime();
    case 'docker':
      return new DockerRuntime(log);
    default:
      throw new HarnessError(`--runtime ${name}: unknown runtime (known: ${RUNTIMES.join(', ')})`);
  }
}
