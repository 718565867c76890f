/**
 * `npm run bench`: how fast the harness is, against the goals of docs/performance.md.
 * A benchmark, not a test: it prints figures and writes them to reports/bench/<time>.json.
 *
 *   SOCKSPEC_BENCH_ECHO_MIB  size of the throughput transfer (default 1024: 1 GiB)
 *   SOCKSPEC_BENCH_DOCKER=0  leave out the docker runtime
 *   SOCKSPEC_BENCH_COLD=0    on docker, leave out the cold image builds (minutes each)
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, freemem, loadavg, release, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { PassThrough } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { readTcpSockets } from '../src/kernel/proc-net';
import { readSummary } from '../src/report/summary-schema';
import { PROJECT_ROOT } from '../src/paths';
import { bundledTargets, isNegativeControl } from '../src/targets';
import { buildTarget } from '../src/build';
import { cleanupNow } from '../src/cleanup';
import type { Target } from '../src/contract/manifest';
import { runTempDir } from '../src/ownership';
import { createRuntime } from '../src/runtime';
import { ensureImage, imageSource } from '../src/runtime/docker-images';
import { ownedLabels } from '../src/runtime/container-owners';
import type { Runtime, ServerRequest } from '../src/runtime/runtime';
import { measureHarnessOverhead, type OverheadFigures } from './bench/overhead';
import { measureEchoThroughput, type ThroughputFigures } from './bench/throughput';
import { stats, type Stats } from './bench/stats';

const CLI = join(PROJECT_ROOT, 'bin', 'sockspec.js');
const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

interface WallTime {
  wallMs: number;
  exitCode: number | null;
}

/** Runs the CLI as a user would and times it, start to exit. */
function timeCli(args: string[]): Promise<WallTime & { firstOutputMs?: number }> {
  const started = performance.now();
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let firstOutputMs: number | undefined;
    // Cucumber's progress prints a character per finished step: the first one marks the first scenario running.
    child.stdout.on('data', () => (firstOutputMs ??= performance.now() - started));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.on('exit', (exitCode) => {
      if (exitCode !== 0 && exitCode !== 1) log(`sockspec ${args.join(' ')} exited ${exitCode}: ${stderr.trim().split('\n').pop()}`);
      resolveRun({ wallMs: Math.round(performance.now() - started), exitCode, firstOutputMs: firstOutputMs && Math.round(firstOutputMs) });
    });
  });
}

const runArgs = (runtime: string, targets: Target[], reportDir: string): string[] => [
  'run',
  '--runtime',
  runtime,
  ...targets.flatMap((target) => ['--target', target.manifest.name]),
  '--report-dir',
  reportDir,
];

async function cliStartup(target: Target, scratch: string): Promise<{ helpMs: Stats; firstScenarioMs: Stats }> {
  const help: number[] = [];
  const first: number[] = [];
  for (let round = 0; round < 5; round++) help.push((await timeCli(['--help'])).wallMs);
  for (let round = 0; round < 3; round++) {
    const run = await timeCli(['run', '--target', target.manifest.name, '--tags', '@udp-echo', '--report-dir', join(scratch, `startup-${round}`)]);
    if (run.firstOutputMs !== undefined) first.push(run.firstOutputMs);
  }
  return { helpMs: stats(help), firstScenarioMs: stats(first) };
}

/** From asking a runtime for a server to the server listening, and stopping it again; per service. */
async function targetStartup(runtime: Runtime, target: Target, rounds: number): Promise<Record<string, { startMs: Stats; stopMs: Stats }>> {
  const root = runTempDir('bench-files');
  const figures: Record<string, { startMs: Stats; stopMs: Stats }> = {};
  for (const service of target.manifest.services) {
    const starts: number[] = [];
    const stops: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const request: ServerRequest = { service, host: '127.0.0.1', port: 0, backlog: 16, root };
      let mark = performance.now();
      const server = await runtime.start(target, request);
      starts.push(performance.now() - mark);
      mark = performance.now();
      await server.stop();
      await runtime.release(server);
      stops.push(performance.now() - mark);
    }
    figures[service] = { startMs: stats(starts), stopMs: stats(stops) };
  }
  return figures;
}

/**
 * An image build that reuses nothing, neither sockspec's image nor Docker's layer
 * cache: the coldest start. Docker's classic builder, through its CLI: BuildKit and
 * the API ask a registry about the base image when told not to use the cache, and
 * where none is reachable the base image exists only locally.
 */
function coldImageBuildMs(target: Target): number {
  const { context, dockerfile, buildArgs } = imageSource(target);
  const tag = `sockspec-bench/${target.manifest.name}:cold-${process.pid}`;
  const dangling = (): string[] => spawnSync('docker', ['images', '--quiet', '--filter', 'dangling=true'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  const danglingBefore = new Set(dangling());
  const args = ['build', '--quiet', '--no-cache', '--tag', tag, '--file', dockerfile, ...Object.entries(buildArgs).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]), context];
  const started = performance.now();
  const build = spawnSync('docker', args, { encoding: 'utf8', env: { ...process.env, DOCKER_BUILDKIT: '0' } });
  const elapsed = performance.now() - started;
  // The classic builder keeps each stage as an untagged image: remove the ones made here, and the tag.
  spawnSync('docker', ['rmi', '--force', tag, ...dangling().filter((id) => !danglingBefore.has(id))], { stdio: 'ignore' });
  if (build.status !== 0) throw new Error(`docker build --no-cache of ${target.manifest.name} failed: ${build.stderr.trim().split('\n').pop()}`);
  return Math.round(elapsed);
}

function machine(): Record<string, unknown> {
  const uname = spawnSync('uname', ['-srm'], { encoding: 'utf8' }).stdout.trim();
  const docker = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' }).stdout?.trim();
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    freeMemoryGiB: Math.round(freemem() / 2 ** 30),
    kernel: uname || release(),
    node: process.version,
    docker: docker || undefined,
    // The machine may be shared: the load says how much of it the benchmark had.
    loadAverageAtStart: loadavg().map((load) => Number(load.toFixed(2))),
    // Every check of a connection's TCP state reads the whole table of the namespace: its size sets the cost.
    tcpSocketsInNamespace: readTcpSockets(process.pid).length,
  };
}

async function main(): Promise<void> {
  const started = new Date();
  const scratch = runTempDir('bench');
  const targets = bundledTargets().filter((target) => !isNegativeControl(target));
  const withDocker = process.env.SOCKSPEC_BENCH_DOCKER !== '0' && spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
  const result: Record<string, unknown> = { startedAt: started.toISOString(), machine: machine(), targets: targets.map((target) => target.manifest.name) };
  log(`targets: ${targets.map((target) => target.manifest.name).join(', ')}; docker: ${withDocker ? 'yes' : 'no'}`);

  for (const target of targets) await buildTarget(target, log);

  log('CLI start-up');
  result.cliStartup = await cliStartup(targets[0], scratch);

  log('full suite, process runtime');
  const processRuns: Record<string, WallTime> = {};
  for (const target of targets) processRuns[target.manifest.name] = await timeCli(runArgs('process', [target], join(scratch, `process-${target.manifest.name}`)));
  const processAll = await timeCli(runArgs('process', targets, join(scratch, 'process-all')));
  const processAllParallel = await timeCli([...runArgs('process', targets, join(scratch, 'process-all-parallel')), '--parallel', '2']);
  // What the default worker count rests on: the same run with 1 (serial) to 6 workers on this machine's cores.
  const byWorkers: Record<string, WallTime> = {};
  for (const workers of [1, 3, 4, 6]) byWorkers[workers] = await timeCli([...runArgs('process', targets, join(scratch, `process-all-workers-${workers}`)), '--parallel', String(workers)]);
  result.fullSuiteProcess = { perTarget: processRuns, allTargets: processAll, allTargetsParallel2: processAllParallel, allTargetsByWorkers: { ...byWorkers, 2: processAllParallel } };
  result.whereTimeGoes = { processAll: whereTimeGoes(join(scratch, 'process-all')), cpp: whereTimeGoes(join(scratch, 'process-cpp')) };

  log('target start-up, process runtime');
  const processRuntime = createRuntime('process');
  result.targetStartupProcess = Object.fromEntries(await Promise.all(targets.map(async (target) => [target.manifest.name, await targetStartup(processRuntime, target, 10)] as const)));

  if (withDocker) {
    log('full suite, docker runtime');
    const docker: Record<string, unknown> = {};
    const cold = process.env.SOCKSPEC_BENCH_COLD !== '0';
    for (const target of targets) {
      const coldBuildMs = cold ? coldImageBuildMs(target) : undefined;
      await ensureImage(target, log, ownedLabels());
      const warm = await timeCli(runArgs('docker', [target], join(scratch, `docker-${target.manifest.name}`)));
      docker[target.manifest.name] = { ...(coldBuildMs === undefined ? {} : { coldImageBuildMs: coldBuildMs, coldMs: coldBuildMs + warm.wallMs }), warm };
    }
    const dockerAll = await timeCli(runArgs('docker', targets, join(scratch, 'docker-all')));
    result.fullSuiteDocker = { perTarget: docker, allTargetsWarm: dockerAll };
    result.processOnlyScenarios = processOnlyScenarios(join(scratch, 'process-all'), join(scratch, 'docker-all'));
    log('target start-up, docker runtime');
    const dockerRuntime = createRuntime('docker', { log });
    const dockerStartup: Record<string, unknown> = {};
    for (const target of targets) dockerStartup[target.manifest.name] = await targetStartup(dockerRuntime, target, 3);
    result.targetStartupDocker = dockerStartup;
  }

  log('harness overhead per scenario (process runtime)');
  const overhead: Record<string, OverheadFigures> = {};
  for (const target of targets) overhead[target.manifest.name] = await measureHarnessOverhead(target, join(scratch, `overhead-${target.manifest.name}`), new PassThrough().resume());
  result.harnessOverhead = overhead;

  const echoMiB = Number(process.env.SOCKSPEC_BENCH_ECHO_MIB ?? 1024);
  log(`driver throughput: ${echoMiB} MiB echo on loopback`);
  const echoTarget = targets.find((target) => target.manifest.services.includes('echo'))!;
  const throughput: ThroughputFigures = await measureEchoThroughput(processRuntime, echoTarget, echoMiB);
  result.driverThroughput = throughput;

  result.finishedAt = new Date().toISOString();
  const outDir = join(PROJECT_ROOT, 'reports', 'bench');
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n\n${goalTable(result as unknown as BenchResult)}`);
  log(`written to ${relative(process.cwd(), outFile)}`);
}

interface BenchResult {
  cliStartup: { helpMs: Stats; firstScenarioMs: Stats };
  fullSuiteProcess: { perTarget: Record<string, WallTime>; allTargets: WallTime; allTargetsParallel2: WallTime; allTargetsByWorkers: Record<string, WallTime> };
  fullSuiteDocker?: { perTarget: Record<string, { warm: WallTime }>; allTargetsWarm: WallTime };
  whereTimeGoes: Record<string, TimeSplit>;
  processOnlyScenarios?: string[];
  harnessOverhead: Record<string, OverheadFigures>;
  driverThroughput: ThroughputFigures;
}

/** How a run's wall time splits: what its scenarios took (their own waits included) and its slowest three. */
interface TimeSplit {
  scenariosMs: number;
  slowest: string[];
}

function whereTimeGoes(reportDir: string): TimeSplit {
  const scenarios = readSummary(reportDir).targets.flatMap((target) => target.scenarios.map((scenario) => ({ name: `${target.name} ${scenario.id ?? scenario.scenario}`, ms: scenario.durationMs })));
  scenarios.sort((a, b) => b.ms - a.ms);
  return { scenariosMs: scenarios.reduce((sum, scenario) => sum + scenario.ms, 0), slowest: scenarios.slice(0, 3).map((scenario) => `${scenario.name} ${scenario.ms} ms`) };
}

/** Scenarios a target runs on the process runtime that the docker runtime reports as not runnable. */
function processOnlyScenarios(processDir: string, dockerDir: string): string[] {
  const key = (target: string, location: string): string => `${target} ${location}`;
  const onDocker = new Map(readSummary(dockerDir).targets.flatMap((target) => target.scenarios.map((scenario) => [key(target.name, scenario.location), scenario.status] as const)));
  return readSummary(processDir).targets.flatMap((target) =>
    target.scenarios
      .filter((scenario) => scenario.status !== 'not runnable' && scenario.status !== 'not applicable' && onDocker.get(key(target.name, scenario.location)) === 'not runnable')
      .map((scenario) => `${target.name} ${scenario.id ?? scenario.location}`),
  );
}

/** The figures against the goals of docs/performance.md (issue 17's), as a table to read at a glance, each miss with what dominates it. */
function goalTable(result: BenchResult): string {
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const split = (name: string): string => {
    const figures = result.whereTimeGoes[name];
    return figures ? `; scenarios ${seconds(figures.scenariosMs)} of it, slowest ${figures.slowest.join(', ')}` : '';
  };
  const byDefault = result.fullSuiteProcess.allTargets.wallMs;
  const parallel = result.fullSuiteProcess.allTargetsParallel2.wallMs;
  const cpp = result.fullSuiteProcess.perTarget.cpp?.wallMs;
  const overheads = Object.values(result.harnessOverhead).map((figures) => figures.busyMs.median);
  const overhead = overheads.sort((a, b) => a - b)[Math.floor(overheads.length / 2)];
  const ratios = Object.entries(result.fullSuiteDocker?.perTarget ?? {}).map(([name, figures]) => ({ name, ratio: figures.warm.wallMs / result.fullSuiteProcess.perTarget[name].wallMs }));
  const worstRatio = ratios.sort((a, b) => b.ratio - a.ratio)[0];
  const rows: [string, string, boolean | undefined][] = [
    ['harness overhead per scenario, its own waits excluded: < 5 ms', `${overhead.toFixed(1)} ms (median over targets of each target's median busy time)`, overhead < 5],
    ['cpp, whole suite, process runtime, default settings: < 2.5 s', cpp === undefined ? 'not measured (no cpp target)' : `${seconds(cpp)}${split('cpp')}`, cpp === undefined ? undefined : cpp < 2500],
    ['all reference targets, whole suite, default settings: < 10 s', `${seconds(byDefault)} (${seconds(parallel)} with --parallel 2)${split('processAll')}`, byDefault < 10_000],
    [
      'all reference targets by worker count (what the default rests on)',
      Object.entries(result.fullSuiteProcess.allTargetsByWorkers).sort(([a], [b]) => Number(a) - Number(b)).map(([workers, run]) => `${workers}: ${seconds(run.wallMs)}`).join(', '),
      undefined,
    ],
    [
      'docker runtime vs process runtime, same target, warm image cache: <= 1.5x',
      worstRatio ? `worst ${worstRatio.name} ${worstRatio.ratio.toFixed(1)}x (${ratios.map(({ name, ratio }) => `${name} ${ratio.toFixed(1)}x`).join(', ')})` : 'not measured (no Docker engine)',
      worstRatio ? worstRatio.ratio <= 1.5 : undefined,
    ],
    [
      'scenarios runnable on the process runtime but not on docker: 0',
      result.processOnlyScenarios ? `${result.processOnlyScenarios.length}${result.processOnlyScenarios.length ? `: ${result.processOnlyScenarios.slice(0, 6).join(', ')}${result.processOnlyScenarios.length > 6 ? ', ...' : ''}` : ''}` : 'not measured (no Docker engine)',
      result.processOnlyScenarios ? result.processOnlyScenarios.length === 0 : undefined,
    ],
    ['driver throughput: >= 0.8 of a plain socket', `${result.driverThroughput.ratio.toFixed(2)} (${result.driverThroughput.driverMiBps} vs ${result.driverThroughput.plainSocketMiBps} MiB/s)`, result.driverThroughput.ratio >= 0.8],
    ['CLI start-up: < 1 s', `--help ${result.cliStartup.helpMs.median} ms, first scenario ${result.cliStartup.firstScenarioMs.median} ms (medians)`, result.cliStartup.firstScenarioMs.median < 1000],
  ];
  const verdict = (met: boolean | undefined): string => (met === undefined ? '-' : met ? 'met' : 'MISSED');
  return `${rows.map(([goal, measured, met]) => `${verdict(met).padEnd(7)} ${goal}: ${measured}`).join('\n')}\n`;
}

main()
  .catch((error: unknown) => {
    log(`failed: ${(error as Error).stack ?? error}`);
    process.exitCode = 1;
  })
  .finally(() => {
    cleanupNow();
    // Runtimes keep Docker connections open; the figures are written, so end here.
    process.exit();
  });
