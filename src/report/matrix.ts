import { VERDICTS, type Verdict } from '../verdicts';
import type { ScenarioResult } from './summary';
import type { Summary, TargetResults } from './summary-schema';

/** One target's column: a bundled target's name, with its runtime where a merged summary holds it more than once. */
export interface MatrixColumn {
  label: string;
  target: TargetResults;
}

export interface MatrixRow {
  key: string;
  feature: string;
  scenario: string;
  location: string;
  /** ID, level and source (see `requirement`), or '' for a summary that predates them. */
  requirement: string;
  /** Per column, in column order; undefined where that target's run did not include the scenario. */
  cells: (ScenarioResult | undefined)[];
}

export interface Matrix {
  columns: MatrixColumn[];
  /** Grouped by feature, features and scenarios in the order the runs met them. */
  rows: MatrixRow[];
  /** Keys `cellKey(column label, row key)` of the cells that passed in the baseline and fail now. */
  regressions: Set<string>;
}

export const cellKey = (column: string, row: string): string => `${column} / ${row}`;

/** Column labels of a summary's targets: the name, or "name (runtime)" where a name appears twice. */
export function targetLabels(summary: Summary): string[] {
  const count = (name: string): number => summary.targets.filter((target) => target.name === name).length;
  return summary.targets.map((target) => (count(target.name) > 1 ? `${target.name} (${target.runtime})` : target.name));
}

/**
 * A scenario's identity across runs: its ID, or where a summary from before IDs takes
 * part (`byId` false), feature and scenario name; never the file's line (editing a
 * feature file moves lines). An outline's examples share ID and name, so the second
 * and later ones are numbered.
 */
export function scenarioKeys(scenarios: ScenarioResult[], byId = haveIds([scenarios])): string[] {
  const seen = new Map<string, number>();
  return scenarios.map((result) => {
    const base = byId && result.id ? result.id : `${result.feature}: ${result.scenario}`;
    const occurrence = (seen.get(base) ?? 0) + 1;
    seen.set(base, occurrence);
    return occurrence === 1 ? base : `${base} #${occurrence}`;
  });
}

/** Whether every scenario of these lists has an ID (a schema 1 summary has none). */
export const haveIds = (lists: ScenarioResult[][]): boolean => lists.every((scenarios) => scenarios.every((result) => result.id !== undefined));

export function buildMatrix(summary: Summary, regressions: Set<string> = new Set()): Matrix {
  const labels = targetLabels(summary);
  const byId = haveIds(summary.targets.map((target) => target.scenarios));
  const columns = summary.targets.map((target, index) => ({ label: labels[index], target }));
  const rows = new Map<string, MatrixRow>();
  summary.targets.forEach((target, column) => {
    scenarioKeys(target.scenarios, byId).forEach((key, index) => {
      const result = target.scenarios[index];
      let row = rows.get(key);
      if (!row) {
        row = { key, feature: result.feature, scenario: result.scenario, location: result.location, requirement: requirement(result), cells: columns.map(() => undefined) };
        rows.set(key, row);
      }
      row.cells[column] = result;
    });
  });
  const featureOrder = [...new Set([...rows.values()].map((row) => row.feature))];
  const ordered = [...rows.values()].sort((a, b) => featureOrder.indexOf(a.feature) - featureOrder.indexOf(b.feature));
  return { columns, rows: ordered, regressions };
}

export const STATUS_SYMBOL: Record<Verdict, string> = {
  passed: '✓',
  failed: '✗',
  warned: '!',
  'expected failure': '≈',
  fixed: '★',
  'not applicable': '–',
  'not runnable': '⊘',
  excluded: '∅',
};

export const STATUSES = VERDICTS;

export function totals(results: (ScenarioResult | undefined)[]): Record<Verdict, number> {
  const counts = Object.fromEntries(VERDICTS.map((verdict) => [verdict, 0])) as Record<Verdict, number>;
  for (const result of results) if (result) counts[result.status] += 1;
  return counts;
}

/** What a cell's hover and the Markdown say about a result: why it did not pass, or was not run. */
export function explain(result: ScenarioResult): string {
  const failure = result.failedStep ? `at "${result.failedStep}": ${result.message ?? 'no message'}` : '';
  if (result.status === 'failed') return [failure || 'at an unknown step', result.reason].filter(Boolean).join('; ');
  if (result.reason) return [result.reason, failure].filter(Boolean).join('; ');
  return `${result.durationMs} ms`;
}

/** The requirement beside a scenario in every report: its ID, level and source. */
export function requirement(result: Pick<ScenarioResult, 'id' | 'level' | 'source'>): string {
  return [result.id, result.level && `@${result.level}`, result.source].filter(Boolean).join(' · ');
}
