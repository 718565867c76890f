import { cellKey, explain, haveIds, scenarioKeys, targetLabels } from './matrix';
import type { ScenarioResult } from './summary';
import type { Summary } from './summary-schema';

export interface ScenarioChange {
  target: string;
  /** The scenario's identity across runs (see scenarioKeys). */
  key: string;
  /** Its row in the new run's matrix, which keys by ID even when the base has none. */
  matrixKey?: string;
  base?: ScenarioResult;
  next?: ScenarioResult;
}

export interface SummaryDiff {
  /** Passed in the base, failed now. */
  regressions: ScenarioChange[];
  /** Failed in the base, passed now. */
  fixes: ScenarioChange[];
  added: ScenarioChange[];
  removed: ScenarioChange[];
  /** Any other change of status (e.g. passed to not runnable), or the same status for a different reason. */
  changed: ScenarioChange[];
}

/**
 * Every result of a summary by its identity across runs: target name, runtime and
 * scenario. Not by the matrix's column label, which adds the runtime only where a
 * summary holds a name twice: a merged summary of two runtimes would otherwise share
 * no cell with a single run, and its regressions would pass as new and removed.
 */
function indexResults(summary: Summary, byId: boolean): Map<string, { target: string; key: string; matrixKey: string; result: ScenarioResult }> {
  const labels = targetLabels(summary);
  const matrixById = haveIds(summary.targets.map((target) => target.scenarios));
  const index = new Map<string, { target: string; key: string; matrixKey: string; result: ScenarioResult }>();
  summary.targets.forEach((target, column) => {
    const matrixKeys = scenarioKeys(target.scenarios, matrixById);
    scenarioKeys(target.scenarios, byId).forEach((key, row) => {
      index.set(cellKey(`${target.name} (${target.runtime})`, key), { target: labels[column], key, matrixKey: matrixKeys[row], result: target.scenarios[row] });
    });
  });
  return index;
}

const reasonOf = (result: ScenarioResult): string => [result.failedStep, result.message, result.reason].filter(Boolean).join(' ');

export function diffSummaries(base: Summary, next: Summary): SummaryDiff {
  // By ID where both runs have them; a baseline from before IDs is matched by feature and scenario name.
  const byId = haveIds([...base.targets, ...next.targets].map((target) => target.scenarios));
  const before = indexResults(base, byId);
  const after = indexResults(next, byId);
  const diff: SummaryDiff = { regressions: [], fixes: [], added: [], removed: [], changed: [] };
  for (const [id, { target, key, matrixKey, result }] of after) {
    const old = before.get(id)?.result;
    const change = { target, key, matrixKey, base: old, next: result };
    if (!old) diff.added.push(change);
    else if (old.status === 'passed' && result.status === 'failed') diff.regressions.push(change);
    else if (old.status === 'failed' && result.status === 'passed') diff.fixes.push(change);
    else if (old.status !== result.status || reasonOf(old) !== reasonOf(result)) diff.changed.push(change);
  }
  for (const [id, { target, key, result }] of before) {
    if (!after.has(id)) diff.removed.push({ target, key, base: result });
  }
  return diff;
}

/** The cells `buildMatrix` marks as regressed. */
export const regressionCells = (diff: SummaryDiff): Set<string> => new Set(diff.regressions.map((change) => cellKey(change.target, change.matrixKey ?? change.key)));

/** The diff as Markdown, for a pull-request comment, a CI job summary or a terminal. */
export function diffMarkdown(diff: SummaryDiff, baseName: string, nextName: string): string {
  const lines = [`## sockspec diff: ${baseName} → ${nextName}`, ''];
  const counts = `${diff.regressions.length} regressions, ${diff.fixes.length} fixes, ${diff.added.length} new, ${diff.removed.length} removed, ${diff.changed.length} changed`;
  lines.push(diff.regressions.length > 0 ? `**${counts}**` : counts);
  const section = (title: string, changes: ScenarioChange[], describe: (change: ScenarioChange) => string): void => {
    if (changes.length === 0) return;
    lines.push('', `### ${title}`, '', ...changes.map((change) => `- **${change.target}**: ${named(change)}: ${describe(change).replace(/\s*\n\s*/g, ' ')}`));
  };
  section('Regressions (passed before, fail now)', diff.regressions, (change) => explain(change.next!));
  section('Fixes (failed before, pass now)', diff.fixes, (change) => `was ${explain(change.base!)}`);
  section('New scenarios', diff.added, (change) => statusLine(change.next!));
  section('Removed scenarios', diff.removed, (change) => `was ${statusLine(change.base!)}`);
  section('Changed', diff.changed, (change) => `${statusLine(change.base!)} → ${statusLine(change.next!)}`);
  return `${lines.join('\n')}\n`;
}

/** The scenario as a reader finds it: its ID with its name, or its feature and name where a summary from before IDs takes part. */
function named(change: ScenarioChange): string {
  const result = change.next ?? change.base!;
  return result.id && change.key.startsWith(result.id) ? `${change.key} (${result.scenario})` : change.key;
}

const statusLine = (result: ScenarioResult): string => (result.status === 'passed' ? 'passed' : `${result.status} (${explain(result)})`);
