import { HarnessError } from '../errors';
import { byPlanOrder } from './plan-order';
import { readSummary, summaryPath, SUMMARY_SCHEMA_VERSION, type RunMetadata, type Summary, type TargetResults } from './summary-schema';

/**
 * One summary from runs made apart: one CI job per target, per runtime, or per shard
 * (`run --shard K/N`). The shards of a target on a runtime join into one entry, in the
 * order an unsharded run lists them; a scenario reported twice for the same target
 * and runtime is an error, since nobody could tell which verdict counts.
 */
export function mergeSummaries(sources: string[]): Summary {
  if (sources.length === 0) throw new HarnessError('merge needs at least one report folder or summary file');
  const runs = sources.map((source) => ({ source: summaryPath(source), summary: readSummary(source) }));
  const targets = new Map<string, TargetResults>();
  const seen = new Map<string, string>();
  for (const { source, summary } of runs) {
    for (const target of summary.targets) {
      const key = `${target.name} on the ${target.runtime} runtime`;
      for (const scenario of target.scenarios) {
        const scenarioKey = `${key}: ${scenario.location}`;
        const earlier = seen.get(scenarioKey);
        if (earlier) throw new HarnessError(`${source}: ${target.name}'s "${scenario.scenario}" on the ${target.runtime} runtime is also in ${earlier}; merge each scenario once`);
        seen.set(scenarioKey, source);
      }
      const joined = targets.get(key);
      targets.set(key, joined ? { ...joined, scenarios: [...joined.scenarios, ...target.scenarios] } : target);
    }
  }
  const metadata = runs.flatMap(({ source, summary }) => (summary.mergedFrom ?? [{ ...pickMetadata(summary), source }]));
  const startedAt = metadata.map((run) => run.startedAt).sort()[0];
  const finishedAt = metadata.map((run) => run.finishedAt).sort().at(-1)!;
  const distinct = (values: (string | null)[]): string => [...new Set(values.map((value) => value ?? 'none'))].join(', ');
  const merged: Summary = {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    sockspecVersion: distinct(metadata.map((run) => run.sockspecVersion)),
    gitCommit: metadata.some((run) => run.gitCommit) ? distinct(metadata.map((run) => run.gitCommit)) : null,
    runtime: distinct(metadata.map((run) => run.runtime)),
    node: distinct(metadata.map((run) => run.node)),
    platform: distinct(metadata.map((run) => run.platform)),
    kernel: distinct(metadata.map((run) => run.kernel)),
    startedAt,
    finishedAt,
    durationMs: Date.parse(finishedAt) - Date.parse(startedAt),
    mergedFrom: metadata,
    targets: [...targets.values()].map((target) => ({ ...target, scenarios: byPlanOrder(target.scenarios) })),
  };
  return merged;
}

function pickMetadata(summary: Summary): RunMetadata {
  const { sockspecVersion, gitCommit, runtime, node, platform, kernel, startedAt, finishedAt, durationMs, strict, timeoutScale } = summary;
  return { sockspecVersion, gitCommit, runtime, node, platform, kernel, startedAt, finishedAt, durationMs, strict, timeoutScale };
}
