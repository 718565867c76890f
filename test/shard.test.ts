import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readSummary } from '../src/report/summary-schema';
import { idExpression, parseShard, shardIds } from '../src/selection';
import { featurePickles, idGlob } from '../src/feature-pickles';
import { runCli, tempDir } from './helpers';

// The examples of a Scenario Outline share their outline's ID.
const ALL_IDS = [...new Set(featurePickles().map((pickle) => pickle.tags.find((tag) => tag.name.startsWith('@id:'))!.name.slice(4)))];

describe('scenario selection by ID', () => {
  it('a glob matches whole IDs only', () => {
    assert.ok(idGlob('echo.*').test('echo.line'));
    assert.ok(!idGlob('echo.*').test('udp-echo.line'));
    assert.ok(idGlob('close.linger?ng').test('close.lingering'));
    assert.ok(!idGlob('echo.line').test('echo.lines'));
  });

  it('N shards without durations run every scenario exactly once, dealt in ID order', () => {
    const shards = [1, 2, 3].map((index) => shardIds(ALL_IDS, { index, count: 3 }));
    assert.deepEqual(shards.flat().sort(), [...ALL_IDS].sort());
    const sizes = shards.map((ids) => ids.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes}`);
  });

  it('with durations, the long scenarios are spread and the shards stay within one scenario of each other', () => {
    const durations = new Map(ALL_IDS.map((id, index) => [id, index === 0 ? 5000 : index === 1 ? 4000 : 100]));
    const shards = [1, 2].map((index) => shardIds(ALL_IDS, { index, count: 2 }, durations));
    assert.deepEqual(shards.flat().sort(), [...ALL_IDS].sort());
    const load = (ids: string[]): number => ids.reduce((sum, id) => sum + durations.get(id)!, 0);
    assert.ok(shards[0].includes(ALL_IDS[0]) !== shards[1].includes(ALL_IDS[0]));
    assert.ok(!(shards[0].includes(ALL_IDS[0]) && shards[0].includes(ALL_IDS[1])), 'the two longest are in different shards');
    assert.ok(Math.abs(load(shards[0]) - load(shards[1])) <= 5000, `loads ${shards.map(load)}`);
  });

  it('refuses a malformed shard, K out of range, and a glob that matches nothing', () => {
    assert.throws(() => parseShard('2'), /expected K\/N/);
    assert.throws(() => parseShard('0/3'), /K must be between 1 and N/);
    assert.throws(() => parseShard('4/3'), /K must be between 1 and N/);
    assert.throws(() => parseShard('1/0'), /N must be at least 1/);
    assert.throws(() => idExpression(featurePickles(), { ids: ['nothing.*'] }), /--id nothing\.\*: no selected scenario has a matching ID/);
  });
});

describe('sharded runs', () => {
  it('the merge of N shards gives the verdicts of one unsharded run, scenario for scenario and in the same order', () => {
    const dir = tempDir('shard');
    // A negative control too, whose verdicts are deterministic, so failures are compared as well as passes.
    const targets = ['--target', 'cpp', '--target', 'faulty-no-reuseaddr'];
    const whole = runCli(['run', ...targets, '--report-dir', join(dir, 'whole')]);
    assert.equal(whole.status, 1, whole.stderr);
    for (const index of [1, 2, 3]) {
      const shard = runCli(['run', ...targets, '--shard', `${index}/3`, '--durations', join(dir, 'whole'), '--report-dir', join(dir, `shard-${index}`)]);
      assert.ok(shard.status === 0 || shard.status === 1, shard.stderr);
    }
    const merged = runCli(['merge', join(dir, 'shard-1'), join(dir, 'shard-2'), join(dir, 'shard-3'), '--report-dir', join(dir, 'merged')]);
    assert.equal(merged.status, 1, merged.stderr);
    const verdicts = (report: string): string[] =>
      readSummary(join(dir, report)).targets.flatMap(({ name, runtime, scenarios }) =>
        scenarios.map((result) => `${name} ${runtime} ${result.id} ${result.location} ${result.status}${result.failedStep ? ` at "${result.failedStep}"` : ''}`),
      );
    assert.ok(verdicts('whole').some((verdict) => verdict.includes(' failed at ')), 'the negative control failed somewhere');
    assert.deepEqual(verdicts('merged'), verdicts('whole'));
    // Every shard ran something, and no scenario ran in two.
    const perShard = [1, 2, 3].map((index) => readSummary(join(dir, `shard-${index}`)).targets[0].scenarios.map((result) => result.location));
    for (const ids of perShard) assert.ok(ids.length > 0);
    assert.equal(new Set(perShard.flat()).size, perShard.flat().length);
  });

  it('refuses --durations without --shard, and a shard of nothing, with exit 2 and one line', () => {
    const dir = tempDir('shard-bad');
    const lonely = runCli(['run', '--target', 'cpp', '--durations', dir]);
    assert.equal(lonely.status, 2);
    assert.match(lonely.stderr.trim(), /^sockspec: --durations balances shards: give --shard K\/N with it$/);
    const tooMany = runCli(['run', '--target', 'cpp', '--id', 'conn.*', '--shard', '2/2']);
    assert.equal(tooMany.status, 2, tooMany.stderr);
    assert.match(tooMany.stderr, /--shard 2\/2: this shard has no scenario \(1 selected; use fewer shards\)/);
    writeFileSync(join(dir, 'summary.json'), '{}');
    const badDurations = runCli(['run', '--target', 'cpp', '--shard', '1/2', '--durations', dir]);
    assert.equal(badDurations.status, 2);
    assert.match(badDurations.stderr, /summary\.json: not a valid sockspec summary/);
  });
});
