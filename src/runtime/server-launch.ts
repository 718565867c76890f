import type { ServerExit, ServerRequest } from './runtime';
import { describeExit } from './runtime';

/** The one line a server prints on stdout once it listens. */
export const LISTENING_LINE = /^LISTENING (\d{1,5})$/;

/** The contract gives a server this long to exit after SIGTERM. */
export const STOP_GRACE_MS = 2000;

/** The contract's command line: `<service> --host H --port N --backlog N [--root DIR]`. */
export function serverArgs(request: ServerRequest): string[] {
  const args = [request.service, '--host', request.host, '--port', String(request.port), '--backlog', String(request.backlog)];
  if (request.root !== undefined) args.push('--root', request.root);
  return args;
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
