import type { Envelope } from '@cucumber/messages';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Writable } from 'node:stream';
import type { Target } from '../../src/contract/manifest';
import { readTcpSockets } from '../../src/kernel/proc-net';
import { runSuite } from '../../src/suite';
import { stats, type Stats } from './stats';

export interface OverheadFigures {
  scenarios: number;
  /** Event-loop time the harness was busy per scenario: its own work, not the waits. */
  busyMs: Stats;
  /** Scenario wall time, for comparison: mostly waiting on the target, the kernel and the behaviour's own timers. */
  wallMs: Stats;
  /** TCP sockets in the namespace as each scenario ended: every TCP state check reads them all. */
  tcpSocketsInNamespace: Stats;
  /** The scenarios where the harness was busiest. */
  busiest: { scenario: string; busyMs: number; wallMs: number }[];
}

/**
 * The harness's overhead per scenario, measured as the time its event loop is busy
 * (Node's event-loop utilisation) between the scenario's start and end. Everything
 * the behaviour requires the harness to wait for (the target's replies, a SYN
 * retransmit, the server's exit after SIGTERM) is idle time and does not count; what
 * counts is Cucumber, the World, the driver and the checks. The suite runs in this
 * process, one scenario at a time, so the loop is the scenario's alone.
 */
export async function measureHarnessOverhead(target: Target, reportDir: string, progressStream: Writable): Promise<OverheadFigures> {
  const pickles = new Map<string, string>();
  const testCases = new Map<string, string>();
  const running = new Map<string, { elu: EventLoopUtilization; startedAt: number; name: string }>();
  const measured: { scenario: string; busyMs: number; wallMs: number }[] = [];
  const tableSizes: number[] = [];
  const onMessage = (envelope: Envelope): void => {
    if (envelope.pickle) pickles.set(envelope.pickle.id, envelope.pickle.name);
    else if (envelope.testCase) testCases.set(envelope.testCase.id, pickles.get(envelope.testCase.pickleId) ?? '?');
    else if (envelope.testCaseStarted) {
      const name = testCases.get(envelope.testCaseStarted.testCaseId) ?? '?';
      running.set(envelope.testCaseStarted.id, { elu: performance.eventLoopUtilization(), startedAt: performance.now(), name });
    } else if (envelope.testCaseFinished) {
      const start = running.get(envelope.testCaseFinished.testCaseStartedId)!;
      const elu = performance.eventLoopUtilization(start.elu);
      measured.push({ scenario: start.name, busyMs: round(elu.active), wallMs: round(performance.now() - start.startedAt) });
      // Read between scenarios: outside every measured window.
      tableSizes.push(readTcpSockets(process.pid).length);
    }
  };
  await runSuite({ targets: [target], runtime: 'process', reportDir, progressFormat: 'progress', progressStream, log: () => {}, onMessage });
  return {
    scenarios: measured.length,
    busyMs: stats(measured.map((entry) => entry.busyMs)),
    wallMs: stats(measured.map((entry) => entry.wallMs)),
    tcpSocketsInNamespace: stats(tableSizes),
    busiest: [...measured].sort((a, b) => b.busyMs - a.busyMs).slice(0, 5),
  };
}

const round = (value: number): number => Math.round(value * 10) / 10;
