import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse as parseJunit } from 'junit2json';
import { buildTarget } from '../src/build';
import { loadTarget } from '../src/contract/manifest';
import { scaled, withTimeout } from '../src/driver/wait';
import { NO_EXPECTATIONS, combineExpectations, parseExpectations } from '../src/expectations';
import { BUNDLED_TARGETS_DIR } from '../src/paths';
import { readSummary } from '../src/report/summary-schema';
import { judge, type JudgeContext } from '../src/verdicts';
import { runCli, tempDir } from './helpers';

const context = (overrides: Partial<JudgeContext> = {}): JudgeContext => ({ followsProfile: true, strict: false, expectations: NO_EXPECTATIONS, today: '2026-12-01', ...overrides });
const expecting = (id: string, until?: string): JudgeContext['expectations'] => ({ expected: [{ entry: { id, reason: 'known', ...(until ? { until } : {}) }, where: 'x.json expected[0]' }], exclude: [] });

describe('verdicts', () => {
  it('a failed @must fails, whatever the profile and strictness', () => {
    assert.equal(judge(false, 'a.b', 'must', context({ followsProfile: false })).status, 'failed');
  });
  it('a failed @should warns, and fails with --strict', () => {
    assert.equal(judge(false, 'a.b', 'should', context()).status, 'warned');
    assert.equal(judge(false, 'a.b', 'should', context({ strict: true })).status, 'failed');
  });
  it("a failed @profile fails a target that declares sockspec's profile and warns one that does not", () => {
    assert.equal(judge(false, 'a.b', 'profile', context()).status, 'failed');
    assert.match(judge(false, 'a.b', 'profile', context({ followsProfile: false })).reason!, /does not declare "profile": "sockspec"/);
    assert.equal(judge(false, 'a.b', 'profile', context({ followsProfile: false, strict: true })).status, 'failed');
  });
  it('an expected failure is reported with its reason; if it passes it is fixed; past its date it fails again', () => {
    assert.deepEqual(judge(false, 'a.b', 'must', context({ expectations: expecting('a.*') })), { status: 'expected failure', reason: 'x.json expected[0]: known' });
    assert.equal(judge(true, 'a.b', 'must', context({ expectations: expecting('a.b') })).status, 'fixed');
    assert.equal(judge(false, 'a.b', 'must', context({ expectations: expecting('a.b', '2026-12-01') })).status, 'expected failure', 'the until day itself still counts');
    const lapsed = judge(false, 'a.b', 'must', context({ expectations: expecting('a.b', '2026-11-30') }));
    assert.equal(lapsed.status, 'failed');
    assert.match(lapsed.reason!, /accepted this failure only until 2026-11-30/);
    assert.equal(judge(true, 'a.b', 'must', context()).status, 'passed');
  });
  it('refuses an expectation without a reason, a malformed date and an ID no scenario has, naming the file and entry', () => {
    assert.throws(() => parseExpectations({ expected: [{ id: 'echo.line' }] }, 'mine.json'), /^HarnessError: mine\.json: invalid expectations: expected\.0\.reason: /);
    assert.throws(() => parseExpectations({ expected: [{ id: 'echo.line', reason: 'r', until: 'soon' }] }, 'mine.json'), /expected\.0\.until: must be a date, YYYY-MM-DD/);
    assert.throws(() => parseExpectations({ exclude: [{ id: 'echo.line', reason: 'r', extra: 1 }] }, 'mine.json'), /exclude\.0: Unrecognized key/);
    const parsed = parseExpectations({ expected: [{ id: 'echo.line', reason: 'r' }, { id: 'nope.*', reason: 'r' }] }, 'mine.json');
    assert.throws(() => combineExpectations([{ where: 'mine.json', expectations: parsed }], new Set(['echo.line'])), /mine\.json: expected\[1\] "nope\.\*": no scenario has a matching ID/);
  });
  it('--timeout-scale multiplies the timeout a wait reports', async () => {
    process.env.SOCKSPEC_TIMEOUT_SCALE = '3';
    try {
      assert.equal(scaled(100), 300);
      await assert.rejects(withTimeout(new Promise(() => {}), 10, 'nothing'), /timed out after 30 ms waiting for nothing/);
    } finally {
      delete process.env.SOCKSPEC_TIMEOUT_SCALE;
    }
  });
});

describe('every verdict kind, end to end', () => {
  const dir = tempDir('verdicts');
  // A server that forgets SO_REUSEADDR (the negative control's binary), as a user's own
  // target would be written: no "profile", and only two of the services.
  const mine = join(dir, 'mine');
  before(async () => {
    const control = loadTarget(join(BUNDLED_TARGETS_DIR, 'faulty-no-reuseaddr'));
    await buildTarget(control);
    const manifest = { name: 'mine', language: 'C++', description: 'a target outside the profile', server: [join(control.dir, 'build', 'server')], services: ['echo', 'file'] };
    mkdirSync(mine);
    writeFileSync(join(mine, 'target.json'), JSON.stringify(manifest));
  });
  const selection = ['--id', 'reuse.restart-time-wait', '--id', 'echo.line', '--id', 'http.index', '--id', 'file.text', '--id', 'backlog.abort-on-overflow-dropped'];
  const run = (name: string, extra: string[], target = mine): { status: number | null; stderr: string; verdicts: Record<string, string>; report: string } => {
    const report = join(dir, name);
    const { status, stderr } = runCli(['run', '--target', target, ...selection, ...extra, '--report-dir', report]);
    const summary = readSummary(report);
    return { status, stderr, report, verdicts: Object.fromEntries(summary.targets[0].scenarios.map((result) => [result.id!, result.status])) };
  };
  const junitCase = async (report: string, target: string, id: string): Promise<Record<string, unknown>> => {
    const parsed = (await parseJunit(readFileSync(join(report, target, 'junit.xml'), 'utf8'))) as { testsuite: { testcase: { name: string; properties?: { name: string; value: string }[] }[] }[] };
    const found = parsed.testsuite[0].testcase.find((testCase) => testCase.properties?.some((property) => property.name === 'id' && property.value === id));
    assert.ok(found, `junit.xml has a testcase with the property id=${id}`);
    return found as unknown as Record<string, unknown>;
  };

  it('passed, warned, not applicable and not runnable; a warning alone exits 0 and is no JUnit failure', async () => {
    const { status, stderr, verdicts, report } = run('plain', ['--timeout-scale', '2']);
    assert.equal(status, 0, stderr);
    assert.deepEqual(verdicts, { 'reuse.restart-time-wait': 'warned', 'echo.line': 'passed', 'http.index': 'not applicable', 'file.text': 'passed', 'backlog.abort-on-overflow-dropped': 'not runnable' });
    assert.match(stderr, /WARNED reuse\.restart-time-wait: .*only sockspec's profile asks for this/);
    assert.equal(readSummary(report).timeoutScale, 2);
    const warned = await junitCase(report, 'mine', 'reuse.restart-time-wait');
    assert.equal(warned.failure, undefined);
    assert.match(String(warned['system-out']), /^warned: /);
    assert.equal((await junitCase(report, 'mine', 'http.index')).skipped !== undefined, true);
  });

  it('--strict makes the warning a failure, exit 1, a JUnit failure', async () => {
    const { status, verdicts, report } = run('strict', ['--strict']);
    assert.equal(status, 1);
    assert.equal(verdicts['reuse.restart-time-wait'], 'failed');
    assert.ok((await junitCase(report, 'mine', 'reuse.restart-time-wait')).failure);
  });

  it('expected failure, fixed and excluded from an expectations file; fixed exits 1; an entry that matched nothing is reported', async () => {
    const file = join(dir, 'expect.json');
    writeFileSync(file, JSON.stringify({
      expected: [
        { id: 'reuse.restart-time-wait', reason: 'no SO_REUSEADDR yet: issue 12' },
        { id: 'echo.line', reason: 'believed broken' },
        { id: 'udp.*', reason: 'not in this selection' },
      ],
      exclude: [{ id: 'file.*', reason: 'the file service is being rewritten' }],
    }));
    const { status, stderr, verdicts, report } = run('expect', ['--expect', file]);
    assert.equal(status, 1, stderr);
    assert.deepEqual(verdicts, { 'reuse.restart-time-wait': 'expected failure', 'echo.line': 'fixed', 'http.index': 'not applicable', 'file.text': 'excluded', 'backlog.abort-on-overflow-dropped': 'not runnable' });
    assert.match(stderr, /FIXED echo\.line: .*expects it to fail \(believed broken\): remove the entry/);
    assert.match(stderr, /unused expectation .*expect\.json expected\[2\] "udp\.\*"/);
    const summary = readSummary(report);
    assert.match(summary.targets[0].scenarios.find((result) => result.id === 'file.text')!.reason!, /the file service is being rewritten/);
    assert.deepEqual(summary.targets[0].unusedExpectations, [`${file} expected[2] "udp.*"`]);
    assert.ok((await junitCase(report, 'mine', 'echo.line')).failure, 'fixed is a JUnit failure');
    assert.equal((await junitCase(report, 'mine', 'reuse.restart-time-wait')).failure, undefined, 'an expected failure is not');
  });

  it("a profile target's expectation past its date fails again", () => {
    const file = join(dir, 'expired.json');
    writeFileSync(file, JSON.stringify({ expected: [{ id: 'reuse.restart-time-wait', reason: 'fix promised', until: '2020-01-31' }] }));
    const { status, verdicts } = run('expired', ['--expect', file], 'faulty-no-reuseaddr');
    assert.equal(status, 1);
    assert.equal(verdicts['reuse.restart-time-wait'], 'failed');
  });

  it('refuses bad expectation files and bad values with exit 2 and one line', () => {
    const unknown = join(dir, 'unknown.json');
    writeFileSync(unknown, JSON.stringify({ expected: [{ id: 'echo.lines-typo', reason: 'r' }] }));
    const noReason = join(dir, 'no-reason.json');
    writeFileSync(noReason, JSON.stringify({ exclude: [{ id: 'echo.line' }] }));
    const malformed = join(dir, 'malformed.json');
    writeFileSync(malformed, '{ "expected": [');
    for (const [args, message] of [
      [['--expect', unknown], /unknown\.json: expected\[0\] "echo\.lines-typo": no scenario has a matching ID/],
      [['--expect', noReason], /no-reason\.json: invalid expectations: exclude\.0\.reason/],
      [['--expect', malformed], /malformed\.json: cannot read an expectations file/],
      [['--timeout-scale', '0'], /--timeout-scale needs a number above 0, got "0"/],
      [['--timeout-scale', 'fast'], /--timeout-scale needs a number above 0, got "fast"/],
      [['--profile', 'sockspec'], /--profile is for external targets/],
    ] as const) {
      const { status, stderr } = runCli(['run', '--target', mine, '--id', 'echo.line', ...args]);
      assert.equal(status, 2, stderr);
      const lines = stderr.trim().split('\n');
      assert.match(lines.at(-1)!, message);
      assert.ok(!lines.some((line) => /^\s+at /.test(line)), stderr);
    }
  });
});
