import { buildMatrix, cellKey, explain, requirement, STATUS_SYMBOL, STATUSES, totals, type Matrix } from './matrix';
import type { ScenarioResult } from './summary';
import type { Summary } from './summary-schema';

/**
 * matrix.html: one static page a reviewer opens from disk. Everything is inline and
 * nothing is fetched; clicking a cell shows its details through the URL fragment
 * (CSS :target), so the page works without JavaScript too.
 */
export function matrixHtml(summary: Summary, regressions?: Set<string>): string {
  const matrix = buildMatrix(summary, regressions);
  const title = `sockspec: ${matrix.columns.map((column) => column.label).join(', ')}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escape(title)}</h1>
<p class="meta">${escape(runLine(summary))}</p>
${totalsTable(matrix)}
${durationChart(matrix)}
<h2>Behaviours by target</h2>
<p class="legend">${STATUSES.map((status) => `<span class="cell s-${slug(status)}">${STATUS_SYMBOL[status]} ${status}</span>`).join(' ')} <span class="cell regressed">✗ regressed</span> (pass in the baseline, fail now). Click a cell for its steps and socket transcript.</p>
${grid(matrix)}
<h2>Details</h2>
<p class="hint">Click a cell above to show its scenario here.</p>
${details(matrix)}
</body>
</html>
`;
}

function runLine(summary: Summary): string {
  const commit = summary.gitCommit ? summary.gitCommit.slice(0, 12) : 'no git commit';
  const merged = summary.mergedFrom ? `; merged from ${summary.mergedFrom.length} runs` : '';
  return `sockspec ${summary.sockspecVersion} (${commit}), ${summary.runtime} runtime, Node ${summary.node}, ${summary.platform}, kernel ${summary.kernel}; ${summary.startedAt} to ${summary.finishedAt} (${(summary.durationMs / 1000).toFixed(1)} s)${merged}`;
}

function totalsTable(matrix: Matrix): string {
  const header = `<tr><th>Target</th>${STATUSES.map((status) => `<th>${STATUS_SYMBOL[status]} ${status}</th>`).join('')}<th>Regressions</th></tr>`;
  const rows = matrix.columns.map((column, index) => {
    const counts = totals(matrix.rows.map((row) => row.cells[index]));
    const regressed = matrix.rows.filter((row) => matrix.regressions.has(cellKey(column.label, row.key))).length;
    return `<tr data-target="${escape(column.label)}"><th>${escape(column.label)}</th>${STATUSES.map((status) => `<td class="count" data-status="${status}">${counts[status]}</td>`).join('')}<td class="count">${regressed}</td></tr>`;
  });
  return `<h2>Totals</h2>\n<table class="totals">${header}${rows.join('')}</table>`;
}

function durationChart(matrix: Matrix): string {
  const durations = matrix.columns.map((_, index) => matrix.rows.reduce((sum, row) => sum + (row.cells[index]?.durationMs ?? 0), 0));
  const longest = Math.max(1, ...durations);
  const barHeight = 22;
  const labelWidth = 200;
  const barSpace = 400;
  const bars = matrix.columns.map((column, index) => {
    const y = index * barHeight;
    const width = Math.max(1, Math.round((durations[index] / longest) * barSpace));
    return (
      `<text x="${labelWidth - 6}" y="${y + 15}" text-anchor="end">${escape(column.label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 3}" width="${width}" height="${barHeight - 6}" class="bar"/>` +
      `<text x="${labelWidth + width + 6}" y="${y + 15}">${(durations[index] / 1000).toFixed(1)} s</text>`
    );
  });
  return `<h2>Time per target (sum of scenario durations)</h2>\n<svg class="chart" role="img" aria-label="scenario time per target" width="${labelWidth + barSpace + 80}" height="${matrix.columns.length * barHeight}">${bars.join('')}</svg>`;
}

function grid(matrix: Matrix): string {
  const header = `<thead><tr><th>Behaviour</th>${matrix.columns.map((column) => `<th scope="col">${escape(column.label)}</th>`).join('')}</tr></thead>`;
  const body: string[] = [];
  let feature: string | undefined;
  matrix.rows.forEach((row, rowIndex) => {
    if (row.feature !== feature) {
      feature = row.feature;
      body.push(`<tr class="feature"><th colspan="${matrix.columns.length + 1}">${escape(feature)}</th></tr>`);
    }
    const cells = row.cells.map((result, column) => {
      if (!result) return '<td class="cell absent" data-status="absent" title="not in this target\'s run">·</td>';
      const regressed = matrix.regressions.has(cellKey(matrix.columns[column].label, row.key));
      const label = regressed ? `${STATUS_SYMBOL.failed} regressed` : `${STATUS_SYMBOL[result.status]} ${result.status}`;
      return `<td class="cell s-${slug(result.status)}${regressed ? ' regressed' : ''}" data-status="${result.status}" title="${escape(explain(result))}"><a href="#${detailId(rowIndex, column)}">${label}</a></td>`;
    });
    const requirement = row.requirement ? ` <span class="requirement">${escape(row.requirement)}</span>` : '';
    body.push(`<tr data-scenario="${escape(row.key)}"><th scope="row">${escape(row.scenario)} <span class="location">${escape(row.location)}</span>${requirement}</th>${cells.join('')}</tr>`);
  });
  return `<table class="matrix">${header}<tbody>${body.join('\n')}</tbody></table>`;
}

function details(matrix: Matrix): string {
  return matrix.rows
    .flatMap((row, rowIndex) => row.cells.map((result, column) => (result ? detail(matrix.columns[column].label, result, detailId(rowIndex, column)) : '')))
    .join('\n');
}

function detail(target: string, result: ScenarioResult, id: string): string {
  const steps = result.steps?.length
    ? `<ol class="steps">${result.steps.map((step) => `<li class="step-${slug(step.status)}"><b>${escape(step.keyword)}</b> ${escape(step.text)} <i>${escape(step.status)}</i></li>`).join('')}</ol>`
    : '<p>No steps were run.</p>';
  const why = result.status === 'passed' ? '' : `<p class="why">${escape(explain(result))}</p>`;
  const transcript = result.transcript ? `<pre class="transcript">${escape(result.transcript)}</pre>` : '<p>No socket transcript: the scenario opened no client sockets.</p>';
  return `<section class="detail" id="${id}"><h3>${escape(target)}: ${escape(result.scenario)}</h3>
<p>${STATUS_SYMBOL[result.status]} <b>${escape(result.status)}</b> in ${result.durationMs} ms; ${escape(result.feature)}, ${escape(result.location)}</p>${result.id ? `<p class="requirement">${escape(requirement(result))}</p>` : ''}${why}
<h4>Steps</h4>${steps}
<h4>Socket transcript</h4>${transcript}
<p><a href="#">back to the matrix</a></p></section>`;
}

const detailId = (row: number, column: number): string => `cell-${row}-${column}`;

const slug = (text: string): string => text.replace(/\s+/g, '-');

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.5em; }
.meta, .hint, .location { color: #666; }
.location { font-size: 0.8em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
.matrix thead th { background: #f4f4f4; }
tr.feature th { background: #e8eef6; }
.count { text-align: right; }
.cell { white-space: nowrap; }
.cell a { color: inherit; text-decoration: none; display: block; }
.s-passed { background: #d9f2d9; }
.s-failed { background: #f8c9c4; font-weight: bold; }
.s-not-applicable { background: #eeeeee; color: #666; }
.s-not-runnable { background: #fde9b8; }
.s-warned { background: #fff3c4; }
.s-expected-failure { background: #e6dcf0; }
.s-fixed { background: #f8c9c4; font-weight: bold; }
.s-excluded { background: #eeeeee; color: #666; }
.requirement { display: block; color: #555; font-weight: normal; font-size: 0.8em; }
.absent { color: #aaa; text-align: center; }
.regressed { background: #c62828; color: #fff; outline: 2px solid #7f0000; }
.legend .cell { padding: 1px 6px; border: 1px solid #ccc; }
.chart text { font-size: 12px; fill: #333; }
.chart .bar { fill: #4a78b0; }
.detail { display: none; border: 1px solid #999; padding: 0 1em 1em; margin: 1em 0; }
.detail:target { display: block; }
.why { color: #a00; }
.step-failed { color: #a00; font-weight: bold; }
.step-skipped, .step-not-run { color: #888; }
.transcript { background: #f7f7f7; padding: 0.6em; overflow-x: auto; font-size: 12px; }
`;
