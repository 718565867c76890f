import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runTempDir } from './ownership';
import { runSuite, type SuiteOptions } from './suite';

export interface FlakeReport {
  rounds: number;
  scenarios: number;
  /**
   * Scenarios whose verdict was not the same in every round, with the verdict of each
   * round and the message of every round that failed: a flake is only fixable with its evidence.
   */
  changed: { scenario: string; verdicts: string[]; failures: { round: number; message: string }[] }[];
}

/**
 * Runs the same suite `rounds` times and lists every scenario whose verdict changed:
 * the flake detector. Zero is the only acceptable answer for a conformance suite.
 */
export async function repeatSuite(options: Omit<SuiteOptions, 'reportDir'>, rounds: number, onRound: (round: number) => void): Promise<FlakeReport> {
  const scratch = runTempDir('repeat');
  const verdicts = new Map<string, string[]>();
  const failures = new Map<string, { round: number; message: string }[]>();
  for (let round = 0; round < rounds; round++) {
    const outcomes = await runSuite({ ...options, reportDir: join(scratch, `round-${round}`), progressStream: new PassThrough().resume() });
    for (const { target, results } of outcomes) {
      for (const result of results) {
        const key = `${target.manifest.name}: ${result.scenario} (${result.location})`;
        const list = verdicts.get(key) ?? Array<string>(round).fill('absent');
        // Messages carry timings and counts; the verdict is the status and, for a failure, the step.
        list.push(result.status === 'failed' ? `failed at "${result.failedStep}"` : result.status);
        verdicts.set(key, list);
        if (result.status === 'failed') failures.set(key, [...(failures.get(key) ?? []), { round: round + 1, message: result.message ?? '' }]);
      }
    }
    for (const list of verdicts.values()) if (list.length < round + 1) list.push('absent');
    onRound(round + 1);
  }
  const changed = [...verdicts.entries()]
    .filter(([, list]) => new Set(list).size > 1)
    .map(([scenario, list]) => ({ scenario, verdicts: list, failures: failures.get(scenario) ?? [] }));
  return { rounds, scenarios: verdicts.size, changed };
}
