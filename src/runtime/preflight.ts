import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Target } from '../contract/manifest';
import { HarnessError } from '../errors';
import type { Runtime } from './runtime';
import { describeExit } from './runtime';

/**
 * Starts and stops each service once before any scenario runs, so a target that
 * cannot start at all (or ignores SIGTERM) is reported once, as a harness error
 * with its stderr, instead of as every scenario failing for the same reason.
 */
export async function preflight(runtime: Runtime, target: Target): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'sockspec-preflight-'));
  try {
    for (const service of target.manifest.services) {
      let server;
      try {
        server = await runtime.start(target, { service, host: '127.0.0.1', port: 0, backlog: 16, root });
      } catch (error) {
        throw new HarnessError(`${target.manifestPath}: ${(error as Error).message}`);
      }
      const stop = await server.stop();
      if (!stop.stoppedInTime || stop.code !== 0) {
        const how = stop.stoppedInTime ? describeExit(stop) : 'was still running 2 s after SIGTERM';
        throw new HarnessError(`${target.manifestPath}: server ${target.manifest.name} ${service} must exit with code 0 on SIGTERM, but it ${how}`);
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
