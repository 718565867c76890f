import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ScenarioResult } from '../src/report/summary';
import { defaultWorkers } from '../src/suite';
import { runCli, tempDir, verdictLine } from './helpers';

interface Summary {
  targets: { name: string; scenarios: ScenarioResult[] }[];
}

/** Each scenario's verdict (status, and for a failure the step), in the order the summary lists them. */
function verdicts(args: string[]): { status: number | null; verdicts: string[] } {
  const reportDir = tempDir('parallel');
  const { status, stderr } = runCli(['run', ...args, '--report-dir', reportDir]);
  assert.ok(status === 0 || status === 1, stderr);
  const summary = JSON.parse(readFileSync(join(reportDir, 'summary.json'), 'utf8')) as Summary;
  return {
    status,
    verdicts: summary.targets.flatMap(({ name, scenarios }) =>
      scenarios.map((result) => verdictLine(name, result)),
    ),
  };
}

describe('parallel runs', () => {
  it('run two workers per core by default, and one for a selection too small to share', () => {
    assert.equal(defaultWorkers(176, 2), 4);
    assert.equal(defaultWorkers(25, 2), 2);
    assert.equal(defaultWorkers(6, 2), 1);
    assert.equal(defaultWorkers(1000, 8), 16);
  });

  it('--parallel 2 gives the verdicts of a serial run, in the same order', () => {
    // A negative control too, so failures (and the step each fails at) are compared, not only
    // passes. One whose every verdict is deterministic: faulty-one-recv, used before, passes or
    // fails "64 concurrent clients" by a race (whether its one recv() finds all 64 KiB there).
    const targets = ['--target', 'cpp', '--target', 'faulty-no-reuseaddr'];
    const serial = verdicts([...targets, '--parallel', '1']);
    const parallel = verdicts([...targets, '--parallel', '2']);
    assert.ok(serial.verdicts.some((verdict) => verdict.includes(' failed at ')), 'the negative control failed somewhere');
    assert.deepEqual(parallel.verdicts, serial.verdicts);
    assert.equal(parallel.status, serial.status);
  });
});
