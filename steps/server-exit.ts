import { setDefinitionFunctionWrapper } from '@cucumber/cucumber';
import { withTimeout } from '../src/driver/wait';
import { describeExit } from '../src/runtime/runtime';
import { SockspecWorld } from './world';

/**
 * How long a failed step waits for the server's exit to be reported: a crash resets
 * the client's connection a moment before the runtime hears the process end.
 */
const EXIT_NOTICE_MS = 250;

/**
 * A step that fails because the server crashed would otherwise report only its
 * symptom ("connection reset", "timed out"). Every step and hook is wrapped so its
 * failure names the cause: "the server exited (...) ; its stderr ends: ...".
 */
setDefinitionFunctionWrapper((code: (...args: unknown[]) => unknown) => {
  return async function (this: unknown, ...args: unknown[]) {
    try {
      return await code.apply(this, args);
    } catch (error) {
      if (!(this instanceof SockspecWorld) || !(error instanceof Error)) throw error;
      throw await withServerExit(this, error);
    }
  };
});

async function withServerExit(world: SockspecWorld, error: Error): Promise<Error> {
  // A server somebody asked to stop exits because of it: that is no crash.
  if (!world.server || world.server.stoppedBy || /server exited|exited \(/.test(error.message)) return error;
  const server = world.server.running;
  const exit = server.exit ?? (await withTimeout(server.exited, EXIT_NOTICE_MS, 'the server to exit').catch(() => undefined));
  if (!exit) return error;
  const stderr = server.stderrTail();
  const message = `${error.message}; server exited (${describeExit(exit)}) mid-scenario; ${stderr ? `its stderr ends: ${stderr.split('\n').join(' | ')}` : 'its stderr was empty'}`;
  // Cucumber reports the stack, whose first line is the message: both must say it.
  const decorated = new Error(message);
  decorated.stack = [message, ...(error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line))].join('\n');
  return decorated;
}
