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
 * A scenario's identity across runs: feature and scenario name, not the file's line
 * (editing a feature file moves lines); an outline's examples share a name, so the
 * second and later ones are numbered.
 */
export function scenarioKeys(scenarios: ScenarioResult[]): string[] {
  const seen = new Map<string, number>();
  return scenarios.map((result) => {
    const base = `${result.feature}: ${result.scenario}`;
    const occurrence = (seen.get(base) ?? 0) + 1;
    seen.set(base, occurrence);
    return occurrence === 1 ? base : `${base} #${occurrence}`;
  });
}

export function buildMatrix(summary: Summary, regressions: Set<string> = new Set()): Matrix {
  const labels = targetLabels(summary);
  const columns = summary.targets.map((target, index) => ({ label: labels[index], target }));
  const rows = new Map<string, MatrixRow>();
  summary.targets.forEach((target, column) => {
    scenarioKeys(target.scenarios).forEach((key, index) => {
      const result = target.scenarios[index];
      let row = rows.get(key);
      if (!row) {
        row = { key, feature: result.feature, scenario: result.scenario, location: result.location, cells: columns.map(() => undefined) };
        rows.set(key, row);
      }
      row.cells[column] = result;
    });
  });
  const featureOrder = [...new Set([...rows.values()].map((row) => row.feature))];
  const ordered = [...rows.values()].sort((a, b) => featureOrder.indexOf(a.feature) - featureOrder.indexOf(b.feature));
  return { columns, rows: ordered, regressions };
}

export const STATUS_SYMBOL: Record<ScenarioResult['status'], string> = {
  passed: '✓',
  failed: '✗',
  'not applicable': '–',
  'not runnable': '⊘',
};

export const STATUSES = Object.keys(STATUS_SYMBOL) as ScenarioResult['status'][];

export function totals(results: (ScenarioResult | undefined)[]): Record<ScenarioResult['status'], number> {
  const counts = { passed: 0, failed: 0, 'not applicable': 0, 'not runnable': 0 };
  for (const result of results) if (result) counts[result.status] += 1;
  return counts;
}

/** What a cell's hover and the Markdown say about a result: why it failed or was not run. */
export function explain(result: ScenarioResult): string {
  if (result.status === 'failed') return `at "${result.failedStep ?? 'unknown step'}": ${result.message ?? 'no message'}`;
  if (result.reason) return result.reason;
  return `${result.durationMs} ms`;
}
