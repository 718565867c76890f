import { buildMatrix, cellKey, explain, STATUSES, totals } from './matrix';
import type { ScenarioResult } from './summary';
import type { Summary } from './summary-schema';

// Emoji carry the colour in a pull-request comment; the words carry the meaning without it.
const MARK: Record<ScenarioResult['status'], string> = {
  passed: '✅ passed',
  failed: '❌ failed',
  'not applicable': '➖ n/a',
  'not runnable': '⛔ not runnable',
};

/** matrix.md: the matrix for a pull-request comment or a CI job summary. */
export function matrixMarkdown(summary: Summary, regressions?: Set<string>): string {
  const matrix = buildMatrix(summary, regressions);
  const labels = matrix.columns.map((column) => column.label);
  const lines = [`## sockspec: ${labels.join(', ')}`, ''];
  lines.push(`sockspec ${summary.sockspecVersion}${summary.gitCommit ? ` (${summary.gitCommit.slice(0, 12)})` : ''}, ${summary.runtime} runtime, ${summary.platform}, kernel ${summary.kernel}`, '');

  lines.push(row(['Target', ...STATUSES, 'regressed']), row(['---', ...STATUSES.map(() => '---:'), '---:']));
  matrix.columns.forEach((column, index) => {
    const counts = totals(matrix.rows.map((entry) => entry.cells[index]));
    const regressed = matrix.rows.filter((entry) => matrix.regressions.has(cellKey(column.label, entry.key))).length;
    lines.push(row([column.label, ...STATUSES.map((status) => String(counts[status])), String(regressed)]));
  });
  lines.push('');

  lines.push(row(['Feature', 'Scenario', ...labels]), row(['---', '---', ...labels.map(() => '---')]));
  for (const entry of matrix.rows) {
    const cells = entry.cells.map((result, index) => {
      if (!result) return '·';
      return matrix.regressions.has(cellKey(labels[index], entry.key)) ? '🔻 **regressed**' : MARK[result.status];
    });
    lines.push(row([entry.feature, `${entry.scenario} (${entry.location})`, ...cells]));
  }

  const failures = matrix.rows.flatMap((entry) =>
    entry.cells.flatMap((result, index) => (result?.status === 'failed' ? [`- **${labels[index]}**: ${entry.scenario} (${entry.location}) ${explain(result)}`] : [])),
  );
  if (failures.length > 0) lines.push('', '### Failures', '', ...failures.map(inline));

  // Neither is a pass, so a reader must see why each was not checked; one line per scenario and reason.
  const unchecked = new Map<string, string[]>();
  for (const entry of matrix.rows) {
    entry.cells.forEach((result, index) => {
      if (!result || result.status === 'passed' || result.status === 'failed') return;
      const line = `- ${MARK[result.status]}: ${entry.scenario} (${entry.location}): ${result.reason}`;
      unchecked.set(line, [...(unchecked.get(line) ?? []), labels[index]]);
    });
  }
  if (unchecked.size > 0) lines.push('', '### Not checked, and why', '', ...[...unchecked].map(([line, targets]) => inline(`${line} (${targets.join(', ')})`)));
  return `${lines.join('\n')}\n`;
}

const row = (cells: string[]): string => `| ${cells.map((cell) => inline(cell).replace(/\|/g, '\\|')).join(' | ')} |`;

// A table cell or list item is one line.
const inline = (text: string): string => text.replace(/\s*\n\s*/g, ' ');
