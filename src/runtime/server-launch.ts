import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ServerExit, ServerRequest } from './runtime';
import { describeExit } from './runtime';

/** The one line a server prints on stdout once it listens. */
export const LISTENING_LINE = /^LISTENING (\d{1,5})$/;

/** The contract gives a server this long to exit after SIGTERM. */
export const STOP_GRACE_MS = 2000;

/** How much of a server's stdout the runtimes keep: far more than the one line the contract allows. */
export const STDOUT_KEPT_BYTES = 64 * 1024;

/** The contract's command line: `<service> --host H --port N --backlog N [--root DIR]`, the options in the order asked for. */
export function serverArgs(request: ServerRequest): string[] {
  const options: [string, string][] = [
    ['--host', request.host],
    ['--port', String(request.port)],
    ['--backlog', String(request.backlog)],
  ];
  if (request.root !== undefined) options.push(['--root', request.root]);
  if (request.optionOrder === 'reversed') options.reverse();
  return [request.service, ...options.flat()];
}

/** How many lines of stderr (and of a log file) a start error or a crash report shows. */
const TAIL_LINES = 5;

/**
 * The last lines a server wrote on stderr, followed, for a program that logs to a file
 * (a launch's `log`), by that file's last lines: where it says why it did not start.
 */
export function outputTail(stderr: string, logFile?: string): string {
  const lastLines = (text: string): string[] => text.trim().split('\n').filter(Boolean).slice(-TAIL_LINES);
  const lines = lastLines(stderr);
  if (logFile !== undefined) {
    let log = '';
    try {
      log = readFileSync(logFile, 'utf8');
    } catch {
      // Not written (yet): nothing to show.
    }
    lines.push(...lastLines(log).map((line) => `${basename(logFile)}: ${line}`));
  }
  return lines.join('\n');
}

/** Adds `chunk` to what was kept of a stream, up to STDOUT_KEPT_BYTES. */
export function keepStdout(kept: string, chunk: Buffer | string): string {
  return kept.length >= STDOUT_KEPT_BYTES ? kept : (kept + chunk.toString()).slice(0, STDOUT_KEPT_BYTES);
}

/** A server that did not come up: why, how it exited, and what it said on stderr. */
export class ServerStartError extends Error {
  constructor(
    readonly what: string,
    readonly reason: string,
    readonly exit: ServerExit | undefined,
    readonly stderrTail: string,
  ) {
    const stderr = stderrTail ? `; stderr: ${stderrTail.split('\n').join(' | ')}` : '; stderr was empty';
    super(`server ${what} ${reason}${exit && !reason.includes('exited') ? ` (${describeExit(exit)})` : ''}${stderr}`);
    this.name = 'ServerStartError';
  }
}
