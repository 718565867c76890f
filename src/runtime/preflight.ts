import { rmSync } from 'node:fs';
import type { Target } from '../contract/manifest';
import { TcpConnection } from '../driver/tcp-connection';
import { HarnessError } from '../errors';
import { runTempDir } from '../ownership';
import type { Runtime } from './runtime';
import { describeExit } from './runtime';

/**
 * Starts and stops each service once before any scenario runs, so a target that
 * cannot start at all (or ignores its stop signal) is reported once, as a harness
 * error with its stderr, instead of as every scenario failing for the same reason.
 * Exit code 0 is required of a target that declares sockspec's profile only.
 */
export async function preflight(runtime: Runtime, target: Target): Promise<void> {
  if (!runtime.serverControl) return checkReachable(runtime, target);
  const root = runTempDir('preflight');
  try {
    for (const service of target.manifest.services) {
      let server;
      try {
        server = await runtime.start(target, { service, host: '127.0.0.1', port: 0, backlog: 16, root });
      } catch (error) {
        throw new HarnessError(`${target.manifestPath}: ${(error as Error).message}`);
      }
      const stop = await server.stop().finally(() => runtime.release(server!));
      const signal = target.manifest.launch?.[service]?.stopSignal ?? 'SIGTERM';
      // A server that does not stop would outlive every scenario; the exit code is sockspec's profile only.
      if (!stop.stoppedInTime || (stop.code !== 0 && target.manifest.profile === 'sockspec')) {
        const how = stop.stoppedInTime ? describeExit(stop) : `was still running after its grace period (${signal})`;
        throw new HarnessError(`${target.manifestPath}: server ${target.manifest.name} ${service} must ${target.manifest.profile === 'sockspec' ? 'exit with code 0' : 'exit'} on ${signal}, but it ${how}`);
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** For servers the harness does not start: every TCP service must at least accept a connection. */
async function checkReachable(runtime: Runtime, target: Target): Promise<void> {
  for (const service of target.manifest.services) {
    if (service === 'udp-echo') continue;
    const server = await runtime.start(target, { service, host: '127.0.0.1', port: 0, backlog: 0 });
    try {
      (await TcpConnection.open(server.host, server.port, 3000)).close();
    } catch (error) {
      throw new HarnessError(`${target.manifest.name} ${service} at ${server.host}:${server.port} is not reachable: ${(error as Error).message}`);
    } finally {
      await runtime.release(server);
    }
  }
}
