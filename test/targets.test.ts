import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HarnessError } from '../src/errors';
import { bundledTargets, isNegativeControl, resolveTargets } from '../src/targets';
import { TEST_TARGETS } from './helpers';

describe('target selection', () => {
  it('"all" means every bundled reference target and no negative control', () => {
    const all = resolveTargets('all');
    assert.ok(all.some((target) => target.manifest.name === 'cpp'));
    assert.ok(all.every((target) => !isNegativeControl(target)));
    assert.ok(bundledTargets().some(isNegativeControl), 'the bundle holds negative controls');
  });

  it('finds a bundled target by name and an outside target by path', () => {
    assert.equal(resolveTargets('cpp')[0].manifest.name, 'cpp');
    assert.equal(resolveTargets(join(TEST_TARGETS, 'never-listens'))[0].manifest.name, 'never-listens');
  });

  it('says which targets exist when the name is unknown', () => {
    assert.throws(() => resolveTargets('cobol'), (error: Error) => error instanceof HarnessError && /unknown target \(bundled: .*cpp/.test(error.message));
  });

  it('rejects a path that is not a folder', () => {
    assert.throws(() => resolveTargets('./no/such/folder'), /--target \.\/no\/such\/folder: no such directory/);
  });
});
