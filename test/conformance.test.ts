import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ScenarioResult } from '../src/report/summary';
import { bundledTargets, isNegativeControl } from '../src/targets';
import { DID_NOT_PASS, type Verdict } from '../src/verdicts';
import { controlVerdicts, runCli, runControlsAtTheirScenarios, tempDir, verdictLine, type ControlRun } from './helpers';

interface Summary {
  targets: { name: string; fault?: { bug: string; expectedFailures: string[] }; scenarios: ScenarioResult[] }[];
}

function runSuite(targets: string[], extraArgs: string[] = []): { status: number | null; summary: Summary; stderr: string } {
  const reportDir = tempDir('conformance');
  // Two workers: a run of every negative control is long, and parallel runs give serial verdicts (parallel.test.ts).
  const { status, stderr } = runCli(['run', ...targets.flatMap((target) => ['--target', target]), '--parallel', '2', ...extraArgs, '--report-dir', reportDir], 1_800_000);
  return { status, stderr, summary: JSON.parse(readFileSync(join(reportDir, 'summary.json'), 'utf8')) as Summary };
}

const summaryVerdicts = (summary: Summary): string[] => summary.targets.flatMap(({ name, scenarios }) => scenarios.map((result) => verdictLine(name, result)));

// The runs the tests below judge, made once: the verdict-equivalence test compares them with runs that keep no server.
let referenceRun: ReturnType<typeof runSuite> | undefined;
const referenceRunKeepingServers = (): ReturnType<typeof runSuite> => (referenceRun ??= runSuite(['all']));
let controlRuns: Promise<ControlRun[]> | undefined;
const controlRunsKeepingServers = (): Promise<ControlRun[]> => (controlRuns ??= runControlsAtTheirScenarios(bundledTargets().filter(isNegativeControl), []));

const DID_NOT_PASS_OR_FIXED: ReadonlySet<Verdict> = new Set([...DID_NOT_PASS, 'fixed']);

describe('conformance of the bundled targets', () => {
  it('every reference target passes every scenario that applies to it', () => {
    const { status, summary, stderr } = referenceRunKeepingServers();
    const references = bundledTargets().filter((target) => !isNegativeControl(target)).map((target) => target.manifest.name);
    assert.deepEqual(summary.targets.map((target) => target.name).sort(), references.sort(), 'the run covers every reference target');
    assert.ok(references.length >= 5, 'C++ and four more languages');
    // On the process runtime a reference target (every service, and a client) leaves out only what
    // concerns other kernels and what needs a network namespace of the server's own; nothing else
    // may go unchecked, or a scenario that silently stopped running would pass this test.
    const allowedReasons = /^(states another platform's behaviour|needs a network namespace of the server's own to set a sysctl)/;
    for (const target of summary.targets) {
      // Every @must and @profile scenario passes; a @should may warn (a recommendation the target does not follow).
      const failed = target.scenarios.filter((scenario) => scenario.status !== 'passed' && DID_NOT_PASS_OR_FIXED.has(scenario.status) && !(scenario.status === 'warned' && scenario.level === 'should'));
      assert.deepEqual(failed.map((scenario) => `${scenario.id}: ${scenario.status}: ${scenario.message}`), [], `${target.name} did not pass these`);
      for (const scenario of target.scenarios.filter((entry) => entry.status === 'warned')) process.stdout.write(`${target.name}: warned ${scenario.id} (${scenario.source}): ${scenario.message}\n`);
      const unchecked = target.scenarios.filter((scenario) => !DID_NOT_PASS_OR_FIXED.has(scenario.status) && scenario.status !== 'passed' && !allowedReasons.test(scenario.reason ?? ''));
      assert.deepEqual(unchecked.map((scenario) => `${scenario.location}: ${scenario.status}: ${scenario.reason}`), [], `${target.name} left scenarios unchecked`);
    }
    const scenarioCounts = new Set(summary.targets.map((target) => target.scenarios.filter((scenario) => scenario.status === 'passed').length));
    assert.equal(scenarioCounts.size, 1, `every reference target passes the same scenarios: ${[...scenarioCounts].join(', ')}`);
    assert.equal(status, 0, stderr);
  });

  // Each control runs at the scenarios its bug names (a full run of every control on every
  // scenario took most of CI's time; which other scenarios each fails is the audit's
  // business, docs/detection.md).
  it('every negative control fails at the scenarios named for its bug', async () => {
    const controls = bundledTargets().filter(isNegativeControl);
    assert.ok(controls.length >= 12, 'at least twelve negative controls');
    assert.ok(new Set(controls.map((target) => target.manifest.language)).size >= 4, 'negative controls in at least four languages');
    const runs = await controlRunsKeepingServers();
    assert.deepEqual(runs.map((run) => run.name).sort(), controls.map((target) => target.manifest.name).sort(), 'every control ran');
    const rows = runs.map((run) => {
      // A control declares sockspec's profile, so a caught bug is a failure (with --strict, a warning too).
      const failed = run.results.filter((scenario) => DID_NOT_PASS.has(scenario.status)).map((scenario) => scenario.id!);
      return { ...run, failed, missed: run.expected.filter((expected) => !failed.includes(expected)) };
    });
    process.stdout.write(`\nDetection table (control: the expected scenarios it failed)\n${rows.map((row) => `  ${row.name}: ${row.failed.join('; ') || 'NOTHING'}`).sort().join('\n')}\n`);
    for (const row of rows) {
      assert.deepEqual(row.missed, [], `${row.name} was not caught by the scenario named for its bug`);
      assert.equal(row.status, 1, `${row.name}: the run should fail; it ended: ${row.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
  });

  // A scenario is given the idle server an earlier scenario with the same options left
  // (src/runtime/server-session.ts); --fresh-servers starts one for every scenario. Reuse
  // is only for speed: every verdict, pass or failure and the step it failed at, must be
  // the one a fresh server gives, for the reference targets and for every control.
  it('gives every reference target and negative control the same verdicts with --fresh-servers', async () => {
    const fresh = runSuite(['all'], ['--fresh-servers']);
    assert.deepEqual(summaryVerdicts(fresh.summary), summaryVerdicts(referenceRunKeepingServers().summary), 'reference targets: fresh servers against kept ones');
    const controls = bundledTargets().filter(isNegativeControl);
    assert.deepEqual(controlVerdicts(await runControlsAtTheirScenarios(controls, ['--fresh-servers'])), controlVerdicts(await controlRunsKeepingServers()), 'negative controls at their scenarios: fresh servers against kept ones');
  });
});
