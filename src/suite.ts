import { loadSources, runCucumber, type IRunOptions, type ISupportCodeLibrary } from '@cucumber/cucumber/api';
import parseTagExpression from '@cucumber/tag-expressions';
import type { Envelope } from '@cucumber/messages';
import { availableParallelism } from 'node:os';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { join, relative } from 'node:path';
import { buildTarget } from './build';
import { featurePickles, scenarioId } from './feature-pickles';
import { exclusions, runnableExpression, type Exclusion } from './applicability';
import type { Target } from './contract/manifest';
import { hasIpv6Loopback } from './kernel/ipv6';
import { judgeFor, type VerdictRules } from './judging';
import { JUNIT_FILE, junitXml } from './report/junit';
import { HarnessError } from './errors';
import { FEATURES_DIR, PROJECT_ROOT, RUNS_FROM_SOURCES, STEP_FILES, STEPS_DIR } from './paths';
import { byPlanOrder } from './report/plan-order';
import { ScenarioCollector, type ScenarioResult } from './report/summary';
import { preflight } from './runtime/preflight';
import { idExpression, type IdSelection } from './selection';
import { createRuntime, finishRuntimes } from './runtime';
import type { Endpoints } from './runtime/external-runtime';
import type { SockspecParameters } from './world-parameters';

export interface SuiteOptions {
  targets: Target[];
  /** For the external runtime: where each target's services already run, by target name. */
  endpoints?: Record<string, Endpoints>;
  runtime: SockspecParameters['runtime'];
  /** A Cucumber tag expression narrowing the scenarios, e.g. "@file and not @slow". */
  tags?: string;
  /** Regular expressions: only scenarios whose name matches one of them (Cucumber's --name). */
  names?: string[];
  /** Narrowing by scenario ID: `--id` globs, and one shard of the selection (`--shard K/N`). */
  selection?: IdSelection;
  reportDir: string;
  /** How Cucumber shows progress ("progress-bar" on a terminal), and where. */
  progressFormat: string;
  progressStream?: Writable;
  log: (line: string) => void;
  /** Scenarios run at once, each worker a process of its own (Cucumber's parallel mode); 1: one after another, in this process; absent: `defaultWorkers`. */
  parallel?: number;
  /** Stop at the first scenario Cucumber sees fail (a warning included); the rest are not run. */
  failFast?: boolean;
  /** Every scenario starts servers of its own, where by default a scenario is given the idle server an earlier one with the same options left. */
  freshServers?: boolean;
  /** Sees every Cucumber message as it happens (the benchmark times scenarios with it). */
  onMessage?: (envelope: Envelope) => void;
  /** Called after every scenario with the results so far, so a run that is cut short can still report what ran. */
  onProgress?: (outcomes: TargetOutcome[]) => void;
  /** How outcomes become verdicts: --strict, and the --expect files (targets add their own expectations). */
  verdicts?: VerdictRules;
}

export interface TargetOutcome {
  target: Target;
  reportDir: string;
  results: ScenarioResult[];
  /** Expectation entries that matched no scenario this run reported. */
  unusedExpectations?: string[];
  /** Failures outside any scenario (a server kept across scenarios that broke the contract when it was stopped at the end): each fails the run. */
  runFailures?: string[];
}

// Parallel workers are fresh processes: from the sources, they need TypeScript registered before the steps.
const WORKER_MODULES = RUNS_FROM_SOURCES ? [join(PROJECT_ROOT, 'bin', 'register-typescript.js')] : [];
const SOURCES = { defaultDialect: 'en', paths: [join(FEATURES_DIR, '**/*.feature')], names: [], order: 'defined' as const };

// Step definitions register themselves when first required; later runs in the
// same process must reuse the library the first run loaded.
let supportLibrary: ISupportCodeLibrary | undefined;

export async function runSuite(options: SuiteOptions): Promise<TargetOutcome[]> {
  if (options.tags) assertValidTags(options.tags);
  for (const name of options.names ?? []) assertValidName(name);
  // Every target runs the same scenarios, so IDs and shards are chosen once, from the whole selection.
  const selected = options.selection && idExpression(featurePickles(options.tags, options.names), options.selection);
  const narrowed = { ...options, tags: selected ? [options.tags && `(${options.tags})`, `(${selected})`].filter(Boolean).join(' and ') : options.tags };
  const outcomes: TargetOutcome[] = [];
  for (const target of options.targets) {
    outcomes.push(await runTarget(target, narrowed, (running) => options.onProgress?.([...outcomes, running])));
  }
  return outcomes;
}

async function runTarget(target: Target, options: SuiteOptions, onProgress: (running: TargetOutcome) => void): Promise<TargetOutcome> {
  const name = target.manifest.name;
  const endpoints = options.endpoints?.[name];
  const runtime = createRuntime(options.runtime, { log: options.log, endpoints });
  // Only local processes run the local build; images build inside Docker, external servers are built elsewhere.
  if (options.runtime === 'process') await buildTarget(target, options.log);
  await preflight(runtime, target);

  const reportDir = join(options.reportDir, name);
  mkdirSync(reportDir, { recursive: true });
  const judging = judgeFor(target, options.verdicts ?? { strict: false, expectationFiles: [] });
  const excluded = [...exclusions({ target, runtime, ipv6Loopback: await hasIpv6Loopback(), pathProblem: await runtime.pathProblem(target) }), ...judging.exclusions];
  const tagExpression = runnableExpression(options.tags, excluded);
  const names = options.names ?? [];
  const notRun = await excludedScenarios(options.tags, excluded, names);
  const planned = (await loadSources({ ...SOURCES, names, tagExpression })).plan.length;
  if (notRun.length === 0 && planned === 0) {
    const selection = [options.tags && `--tags ${options.tags}`, ...names.map((pattern) => `--name ${pattern}`)].filter(Boolean).join(' ');
    throw new HarnessError(`${selection}: no scenario matches for target ${name}`);
  }

  const collector = new ScenarioCollector(options.failFast);
  const runFailuresDir = mkdtempSync(join(reportDir, '.run-failures-'));
  const workers = workersFor(options, planned);
  const runOptions: IRunOptions = {
    sources: { ...SOURCES, names, tagExpression },
    support: supportLibrary ?? { requireModules: WORKER_MODULES, requirePaths: [join(STEPS_DIR, STEP_FILES)], importPaths: [], loaders: [] },
    runtime: {
      dryRun: false,
      failFast: options.failFast ?? false,
      filterStacktraces: true,
      // Cucumber's 0 is one after another, in this process.
      parallel: workers === 1 ? 0 : workers,
      retry: 0,
      retryTagFilter: '',
      strict: true,
      worldParameters: {
        targetDir: target.dir,
        runtime: options.runtime,
        ...(endpoints ? { external: { name, endpoints } } : {}),
        ...(options.freshServers ? { freshServers: true } : {}),
        runFailuresDir,
      } satisfies SockspecParameters,
    },
    formats: {
      stdout: options.progressFormat,
      files: {
        [join(reportDir, 'cucumber.html')]: 'html',
        [join(reportDir, 'cucumber.ndjson')]: 'message',
      },
      publish: false,
      options: {},
    },
  };
  options.log(`running ${name} (${relative(process.cwd(), target.dir) || '.'}) on the ${options.runtime} runtime`);
  const onMessage = (envelope: Envelope): void => {
    collector.onMessage(envelope);
    options.onMessage?.(envelope);
    if (envelope.testCaseFinished) onProgress({ target, reportDir, results: judging.judged(collector.results()) });
  };
  const { support } = await runCucumber(runOptions, { cwd: PROJECT_ROOT, stdout: options.progressStream ?? process.stdout, stderr: process.stderr }, onMessage);
  supportLibrary = support;
  // A serial run's scenarios share this process's runtime, and the preflight used it in any case.
  await finishRuntimes();
  // Parallel workers finish in no fixed order, and excluded scenarios never ran: the report lists them all in plan order.
  const results = judging.judged(byPlanOrder([...collector.results(), ...collector.withFeatureNames(notRun)]));
  writeFileSync(join(reportDir, JUNIT_FILE), junitXml(target.manifest.name, results));
  const runFailures = readdirSync(runFailuresDir).flatMap((file) => readFileSync(join(runFailuresDir, file), 'utf8').split('\n').filter(Boolean));
  rmSync(runFailuresDir, { recursive: true, force: true });
  return { target, reportDir, results, unusedExpectations: judging.unused(results), ...(runFailures.length ? { runFailures } : {}) };
}

/**
 * Scenarios run at once by default: two per core, since most of a scenario is waits
 * its behaviour requires (a dropped SYN's retransmit, a client's timeout, slow
 * clients), and fewer for a small selection, where starting workers would cost more
 * than it saves. Measured on 2 cores, the five reference targets (npm run bench;
 * docs/performance.md): 140 s one after another, 82 s with 2 workers, 68 s with 3,
 * 63 s with 4, 68 s with 6. --fail-fast runs one after another, so that nothing
 * starts after the first failure.
 */
export function defaultWorkers(plannedScenarios: number, cores = availableParallelism()): number {
  return Math.max(1, Math.min(2 * cores, Math.floor(plannedScenarios / SCENARIOS_PER_WORKER_AT_LEAST)));
}

/** Below this many scenarios per worker, a worker's start (about 0.2 s) is more than it saves. */
const SCENARIOS_PER_WORKER_AT_LEAST = 10;

function workersFor(options: SuiteOptions, plannedScenarios: number): number {
  if (options.parallel !== undefined) return options.parallel;
  return options.failFast ? 1 : defaultWorkers(plannedScenarios);
}

function assertValidName(pattern: string): void {
  try {
    new RegExp(pattern);
  } catch (error) {
    throw new HarnessError(`--name ${pattern}: ${(error as Error).message}`);
  }
}

function assertValidTags(tags: string): void {
  try {
    parseTagExpression(tags);
  } catch (error) {
    throw new HarnessError(`--tags ${tags}: ${(error as Error).message}`);
  }
}

/** The scenarios the user's tags select but this run excludes, each with the first reason that applies. */
export async function excludedScenarios(userTags: string | undefined, excluded: Exclusion[], names: string[] = []): Promise<ScenarioResult[]> {
  const results = new Map<string, ScenarioResult>();
  for (const exclusion of excluded) {
    const tagExpression = [userTags ? `(${userTags})` : '', `(${exclusion.tagExpression})`].filter(Boolean).join(' and ');
    for (const pickle of featurePickles(tagExpression, names)) {
      const location = `${pickle.uri}:${pickle.location?.line}`;
      if (results.has(location)) continue;
      const id = scenarioId(pickle);
      results.set(location, {
        ...(id ? { id } : {}),
        feature: pickle.uri,
        scenario: pickle.name,
        location,
        status: exclusion.status,
        durationMs: 0,
        reason: exclusion.reason,
      });
    }
  }
  return [...results.values()];
}
