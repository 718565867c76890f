import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { join, relative, resolve } from 'node:path';
import { cleanupNow, onCleanup } from './cleanup';
import { HarnessError } from './errors';
import { INIT_LANGUAGES, initTarget, type InitLanguage } from './init';
import { createFileRoot } from './fixtures/file-root';
import { removeAbandonedAndSay } from './leftovers';
import { addReportCommands } from './report/commands';
import { diffMarkdown } from './report/diff';
import { defaultReportDir, linkLatest, writeRunReport } from './report/run-report';
import { readSummary } from './report/summary-schema';
import type { Target } from './contract/manifest';
import { RUNTIMES, type RuntimeName } from './runtime';
import { externalTarget, parseExternalTarget, type Endpoints } from './runtime/external-runtime';
// Cucumber and testcontainers load only when a command needs them: `--help` and `targets` start fast.
import type { TargetOutcome } from './suite';
import { parseShard, readDurations, type Shard } from './selection';
import { readExpectationsFile } from './expectations';
import { TIMEOUT_SCALE_VARIABLE } from './driver/wait';
import { explain } from './report/matrix';
import { FAILING_VERDICTS, NOT_CHECKED, VERDICTS } from './verdicts';
import { bundledTargets, fieldTargets, isNegativeControl, referenceTargets, resolveTargets } from './targets';

export const EXIT_PASSED = 0;
export const EXIT_FAILED = 1;
export const EXIT_HARNESS_ERROR = 2;

const log = (line: string): void => void process.stderr.write(`sockspec: ${line}\n`);
const FRESH_SERVERS_HELP = "start a server for every scenario, as if none were kept across scenarios (by default a scenario is given an earlier scenario's idle server with the same options): for telling whether reuse matters to a verdict";

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('sockspec')
    .description('Conformance suite for TCP/UDP socket implementations')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.split('\n')[0] + '\n') });

  program
    .command('run')
    .description('run the conformance scenarios against one or more targets')
    .option('--target <name|path|all>', 'a bundled or field target, a folder with target.json, all (the reference targets) or field (the real servers) (repeatable)', collect)
    .addOption(new Option('--runtime <runtime>', 'where the target runs').choices(RUNTIMES).default('process'))
    .option('--tags <expression>', 'only scenarios matching this Cucumber tag expression')
    .option('--name <regexp>', 'only scenarios whose name matches this regular expression (repeatable: any of them)', collect)
    .option('--id <glob>', "only scenarios whose ID matches, e.g. 'echo.*' (repeatable: any of them)", collect)
    .option('--shard <K/N>', 'only the K-th of N deterministic parts of the selected scenarios (one CI job each; merge the N reports)', parseShard)
    .option('--durations <summary>', "with --shard: balance the shards by the scenario durations of an earlier run's summary.json or report folder")
    .option('--report-dir <dir>', 'where to write the reports (default: ./reports/<run-id>)')
    .option('--allow-remote', 'with --runtime external: allow addresses outside loopback')
    .option('--baseline <summary>', "an earlier run's summary.json or report folder: its passes that fail now are marked as regressions")
    .option('--parallel <n>', 'run this many scenarios at once, each worker a process of its own; 1: one after another (default: two per core, fewer for a small selection)', (value: string) => positiveInteger('--parallel', value))
    .option('--expect <file>', 'an expectations file: scenarios known to fail (each with its reason) and scenarios to leave out (repeatable)', collect)
    .option('--strict', 'count warnings (a SHOULD, or a profile scenario of a target outside the profile) as failures')
    .addOption(new Option('--profile <profile>', 'with --runtime external: the targets follow this profile, so its scenarios fail rather than warn').choices(['sockspec']))
    .option('--fail-fast', 'stop at the first scenario that fails or warns; the rest are reported as not runnable (for mutation testing and bisecting; with --strict, so that a warning that stops the run also exits 1)')
    .option('--timeout-scale <factor>', 'multiply every wait\'s timeout by this factor, for slow machines', (value: string) => positiveNumber('--timeout-scale', value), 1)
    .option('--fresh-servers', FRESH_SERVERS_HELP)
    .action(async (options: { target?: string[]; runtime: RuntimeName; tags?: string; name?: string[]; id?: string[]; shard?: Shard; durations?: string; reportDir?: string; allowRemote?: boolean; baseline?: string; parallel?: number; expect?: string[]; strict?: boolean; profile?: 'sockspec'; timeoutScale: number; failFast?: boolean; freshServers?: boolean }) => {
      if (options.durations && !options.shard) throw new HarnessError('--durations balances shards: give --shard K/N with it');
      if (options.profile && options.runtime !== 'external') throw new HarnessError("--profile is for external targets; a target folder declares it in target.json (\"profile\": \"sockspec\")");
      const durations = options.durations ? readDurations(options.durations) : undefined;
      const expectationFiles = (options.expect ?? []).map((file) => ({ where: file, expectations: readExpectationsFile(file) }));
      const settings = { strict: options.strict ?? false, timeoutScale: options.timeoutScale };
      process.env[TIMEOUT_SCALE_VARIABLE] = String(options.timeoutScale);
      removeAbandonedAndSay(log);
      const baseline = options.baseline ? readSummary(options.baseline) : undefined;
      const startedAt = new Date();
      const { targets, endpoints } = selectTargets(options.target, options.runtime, options.allowRemote ?? false, options.profile);
      const reportDir = options.reportDir ? resolve(options.reportDir) : defaultReportDir();
      // Interrupted or cut short by an error, the run still reports what it ran.
      let soFar: TargetOutcome[] = [];
      const forgetPartialSummary = onCleanup(() => {
        if (soFar.length > 0) writeRunReport(reportDir, options.runtime, soFar, startedAt, { settings, incomplete: 'the run ended early (interrupted, or a harness error): only the scenarios that ran are listed' });
      });
      const { runSuite } = await import('./suite');
      const outcomes = await runSuite({
        targets,
        endpoints,
        runtime: options.runtime,
        tags: options.tags,
        names: options.name,
        selection: { ids: options.id, shard: options.shard, durations },
        reportDir,
        progressFormat: process.stdout.isTTY ? 'progress-bar' : 'progress',
        log,
        parallel: options.parallel,
        failFast: options.failFast,
        freshServers: options.freshServers,
        onProgress: (outcomesSoFar) => (soFar = outcomesSoFar),
        verdicts: { strict: settings.strict, expectationFiles },
      });
      forgetPartialSummary();
      const { summaryFile, diff } = writeRunReport(reportDir, options.runtime, outcomes, startedAt, { settings, baseline });
      if (!options.reportDir) linkLatest(reportDir);
      printVerdicts(outcomes);
      if (diff) process.stderr.write(diffMarkdown(diff, options.baseline!, 'this run'));
      log(`report: ${relative(process.cwd(), reportDir) || '.'} (summary: ${relative(process.cwd(), summaryFile)}, matrix: ${relative(process.cwd(), join(reportDir, 'matrix.html'))})`);
      const results = outcomes.flatMap((outcome) => outcome.results);
      if (results.every((result) => NOT_CHECKED.has(result.status))) {
        throw new HarnessError(`no scenario could run: ${results[0]?.reason ?? 'none was selected'}`);
      }
      const failedOutsideScenarios = outcomes.some((outcome) => (outcome.runFailures?.length ?? 0) > 0);
      setExit(failedOutsideScenarios || results.some((result) => FAILING_VERDICTS.has(result.status)) ? EXIT_FAILED : EXIT_PASSED);
    });

  program
    .command('repeat')
    .description('run the suite several times and report every scenario whose verdict changed (flakes)')
    .option('--times <n>', 'how many runs', (value: string) => positiveInteger('--times', value), 20)
    .option('--target <name|path|all>', 'as for run (repeatable)', collect)
    .addOption(new Option('--runtime <runtime>', 'where the target runs').choices(['process', 'docker']).default('process'))
    .option('--tags <expression>', 'only scenarios matching this Cucumber tag expression')
    .option('--name <regexp>', 'as for run (repeatable)', collect)
    .option('--id <glob>', 'as for run (repeatable)', collect)
    .option('--parallel <n>', 'as for run', (value: string) => positiveInteger('--parallel', value))
    .option('--fresh-servers', FRESH_SERVERS_HELP)
    .action(async (options: { times: number; target?: string[]; runtime: RuntimeName; tags?: string; name?: string[]; id?: string[]; parallel?: number; freshServers?: boolean }) => {
      removeAbandonedAndSay(log);
      const { targets } = selectTargets(options.target, options.runtime, false);
      const { repeatSuite } = await import('./repeat');
      const report = await repeatSuite({ targets, runtime: options.runtime, tags: options.tags, names: options.name, selection: { ids: options.id }, progressFormat: 'summary', log, parallel: options.parallel, freshServers: options.freshServers }, options.times, (round) =>
        log(`round ${round}/${options.times} done`),
      );
      for (const { scenario, verdicts, failures } of report.changed) {
        log(`CHANGED ${scenario}: ${verdicts.join(' | ')}`);
        for (const { round, message } of failures) log(`  round ${round}: ${message.trimEnd().replaceAll('\n', '\n    ')}`);
      }
      log(`${report.rounds} rounds of ${report.scenarios} scenarios: ${report.changed.length} verdicts changed`);
      setExit(report.changed.length > 0 ? EXIT_FAILED : EXIT_PASSED);
    });

  addReportCommands(program, { setExit, log, exitFailed: EXIT_FAILED });

  program
    .command('files <dir>')
    .description('write the files the file service serves (root/ and a secret next to it) for servers sockspec does not start')
    .action((dir: string) => {
      const { root } = createFileRoot(resolve(dir));
      log(`wrote the served files to ${relative(process.cwd(), root)} (serve it with --root; the secret lies next to it)`);
    });

  program
    .command('compose')
    .description('print docker-compose.yml for the bundled reference targets, and the external targets to test them with')
    .option('--external-targets', 'print the --target of each compose target for --runtime external instead')
    .action(async (options: { externalTargets?: boolean }) => {
      const { composeFile, externalSpec } = await import('./compose');
      const targets = referenceTargets();
      process.stdout.write(options.externalTargets ? targets.map((target, index) => `${externalSpec(target, index)}\n`).join('') : composeFile(targets));
    });

  program
    .command('init <name>')
    .description('write a new target folder that passes the suite as generated: the reference target of a language, under your name')
    .addOption(new Option('--lang <language>', 'the language to start from').choices(INIT_LANGUAGES).makeOptionMandatory())
    .option('--dir <dir>', 'where to write it (default: ./<name>)')
    .action((name: string, options: { lang: InitLanguage; dir?: string }) => {
      const folder = initTarget(name, options.lang, options.dir ?? name);
      log(`wrote ${folder}; verify it with: sockspec run --target ${folder}`);
    });

  program
    .command('targets')
    .description('list the bundled targets and the field survey\'s real servers')
    .action(() => {
      const rows = [
        ...bundledTargets().map((target) => [target, isNegativeControl(target) ? `negative control: ${target.manifest.fault!.bug}` : 'reference'] as const),
        ...fieldTargets().map((target) => [target, `field: ${target.manifest.description}`] as const),
      ].map(([target, kind]) => [target.manifest.name, target.manifest.language, target.manifest.services.join(','), kind]);
      const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column].length)));
      for (const row of rows) process.stdout.write(`${row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]) : cell)).join('  ')}\n`);
    });

  return program;
}

/** Bundled or on-disk targets, or for the external runtime, servers already running at given addresses. */
function selectTargets(selectors: string[] | undefined, runtime: RuntimeName, allowRemote: boolean, profile?: 'sockspec'): { targets: Target[]; endpoints?: Record<string, Endpoints> } {
  if (runtime !== 'external') return { targets: (selectors ?? ['all']).flatMap((selector) => resolveTargets(selector)) };
  if (!selectors) throw new HarnessError('--runtime external needs --target NAME=SERVICE@HOST:PORT[,...]');
  const parsed = selectors.map((selector) => parseExternalTarget(selector, allowRemote));
  return {
    targets: parsed.map(({ name, endpoints }) => externalTarget(name, endpoints, profile)),
    endpoints: Object.fromEntries(parsed.map(({ name, endpoints }) => [name, endpoints])),
  };
}

/** Commander's way to let an option repeat: each value is added to the list. */
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function positiveNumber(flag: string, value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) throw new InvalidArgumentError(`${flag} needs a number above 0, got "${value}"`);
  return number;
}

function positiveInteger(flag: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError(`${flag} needs a positive whole number, got "${value}"`);
  return number;
}

function printVerdicts(outcomes: TargetOutcome[]): void {
  for (const { target, results, unusedExpectations, runFailures } of outcomes) {
    const counts = VERDICTS.map((verdict) => [verdict, results.filter((result) => result.status === verdict).length] as const);
    // The four every run has, and any other verdict that occurred.
    const shown = counts.filter(([verdict, count]) => count > 0 || ['passed', 'failed', 'not applicable', 'not runnable'].includes(verdict));
    log(`${target.manifest.name}: ${shown.map(([verdict, count]) => `${count} ${verdict}`).join(', ')}`);
    const slowest = [...results].sort((a, b) => b.durationMs - a.durationMs).slice(0, 3);
    log(`  slowest: ${slowest.map((result) => `${result.scenario} (${result.durationMs} ms)`).join('; ')}`);
    for (const result of results.filter((entry) => FAILING_VERDICTS.has(entry.status) || entry.status === 'warned')) {
      log(`  ${result.status.toUpperCase()} ${result.id ?? result.scenario}: ${result.scenario} (${result.location}) ${explain(result)}`);
    }
    for (const failure of runFailures ?? []) log(`  FAILED outside the scenarios: ${failure}`);
    for (const entry of unusedExpectations ?? []) log(`  unused expectation ${entry}: it matched no scenario of this run (remove it if it is stale)`);
  }
}

/** Runs the CLI and returns its exit code: 0 all passed, 1 a scenario failed, 2 usage or harness error. */
export async function main(argv: string[]): Promise<number> {
  let exitCode = EXIT_PASSED;
  try {
    await buildProgram((code) => (exitCode = code)).parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_PASSED : EXIT_HARNESS_ERROR;
    }
    const message = error instanceof HarnessError ? error.message : `internal error: ${(error as Error).stack ?? error}`;
    log(message.split('\n')[0]);
    return EXIT_HARNESS_ERROR;
  } finally {
    cleanupNow();
  }
  return exitCode;
}
