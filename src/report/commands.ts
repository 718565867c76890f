import type { Command } from 'commander';
import { relative, resolve } from 'node:path';
import { diffMarkdown, diffSummaries } from './diff';
import { mergeSummaries } from './merge';
import { defaultReportDir, linkLatest, writeReportFiles } from './run-report';
import { readSummary, summaryPath } from './summary-schema';

interface ReportCommandContext {
  setExit: (code: number) => void;
  log: (line: string) => void;
  exitFailed: number;
}

/** `sockspec diff` and `sockspec merge`: the commands that read reports rather than run scenarios. */
export function addReportCommands(program: Command, { setExit, log, exitFailed }: ReportCommandContext): void {
  program
    .command('diff <base> <new>')
    .description('compare two runs (summary.json files or report folders): regressions, fixes, new, removed and changed scenarios, as Markdown; exit 1 on a regression')
    .action((base: string, next: string) => {
      const diff = diffSummaries(readSummary(base), readSummary(next));
      process.stdout.write(diffMarkdown(diff, relative(process.cwd(), summaryPath(base)), relative(process.cwd(), summaryPath(next))));
      setExit(diff.regressions.length > 0 ? exitFailed : 0);
    });

  program
    .command('merge <dirs...>')
    .description('combine runs made apart (report folders or summary.json files) into one summary.json, matrix.html and matrix.md')
    .option('--report-dir <dir>', 'where to write the merged report (default: reports/<run-id>)')
    .action((sources: string[], options: { reportDir?: string }) => {
      const merged = mergeSummaries(sources);
      const reportDir = options.reportDir ? resolve(options.reportDir) : defaultReportDir();
      writeReportFiles(reportDir, merged);
      if (!options.reportDir) linkLatest(reportDir);
      const scenarios = merged.targets.flatMap((target) => target.scenarios);
      log(`merged ${sources.length} runs, ${merged.targets.length} targets, into ${relative(process.cwd(), reportDir) || '.'}`);
      setExit(scenarios.some((result) => result.status === 'failed') ? exitFailed : 0);
    });
}

