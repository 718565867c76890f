import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadTarget, parseManifest } from '../src/contract/manifest';
import { HarnessError } from '../src/errors';
import { tempDir } from './helpers';

const valid = {
  name: 'mine',
  language: 'C',
  description: 'a target',
  build: 'make',
  server: ['./build/server'],
  services: ['echo', 'file'],
};

function targetWith(manifest: unknown, raw?: string): string {
  const dir = join(tempDir('manifest'), 'target');
  mkdirSync(dir);
  writeFileSync(join(dir, 'target.json'), raw ?? JSON.stringify(manifest));
  return dir;
}

describe('target manifest', () => {
  it('loads a valid manifest with the folder as the target dir', () => {
    const dir = targetWith(valid);
    const target = loadTarget(dir);
    assert.equal(target.dir, dir);
    assert.deepEqual(target.manifest.services, ['echo', 'file']);
    assert.equal(target.manifest.client, undefined);
  });

  it('names the file and the missing field', () => {
    const dir = targetWith({ ...valid, server: undefined });
    assert.throws(() => loadTarget(dir), (error: Error) => {
      assert.ok(error instanceof HarnessError);
      assert.match(error.message, new RegExp(`^${join(dir, 'target.json')}: invalid target manifest: field "server"`));
      return true;
    });
  });

  it('rejects a service outside the contract, naming its index', () => {
    assert.throws(() => parseManifest({ ...valid, services: ['echo', 'telnet'] }, 'x.json'), /field "services\.1"/);
  });

  it('rejects a service listed twice', () => {
    assert.throws(() => parseManifest({ ...valid, services: ['echo', 'echo'] }, 'x.json'), /field "services": lists a service twice/);
  });

  it('rejects unknown fields, so a typo is not silently ignored', () => {
    assert.throws(() => parseManifest({ ...valid, sevrer: ['x'] }, 'x.json'), /sevrer/);
  });

  it('requires a negative control to name the scenario that catches it', () => {
    assert.throws(
      () => parseManifest({ ...valid, fault: { bug: 'one recv', expectedFailures: [] } }, 'x.json'),
      /field "fault\.expectedFailures"/,
    );
  });

  it('reports invalid JSON and a missing manifest with the path', () => {
    const broken = targetWith(undefined, '{ "name": ');
    assert.throws(() => loadTarget(broken), /target\.json: not valid JSON/);
    assert.throws(() => loadTarget(join(broken, 'nowhere')), /nowhere\/target\.json: cannot read the target manifest \(ENOENT\)/);
  });
});
