import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TEST_TARGETS, runCli, tempDir } from './helpers';

/** Bad input never crashes the harness: one line on stderr that says what and where, and exit code 2. */
function assertHarnessError(args: string[], pattern: RegExp): void {
  const { status, stderr } = runCli(args, 60_000);
  assert.equal(status, 2, stderr);
  // Progress lines (e.g. "building cpp") may come first; the error is the last line, and no stack trace follows.
  const lines = stderr.trim().split('\n');
  assert.match(lines[lines.length - 1], pattern);
  assert.ok(!lines.some((line) => /^\s+at /.test(line)), `no stack trace expected, got: ${stderr}`);
}

describe('sockspec CLI', () => {
  it('rejects an unknown flag', () => assertHarnessError(['run', '--colour'], /unknown option '--colour'/));
  it('rejects an unknown command', () => assertHarnessError(['walk'], /unknown command 'walk'/));
  it('rejects an unknown runtime', () => assertHarnessError(['run', '--runtime', 'vm'], /argument 'vm' is invalid/));
  it('rejects an unknown target, listing the bundled ones', () => assertHarnessError(['run', '--target', 'cobol'], /--target cobol: unknown target \(bundled: .*cpp/));
  it('rejects an invalid manifest, naming the file and field', () =>
    assertHarnessError(['run', '--target', join(TEST_TARGETS, 'bad-manifest')], /bad-manifest\/target\.json: invalid target manifest: field "services\.1"/));
  it('reports a target that exits before listening, with its stderr', () =>
    assertHarnessError(['run', '--target', join(TEST_TARGETS, 'crashes-on-start')], /server crashes-on-start echo exited \(exit code 1\) before printing "LISTENING <port>"; stderr: bind 127\.0\.0\.1:0: Address already in use/));
  it('reports a target that prints garbage instead of LISTENING', () =>
    assertHarnessError(['run', '--target', join(TEST_TARGETS, 'garbage-line')], /printed "ready on port 4000" instead of "LISTENING <port>"/));
  it('rejects a tag expression that does not parse', () => assertHarnessError(['run', '--tags', 'bad (('], /--tags bad \(\(: Tag expression "bad \(\(" could not be parsed/));
  it('reports tags that select no scenario', () => assertHarnessError(['run', '--target', 'cpp', '--tags', '@no-such-tag'], /--tags @no-such-tag: no scenario matches for target cpp/));

  it('rejects a --name that is not a regular expression', () => assertHarnessError(['run', '--target', 'cpp', '--name', 'half-(clos'], /--name half-\(clos: Invalid regular expression/));
  it('reports names that select no scenario', () => assertHarnessError(['run', '--target', 'cpp', '--name', '^no such scenario$'], /--name \^no such scenario\$: no scenario matches for target cpp/));
  it('runs only the scenarios whose name matches a --name', () => {
    const reportDir = join(tempDir('names'), 'report');
    const { status, stderr } = runCli(['run', '--target', 'cpp', '--name', '^A line comes back$', '--name', 'half-closes after its request', '--report-dir', reportDir]);
    assert.equal(status, 0, stderr);
    const summary = JSON.parse(readFileSync(join(reportDir, 'summary.json'), 'utf8')) as { targets: { scenarios: { scenario: string; status: string }[] }[] };
    assert.deepEqual(
      summary.targets[0].scenarios.map((result) => `${result.scenario}: ${result.status}`).sort(),
      ['A client that half-closes after its request still gets the whole reply: passed', 'A line comes back: passed'],
    );
  });

  it('with --fail-fast stops at the first failure and reports the rest as not run, not as failures', () => {
    const reportDir = join(tempDir('fail-fast'), 'report');
    // faulty-one-recv takes one recv() as the whole message: the first echo scenario that sends more fails.
    const { status, stderr } = runCli(['run', '--target', 'faulty-one-recv', '--id', 'echo.*', '--fail-fast', '--report-dir', reportDir]);
    assert.equal(status, 1, stderr);
    const summary = JSON.parse(readFileSync(join(reportDir, 'summary.json'), 'utf8')) as { targets: { scenarios: { status: string; reason?: string }[] }[] };
    const scenarios = summary.targets[0].scenarios;
    assert.equal(scenarios.filter((result) => result.status === 'failed').length, 1, 'one failure, then the stop');
    const notRun = scenarios.filter((result) => result.status === 'not runnable');
    assert.ok(notRun.length > 0, 'scenarios after the failure were not run');
    for (const result of notRun) assert.match(result.reason ?? '', /--fail-fast stopped at an earlier failure/);
  });

  it('lists the bundled targets, marking the negative controls', () => {
    const { status, stdout } = runCli(['targets']);
    assert.equal(status, 0);
    assert.match(stdout, /^cpp\s+C\+\+17\s+echo,file,http,udp-echo\s+reference$/m);
    assert.match(stdout, /^faulty-one-recv\s+.*negative control: /m);
  });

  it('repeats a run and reports that no verdict changed', () => {
    const { status, stderr } = runCli(['repeat', '--times', '2', '--target', 'cpp', '--tags', '@udp-echo']);
    assert.equal(status, 0, stderr);
    assert.match(stderr, /sockspec: 2 rounds of \d+ scenarios: 0 verdicts changed\n$/);
  });

  it('rejects a repeat count that is not a positive number', () =>
    assertHarnessError(['repeat', '--times', 'x'], /--times needs a positive whole number, got "x"/));

  it('prints help and exits 0', () => {
    const { status, stdout } = runCli(['run', '--help']);
    assert.equal(status, 0);
    assert.match(stdout, /--target <name\|path\|all>/);
  });
});
