import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { buildTarget } from '../src/build';
import type { Target } from '../src/contract/manifest';
import { HarnessError } from '../src/errors';
import { tempDir } from './helpers';

function target(build: string): Target {
  const dir = tempDir('build');
  writeFileSync(join(dir, 'source.txt'), 'v1');
  return { dir, manifestPath: join(dir, 'target.json'), manifest: { name: 't', language: 'sh', description: 'd', build, server: ['x'], services: ['echo'] } };
}

describe('building targets on demand', () => {
  before(() => {
    process.env.SOCKSPEC_CACHE_DIR = tempDir('cache');
  });

  it('builds once, skips while nothing changed, rebuilds when a source or an output changes', async () => {
    const t = target('cat source.txt > output.txt && echo built >> builds.log');
    const builds = (): number => readFileSync(join(t.dir, 'builds.log'), 'utf8').split('\n').filter(Boolean).length;
    const logged: string[] = [];
    assert.deepEqual(await buildTarget(t, (line) => logged.push(line)), { skipped: false });
    assert.deepEqual(logged, ['building t: cat source.txt > output.txt && echo built >> builds.log']);
    assert.deepEqual(await buildTarget(t), { skipped: true });
    writeFileSync(join(t.dir, 'source.txt'), 'v2');
    assert.deepEqual(await buildTarget(t), { skipped: false });
    assert.equal(readFileSync(join(t.dir, 'output.txt'), 'utf8'), 'v2');
    writeFileSync(join(t.dir, 'output.txt'), 'tampered');
    assert.deepEqual(await buildTarget(t), { skipped: false });
    assert.equal(builds(), 3);
  });

  it('turns a failed build into a harness error with the last line of its output', async () => {
    await assert.rejects(buildTarget(target('echo "src/x.c:1: error: boom" >&2; exit 3')), (error: Error) => {
      assert.ok(error instanceof HarnessError);
      assert.match(error.message, /target\.json: build "echo .*" failed \(exit 3\): src\/x\.c:1: error: boom$/);
      return true;
    });
  });

  it('has nothing to do for a target without a build command', async () => {
    const t = target('unused');
    delete t.manifest.build;
    assert.deepEqual(await buildTarget(t), { skipped: true });
  });
});
