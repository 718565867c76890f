import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { TargetOutcome } from '../suite';

export const SUMMARY_FILE = 'summary.json';

export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
}

/**
 * `summary.json`: one entry per target and scenario, what CI and the project's tests read.
 * `incomplete` says why a run that ended early lists only the scenarios that ran.
 */
export function writeSummary(reportDir: string, runtime: string, outcomes: TargetOutcome[], incomplete?: string): string {
  mkdirSync(reportDir, { recursive: true });
  const file = join(reportDir, SUMMARY_FILE);
  const summary = {
    runtime,
    platform: `${process.platform} ${process.arch}`,
    ...(incomplete ? { incomplete } : {}),
    targets: outcomes.map(({ target, results }) => ({
      name: target.manifest.name,
      dir: target.dir,
      ...(target.manifest.fault ? { fault: target.manifest.fault } : {}),
      scenarios: results,
    })),
  };
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  return file;
}

/** Points `<reports>/latest` at the newest run, for people and scripts that want "the last report". */
export function linkLatest(reportDir: string): void {
  const latest = join(dirname(reportDir), 'latest');
  rmSync(latest, { force: true });
  symlinkSync(basename(reportDir), latest);
}
