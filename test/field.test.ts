import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { readSummary } from '../src/report/summary-schema';
import { fieldTargets } from '../src/targets';
import { runCli, tempDir } from './helpers';

// The field servers come from Debian's packages (.ci/run installs them); where one is missing the test says so.
const PROGRAMS = ['nginx', 'lighttpd', 'socat', 'xinetd', 'python3'];
const missing = PROGRAMS.filter((program) => spawnSync('sh', ['-c', `command -v ${program} || test -x /usr/sbin/${program}`], { stdio: 'ignore' }).status !== 0);
const required = process.env.SOCKSPEC_REQUIRE_FIELD === '1';
const skip = missing.length > 0 && !required ? `not installed here: ${missing.join(', ')} (CI installs them)` : false;

describe('the field survey: real servers, as they are', { skip }, () => {
  it('every field server gives exactly its recorded verdicts: each failure and warning is listed with its class, and nothing listed passes', () => {
    assert.deepEqual(missing, [], 'SOCKSPEC_REQUIRE_FIELD=1, but some field servers are not installed');
    const targets = fieldTargets();
    assert.ok(targets.length >= 5, `nginx, lighttpd, python's http.server, socat and xinetd: found ${targets.map((target) => target.manifest.name).join(', ')}`);
    const report = tempDir('field');
    const { status, stderr } = runCli(['run', '--target', 'field', '--parallel', '2', '--report-dir', report], 1_800_000);
    const summary = readSummary(report);
    const unexplained = summary.targets.flatMap((target) =>
      target.scenarios.filter((result) => ['failed', 'warned', 'fixed'].includes(result.status)).map((result) => `${target.name} ${result.id}: ${result.status}: ${result.reason ?? result.message}`),
    );
    assert.deepEqual(unexplained, [], 'a verdict changed: explain it in the field folder (expectations.json) or fix it');
    for (const target of summary.targets) {
      const counts = new Map<string, number>();
      for (const result of target.scenarios) counts.set(result.status, (counts.get(result.status) ?? 0) + 1);
      process.stdout.write(`${target.name}: ${[...counts].map(([verdict, count]) => `${count} ${verdict}`).join(', ')}\n`);
      assert.ok((counts.get('passed') ?? 0) > 0, `${target.name} passed nothing: did it start?`);
      assert.deepEqual(target.unusedExpectations ?? [], [], `${target.name} has stale expectations`);
    }
    // lighttpd serves POST of a static file with 200: the rule for a 405's Allow has nothing to judge, which is no pass.
    const allow = summary.targets.find((target) => target.name === 'lighttpd')?.scenarios.find((result) => result.id === 'http.method-not-allowed-allow');
    assert.equal(allow?.status, 'not applicable');
    assert.match(allow?.reason ?? '', /answered 200, not 405/);
    assert.equal(status, 0, stderr);
  });
});
