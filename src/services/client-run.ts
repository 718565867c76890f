import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Target } from '../contract/manifest';
import { runTempDir } from '../ownership';
import type { ClientExit, Runtime } from '../runtime/runtime';
import { describeExit } from '../runtime/runtime';

/** The client gets this much time beyond its own timeout before the harness kills it. */
const KILL_MARGIN_MS = 10_000;
export const DEFAULT_CLIENT_TIMEOUT_MS = 10_000;
/** A client step may take the client's longest timeout, the kill margin, and a container's start and removal on a loaded machine. */
export const CLIENT_STEP_TIMEOUT_MS = 60_000;

export interface FileFetch {
  host: string;
  port: number;
  name: string;
  timeoutMs: number;
}

/** One run of the target's file client, and where it was told to save the file. */
export class FileClientRun {
  private constructor(
    readonly exit: ClientExit,
    readonly elapsedMs: number,
    readonly outDir: string,
    readonly outPath: string,
  ) {}

  /**
   * Runs `<client> file --host H --port P --name NAME --out PATH --timeout-ms N`
   * with PATH in a fresh folder of its own, which `discard` removes.
   */
  static async run(runtime: Runtime, target: Target, fetch: FileFetch): Promise<FileClientRun> {
    const outDir = runTempDir('client');
    const outPath = join(outDir, 'fetched');
    const args = ['file', '--host', fetch.host, '--port', String(fetch.port), '--name', fetch.name, '--out', outPath, '--timeout-ms', String(fetch.timeoutMs)];
    const startedAt = performance.now();
    const exit = await runtime.runClient(target, { args, outDir, killAfterMs: fetch.timeoutMs + KILL_MARGIN_MS });
    return new FileClientRun(exit, performance.now() - startedAt, outDir, outPath);
  }

  /** Files the client left in its folder. */
  leftovers(): string[] {
    return readdirSync(this.outDir);
  }

  describe(): string {
    const how = this.exit.killed ? `was still running after ${Math.round(this.elapsedMs)} ms and was killed` : `ended with ${describeExit(this.exit)} after ${Math.round(this.elapsedMs)} ms`;
    return `the client ${how}${this.exit.output ? `; its output: ${this.exit.output.split('\n').slice(-5).join(' | ')}` : ', printing nothing'}`;
  }

  discard(): void {
    rmSync(this.outDir, { recursive: true, force: true });
  }
}
