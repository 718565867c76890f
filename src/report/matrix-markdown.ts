import { buildMatrix, cellKey, explain, STATUSES, totals } from './matrix';
import { NOT_CHECKED, type Verdict } from '../verdicts';
import type { Summary } from './summary-schema';

// Emoji carry the colour in a pull-request comment; the words carry the meaning without it.
const MARK: Record<Verdict, string> = {
  passed: '✅ passed',
  failed: '❌ failed',
  warned: '⚠️ warned',
  'expected failure': '🔕 expected failure',
  fixed: '🔧 fixed',
  'not applicable': '➖ n/a',
  'not runnable': '⛔ not runnable',
  excluded: '🚫 excluded',
};

// The verdicts listed with their reasons below the matrix, under these headings.
const SECTIONS: [string, ReadonlySet<Verdict>][] = [
  ['Failures', new Set(['failed', 'fixed'])],
  ['Warnings (the standard allows it; a SHOULD, or only sockspec asks)', new Set(['warned'])],
  ['Expected failures', new Set(['expected failure'])],
];

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
    lines.push(row([entry.feature, `${entry.scenario} (${entry.location})${entry.requirement ? ` — ${entry.requirement}` : ''}`, ...cells]));
  }

  for (const [heading, verdicts] of SECTIONS) {
    const listed = matrix.rows.flatMap((entry) =>
      entry.cells.flatMap((result, index) => (result && verdicts.has(result.status) ? [`- **${labels[index]}**: ${MARK[result.status]}: ${entry.scenario} (${entry.location}) ${explain(result)}`] : [])),
    );
    if (listed.length > 0) lines.push('', `### ${heading}`, '', ...listed.map(inline));
  }

  // Neither is a pass, so a reader must see why each was not checked; one line per scenario and reason.
  const unchecked = new Map<string, string[]>();
  for (const entry of matrix.rows) {
    entry.cells.forEach((result, index) => {
      if (!result || !NOT_CHECKED.has(result.status)) return;
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
