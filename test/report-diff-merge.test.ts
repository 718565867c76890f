import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { diffSummaries } from '../src/report/diff';
import { readSummary, SUMMARY_SCHEMA_VERSION, type Summary } from '../src/report/summary-schema';
import { runCli, tempDir } from './helpers';

// Recorded from `sockspec run --target cpp --target faulty-serial --tags @echo`;
// regressed.json is base.json with a pass turned into a failure, a failure fixed,
// a scenario removed, one added, and a not-runnable reason changed.
const SUMMARIES = join(__dirname, 'fixtures', 'summaries');
const BASE = join(SUMMARIES, 'base.json');
const REGRESSED = join(SUMMARIES, 'regressed.json');
const CPP_ON_DOCKER = join(SUMMARIES, 'cpp-docker.json');
const INVALID_STATUS = join(SUMMARIES, 'invalid-status.json');

const readJson = (file: string): Summary => JSON.parse(readFileSync(file, 'utf8')) as Summary;

describe('summary schema', () => {
  it('accepts a summary recorded before version 2 (a kept baseline), stating its version', () => {
    const summary = readSummary(BASE);
    assert.equal(summary.schemaVersion, 1);
    assert.equal(SUMMARY_SCHEMA_VERSION, 2);
    assert.deepEqual(
      summary.targets.map((target) => target.name),
      ['cpp', 'faulty-serial'],
    );
  });

  it('rejects an unknown status with one line naming the file and the field, exit 2', () => {
    const { status, stderr } = runCli(['diff', BASE, INVALID_STATUS]);
    assert.equal(status, 2);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /invalid-status\.json: not a valid sockspec summary: field targets\[1\]\.scenarios\[2\]\.status: /);
  });

  it('rejects a scenario that did not run without its reason, and a failure without its step', () => {
    const dir = tempDir('schema');
    const summary = readJson(BASE);
    const notRunnable = summary.targets[0].scenarios.findIndex((result) => result.status === 'not runnable');
    delete summary.targets[0].scenarios[notRunnable].reason;
    writeFileSync(join(dir, 'no-reason.json'), JSON.stringify(summary));
    assert.match(runCli(['diff', join(dir, 'no-reason.json'), BASE]).stderr, new RegExp(`field targets\\[0\\]\\.scenarios\\[${notRunnable}\\]\\.reason: a not runnable scenario must say why`));
    const failed = readJson(BASE);
    const failure = failed.targets[1].scenarios.findIndex((result) => result.status === 'failed');
    delete failed.targets[1].scenarios[failure].failedStep;
    writeFileSync(join(dir, 'no-step.json'), JSON.stringify(failed));
    assert.match(runCli(['diff', BASE, join(dir, 'no-step.json')]).stderr, new RegExp(`field targets\\[1\\]\\.scenarios\\[${failure}\\]\\.failedStep: a failed scenario must say its failedStep`));
  });

  it('rejects another schema version, naming the version it reads', () => {
    const dir = tempDir('schema');
    const file = join(dir, 'summary.json');
    writeFileSync(file, JSON.stringify({ ...readJson(BASE), schemaVersion: 99 }));
    const { status, stderr } = runCli(['merge', dir, '--report-dir', join(dir, 'merged')]);
    assert.equal(status, 2);
    assert.match(stderr, /field schemaVersion: .*reads schema versions 1 and 2/);
  });

  it('rejects a missing field, a missing file and a file that is not JSON', () => {
    const dir = tempDir('schema');
    const { startedAt: _dropped, ...withoutStart } = readJson(BASE);
    writeFileSync(join(dir, 'no-start.json'), JSON.stringify(withoutStart));
    writeFileSync(join(dir, 'garbage.json'), '{"schemaVersion": 1,');
    assert.match(runCli(['diff', join(dir, 'no-start.json'), BASE]).stderr, /no-start\.json: .*field startedAt: /);
    assert.match(runCli(['diff', join(dir, 'absent.json'), BASE]).stderr, /absent\.json: cannot read a summary: no such file/);
    const garbage = runCli(['diff', BASE, join(dir, 'garbage.json')]);
    assert.equal(garbage.status, 2);
    assert.match(garbage.stderr, /garbage\.json: cannot read a summary: /);
  });
});

describe('sockspec run --baseline', () => {
  it('refuses an invalid baseline before running anything', () => {
    const dir = tempDir('baseline');
    const { status, stderr } = runCli(['run', '--target', 'cpp', '--baseline', INVALID_STATUS, '--report-dir', dir]);
    assert.equal(status, 2);
    assert.match(stderr, /^sockspec: .*invalid-status\.json: not a valid sockspec summary: field targets\[1\]\.scenarios\[2\]\.status: /);
    assert.doesNotMatch(stderr, /running cpp/);
  });
});

describe('sockspec diff', () => {
  it('finds the regression, the fix, the new, removed and changed scenarios, and exits 1', () => {
    const { status, stdout } = runCli(['diff', BASE, REGRESSED]);
    assert.equal(status, 1, stdout);
    assert.match(stdout, /\*\*1 regressions, 1 fixes, 1 new, 1 removed, 1 changed\*\*/);
    assert.match(stdout, /### Regressions[^#]*- \*\*cpp\*\*: Echo service: A line comes back: at "the client receives the same line back": timed out/);
    assert.match(stdout, /### Fixes[^#]*- \*\*faulty-serial\*\*: Bad peers: A slow client does not delay other clients: was at /);
    assert.match(stdout, /### New scenarios[^#]*A behaviour added since the base run: passed/);
    assert.match(stdout, /### Removed scenarios[^#]*A client that leaves without sending does not disturb the next one: was passed/);
    assert.match(stdout, /### Changed[^#]*faulty-serial\*\*: .*not runnable \(needs a network namespace.*→ not runnable \(the runtime was told not to use network namespaces\)/);
  });

  it('exits 0 when nothing regressed, and reads report folders as well as files', () => {
    const dir = tempDir('diff');
    copyFileSync(BASE, join(dir, 'summary.json'));
    const { status, stdout } = runCli(['diff', dir, BASE]);
    assert.equal(status, 0, stdout);
    assert.match(stdout, /^0 regressions, 0 fixes, 0 new, 0 removed, 0 changed$/m);
  });

  it('a fix alone is not a regression', () => {
    const diff = diffSummaries(readSummary(REGRESSED), readSummary(BASE));
    assert.deepEqual(
      diff.regressions.map((change) => change.key),
      ['Bad peers: A slow client does not delay other clients'],
    );
    assert.deepEqual(
      diff.fixes.map((change) => change.key),
      ['Echo service: A line comes back'],
    );
  });

  it('finds a regression of one runtime in a merged summary that holds the target on two', () => {
    const dir = tempDir('diff');
    const merged = join(dir, 'merged');
    runCli(['merge', BASE, CPP_ON_DOCKER, '--report-dir', merged]);
    const diff = diffSummaries(readSummary(merged), readSummary(REGRESSED));
    assert.deepEqual(
      diff.regressions.map((change) => `${change.target}: ${change.key}`),
      ['cpp: Echo service: A line comes back'],
    );
    assert.ok(
      diff.removed.every((change) => change.target === 'cpp (docker)' || change.key.includes('leaves without sending')),
      'only the docker column and the scenario removed in the regressed run are gone',
    );
  });
});

describe('sockspec merge', () => {
  it('combines runs of other targets and runtimes into one valid summary and one matrix', () => {
    const dir = tempDir('merge');
    const jobA = join(dir, 'job-a');
    mkdirSync(jobA);
    copyFileSync(BASE, join(jobA, 'summary.json'));
    const out = join(dir, 'merged');
    const { status, stderr } = runCli(['merge', jobA, CPP_ON_DOCKER, '--report-dir', out]);
    // faulty-serial's failures are in the merged run, so it fails like the run did.
    assert.equal(status, 1, stderr);
    const merged = readSummary(out);
    assert.deepEqual(
      merged.targets.map((target) => `${target.name} ${target.runtime}`),
      ['cpp process', 'faulty-serial process', 'cpp docker'],
    );
    assert.equal(merged.runtime, 'process, docker');
    assert.deepEqual(
      merged.mergedFrom?.map((run) => run.source),
      [join(jobA, 'summary.json'), CPP_ON_DOCKER],
    );
    assert.equal(merged.startedAt, readJson(BASE).startedAt);
    assert.equal(merged.finishedAt, readJson(CPP_ON_DOCKER).finishedAt);

    const markdown = readFileSync(join(out, 'matrix.md'), 'utf8');
    assert.match(markdown, /\| Feature \| Scenario \| cpp \(process\) \| faulty-serial \| cpp \(docker\) \|/);
    assert.match(markdown, /\| Bad peers \| A slow client does not delay other clients \(features\/robustness\.feature:8\) \| ✅ passed \| ❌ failed \| ✅ passed \|/);
    assert.match(markdown, /### Not checked, and why\n\n(- .*\n)*- ⛔ not runnable: .*\(features\/backlog\.feature:\d+\): needs a network namespace of the server's own to set a sysctl; .* \(cpp \(process\), faulty-serial[,)]/);
    const html = readFileSync(join(out, 'matrix.html'), 'utf8');
    assert.match(html, /<th scope="col">cpp \(docker\)<\/th>/);
    assert.doesNotMatch(html, /(src|href)="https?:/, 'the page fetches nothing');
  });

  it('refuses the same scenario of a target on the same runtime twice, exit 2', () => {
    const dir = tempDir('merge');
    const { status, stderr } = runCli(['merge', BASE, REGRESSED, '--report-dir', join(dir, 'out')]);
    assert.equal(status, 2);
    assert.match(stderr, /regressed\.json: cpp's ".+" on the process runtime is also in .*base\.json; merge each scenario once/);
  });

  it('a merge of merges keeps every original run', () => {
    const dir = tempDir('merge');
    runCli(['merge', BASE, '--report-dir', join(dir, 'first')]);
    const { status } = runCli(['merge', join(dir, 'first'), CPP_ON_DOCKER, '--report-dir', join(dir, 'second')]);
    assert.equal(status, 1);
    assert.equal(readSummary(join(dir, 'second')).mergedFrom?.length, 2);
  });
});
