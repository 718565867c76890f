import type { Target } from '../contract/manifest';
import type { TcpConnection } from '../driver/tcp-connection';
import { pollUntil } from '../driver/wait';
import type { RunningServer, ServerControl, StopResult } from '../runtime/runtime';
import { describeExit } from '../runtime/runtime';
import { STOP_GRACE_MS } from '../runtime/server-launch';
import { awaitAcceptQueueEmpty, serverSideOf } from './tcp-states';

const STATE_TIMEOUT_MS = 5000;

/** How the target is asked to stop: the contract's SIGTERM and 2 s, or what its launch template says. */
export function stopTerms(target: Target, server: RunningServer): { signal: string; graceMs: number } {
  const launch = target.manifest.launch?.[server.service];
  return { signal: launch?.stopSignal ?? 'SIGTERM', graceMs: launch?.stopGraceMs ?? STOP_GRACE_MS };
}

/** A stop the harness asked for, as it went. */
export interface StopOutcome {
  /** Set when the server had exited by itself before it was asked to stop. */
  exitedBefore?: string;
  result: StopResult;
  elapsedMs: number;
}

/**
 * Why the stop broke the contract, or undefined if it kept it. A target of sockspec's
 * profile must exit by itself with code 0 within 2 s of SIGTERM; any other target
 * must exit within its grace period, with whatever code it uses (the transcript has it).
 */
export function stopProblem(outcome: StopOutcome, target: Target, server: RunningServer): string | undefined {
  const { signal, graceMs } = stopTerms(target, server);
  const profile = target.manifest.profile === 'sockspec';
  const rule = profile ? `on ${signal} the server must exit with code 0 within ${graceMs / 1000} s` : `on ${signal} (its stop signal) the server must exit within its grace period of ${graceMs} ms`;
  if (outcome.exitedBefore) return `${rule}, but it had already ${outcome.exitedBefore} before it was asked to stop`;
  const { result } = outcome;
  const stderr = server.stderrTail() ? `; its stderr ends: ${server.stderrTail().split('\n').join(' | ')}` : '';
  if (!result.stoppedInTime) return `${rule}, but it was still running after ${graceMs} ms and was killed with SIGKILL${stderr}`;
  if (profile && (result.signal !== null || result.code !== 0)) {
    const how = result.signal === signal ? `was killed by ${signal} (no handler: the signal's default action ended it)` : result.signal ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
    return `${rule}, but it ${how} after ${outcome.elapsedMs.toFixed(0)} ms${stderr}`;
  }
  return undefined;
}

export function describeStop(outcome: StopOutcome): string {
  return `${describeExit(outcome.result)} ${outcome.elapsedMs.toFixed(0)} ms after it was asked to stop${outcome.result.stoppedInTime ? '' : ' (killed: still running after its grace period)'}`;
}

/** Waits until the server has accepted the client's connection: it is out of the accept queue and the server's side is established. */
export async function awaitAccepted(server: RunningServer, control: ServerControl, client: TcpConnection): Promise<void> {
  await awaitAcceptQueueEmpty(server, control);
  const side = serverSideOf(server, control, client.localPort);
  if (side?.state !== 'ESTABLISHED') throw new Error(`the server's side of the connection from port ${client.localPort} is ${side?.state ?? 'gone'}, not ESTABLISHED, once accepted`);
}

/**
 * Waits until the server has read everything the client sent: the client's kernel has
 * no unacknowledged byte left (so all of it reached the server's receive queue), and
 * the server's receive queue is empty (so the server took it out).
 */
export async function awaitServerReadAll(server: RunningServer, control: ServerControl, client: TcpConnection): Promise<string> {
  let seen = '';
  await pollUntil(
    () => {
      const own = client.kernelEntry();
      const side = serverSideOf(server, control, client.localPort);
      seen = `the client's send queue holds ${own?.sendQueue ?? '?'} bytes, the server's receive queue ${side?.receiveQueue ?? '?'} (its side is ${side?.state ?? 'gone'})`;
      return own?.sendQueue === 0 && side?.state === 'ESTABLISHED' && side.receiveQueue === 0 ? true : undefined;
    },
    STATE_TIMEOUT_MS,
    () => `the server to read the bytes the client sent: ${seen}`,
  );
  return seen;
}

/**
 * Waits until the server's reply is backed up: bytes wait unacknowledged in the
 * server's send queue and unread in the client's receive queue, and the client
 * (which reads nothing) lets no more through. The server is then blocked writing,
 * or about to be; its side is still ESTABLISHED, since it has not finished the reply.
 */
export async function awaitReplyBackedUp(server: RunningServer, control: ServerControl, client: TcpConnection): Promise<string> {
  let seen = '';
  await pollUntil(
    () => {
      const own = client.kernelEntry();
      const side = serverSideOf(server, control, client.localPort);
      seen = `the server's side is ${side?.state ?? 'gone'} with ${side?.sendQueue ?? 0} bytes in its send queue, the client's receive queue holds ${own?.receiveQueue ?? 0}`;
      if (side !== undefined && side.state !== 'ESTABLISHED') throw new Error(`the server finished its reply (${seen}) although the client read nothing: the whole reply fit into the kernel's buffers`);
      return side !== undefined && side.sendQueue > 0 && (own?.receiveQueue ?? 0) > 0 ? true : undefined;
    },
    STATE_TIMEOUT_MS,
    () => `the server's reply to back up while the client reads nothing: ${seen}`,
  );
  return seen;
}
