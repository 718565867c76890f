import { HarnessError } from '../errors';
import { ExternalRuntime, type Endpoints } from './external-runtime';
import { ProcessRuntime } from './process-runtime';
import type { Runtime } from './runtime';

export const RUNTIMES = ['process', 'docker', 'external'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

export interface RuntimeOptions {
  log?: (line: string) => void;
  /** Where the services of an already running server are (external runtime). */
  endpoints?: Endpoints;
}

// One runtime per kind and target addresses in a process: the CLI's preflight and the
// scenarios' World share it (and with it the docker runtime's image cache and cleanup).
const created = new Map<string, Runtime>();

export function createRuntime(name: string, options: RuntimeOptions = {}): Runtime {
  const key = `${name} ${JSON.stringify(options.endpoints ?? {})}`;
  let runtime = created.get(key);
  if (!runtime) {
    runtime = newRuntime(name, options);
    created.set(key, runtime);
  }
  return runtime;
}

/** Lets every runtime this process made release what it keeps across scenarios. */
export async function finishRuntimes(): Promise<void> {
  await Promise.all([...created.values()].map((runtime) => runtime.finish()));
}

function newRuntime(name: string, options: RuntimeOptions): Runtime {
  switch (name) {
    case 'process':
      return new ProcessRuntime();
    case 'docker': {
      // Loaded on demand: testcontainers is the largest part of start-up, and only this runtime needs it.
      const { DockerRuntime } = require('./docker-runtime') as typeof import('./docker-runtime');
      return new DockerRuntime(options.log);
    }
    case 'external':
      return new ExternalRuntime(options.endpoints ?? {});
    default:
      throw new HarnessError(`--runtime ${name}: unknown runtime (known: ${RUNTIMES.join(', ')})`);
  }
}
