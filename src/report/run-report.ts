import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../paths';
import type { TargetOutcome } from '../suite';
import { diffSummaries, regressionCells, type SummaryDiff } from './diff';
import { matrixHtml } from './matrix-html';
import { matrixMarkdown } from './matrix-markdown';
import { parseSummary, SUMMARY_FILE, SUMMARY_SCHEMA_VERSION, type RunMetadata, type Summary } from './summary-schema';

export { SUMMARY_FILE };
export const MATRIX_HTML = 'matrix.html';
export const MATRIX_MARKDOWN = 'matrix.md';

export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
}

/** Reports belong to the project sockspec runs in, not to the sockspec package: ./reports/<run-id>. */
export function defaultReportDir(): string {
  return join(process.cwd(), 'reports', newRunId());
}

/** How a run judged and waited: --strict and --timeout-scale. */
export interface RunSettings {
  strict: boolean;
  timeoutScale: number;
}

/** What ran where: the facts a reader needs to reproduce or compare a run. */
export function runMetadata(runtime: string, startedAt: Date, finishedAt: Date, settings: RunSettings): RunMetadata {
  // The commit of the project under test (the working directory's repository), not of sockspec's own folder.
  const git = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: process.cwd(), encoding: 'utf8' });
  return {
    sockspecVersion: (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    gitCommit: git.status === 0 ? git.stdout.trim() : null,
    runtime,
    node: process.versions.node,
    platform: `${process.platform} ${process.arch}`,
    kernel: release(),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    ...settings,
  };
}

export interface RunReportOptions {
  settings: RunSettings;
  /** Against this earlier run, the matrix marks regressions. */
  baseline?: Summary;
  /** Why a run that ended early lists only the scenarios that ran. */
  incomplete?: string;
}

export interface RunReport {
  summaryFile: string;
  summary: Summary;
  /** Against `--baseline`, when one was given. */
  diff?: SummaryDiff;
}

/** Writes summary.json, matrix.html and matrix.md of a run. */
export function writeRunReport(reportDir: string, runtime: string, outcomes: TargetOutcome[], startedAt: Date, { settings, baseline, incomplete }: RunReportOptions): RunReport {
  const summary = parseSummary(
    {
      schemaVersion: SUMMARY_SCHEMA_VERSION,
      ...runMetadata(runtime, startedAt, new Date(), settings),
      ...(incomplete ? { incomplete } : {}),
      targets: outcomes.map(({ target, results, unusedExpectations, runFailures }) => ({
        name: target.manifest.name,
        runtime,
        dir: target.dir,
        ...(target.manifest.fault ? { fault: target.manifest.fault } : {}),
        ...(target.manifest.profile ? { profile: target.manifest.profile } : {}),
        ...(unusedExpectations?.length ? { unusedExpectations } : {}),
        ...(runFailures?.length ? { runFailures } : {}),
        scenarios: results,
      })),
    },
    'the summary of this run',
  );
  const diff = baseline ? diffSummaries(baseline, summary) : undefined;
  const summaryFile = writeReportFiles(reportDir, summary, diff ? regressionCells(diff) : undefined);
  return { summaryFile, summary, diff };
}

/** The files every report folder has, for a run or a merge of runs. */
export function writeReportFiles(reportDir: string, summary: Summary, regressions?: Set<string>): string {
  mkdirSync(reportDir, { recursive: true });
  const file = join(reportDir, SUMMARY_FILE);
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(reportDir, MATRIX_HTML), matrixHtml(summary, regressions));
  writeFileSync(join(reportDir, MATRIX_MARKDOWN), matrixMarkdown(summary, regressions));
  return file;
}

/** Points `<reports>/latest` at the newest run, for people and scripts that want "the last report". */
export function linkLatest(reportDir: string): void {
  const latest = join(dirname(reportDir), 'latest');
  rmSync(latest, { force: true });
  symlinkSync(basename(reportDir), latest);
}
