import { HarnessError } from '../errors';
import { readSummary, summaryPath, SUMMARY_SCHEMA_VERSION, type RunMetadata, type Summary } from './summary-schema';

/**
 * One summary from runs made apart (one CI job per target or per runtime). A target
 * may appear once per runtime; the same target on the same runtime twice is an error,
 * since nobody could tell which verdict counts.
 */
export function mergeSummaries(sources: string[]): Summary {
  if (sources.length === 0) throw new HarnessError('merge needs at least one report folder or summary file');
  const runs = sources.map((source) => ({ source: summaryPath(source), summary: readSummary(source) }));
  const seen = new Map<string, string>();
  for (const { source, summary } of runs) {
    for (const target of summary.targets) {
      const id = `${target.name} on the ${target.runtime} runtime`;
      const earlier = seen.get(id);
      if (earlier) throw new HarnessError(`${source}: ${id} is also in ${earlier}; merge each target and runtime once`);
      seen.set(id, source);
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
    targets: runs.flatMap(({ summary }) => summary.targets),
  };
  return merged;
}

function pickMetadata(summary: Summary): RunMetadata {
  const { sockspecVersion, gitCommit, runtime, node, platform, kernel, startedAt, finishedAt, durationMs } = summary;
  return { sockspecVersion, gitCommit, runtime, node, platform, kernel, startedAt, finishedAt, durationMs };
}
