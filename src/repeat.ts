import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runTempDir } from './ownership';
import { runSuite, type SuiteOptions } from './suite';
import { DID_NOT_PASS } from './verdicts';

export interface FlakeReport {
  rounds: number;
  scenarios: number;
  /**
   * Scenarios whose verdict was not the same in every round, with the verdict of each
   * round and the message of every round that failed: a flake is only fixable with its evidence.
   */
  changed: { scenario: string; verdicts: string[]; failures: { round: number; message: string }[] }[];
}

interface RoundOutcome {
  verdict: string;
  message?: string;
}

/**
 * Runs the same suite `rounds` times and lists every scenario whose verdict changed:
 * the flake detector. Zero is the only acceptable answer for a conformance suite.
 */
export async function repeatSuite(options: Omit<SuiteOptions, 'reportDir'>, rounds: number, onRound: (round: number) => void): Promise<FlakeReport> {
  const scratch = runTempDir('repeat');
  // Per scenario, each round's verdict and, for a failure, its message.
  const outcomes = new Map<string, RoundOutcome[]>();
  for (let round = 0; round < rounds; round++) {
    const targets = await runSuite({ ...options, reportDir: join(scratch, `round-${round}`), progressStream: new PassThrough().resume() });
    for (const { target, results } of targets) {
      for (const result of results) {
        const key = `${target.manifest.name}: ${result.id ? `${result.id} ` : ''}${result.scenario} (${result.location})`;
        const list = outcomes.get(key) ?? Array.from({ length: round }, (): RoundOutcome => ({ verdict: 'absent' }));
        // Messages carry timings and counts; the verdict is the status and, for a failure, the step.
        list.push(DID_NOT_PASS.has(result.status) ? { verdict: `${result.status} at "${result.failedStep}"`, message: result.message ?? '' } : { verdict: result.status });
        outcomes.set(key, list);
      }
    }
    for (const list of outcomes.values()) if (list.length < round + 1) list.push({ verdict: 'absent' });
    onRound(round + 1);
  }
  const changed = [...outcomes.entries()]
    .filter(([, list]) => new Set(list.map(({ verdict }) => verdict)).size > 1)
    .map(([scenario, list]) => ({
      scenario,
      verdicts: list.map(({ verdict }) => verdict),
      failures: list.flatMap(({ message }, index) => (message === undefined ? [] : [{ round: index + 1, message }])),
    }));
  return { rounds, scenarios: outcomes.size, changed };
}
