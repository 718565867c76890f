import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { INIT_LANGUAGES } from '../src/init';
import { runCli, tempDir } from './helpers';

const workspace = tempDir('init');

describe('sockspec init', () => {
  for (const language of INIT_LANGUAGES) {
    it(`writes a ${language} target that passes the suite as generated`, () => {
      const dir = join(workspace, `mine-${language}`);
      const init = runCli(['init', `mine-${language}`, '--lang', language, '--dir', dir]);
      assert.equal(init.status, 0, init.stderr);
      const manifest = JSON.parse(readFileSync(join(dir, 'target.json'), 'utf8')) as { name: string; fault?: unknown };
      assert.equal(manifest.name, `mine-${language}`);
      assert.equal(manifest.fault, undefined);
      const run = runCli(['run', '--target', dir, '--report-dir', join(workspace, `report-${language}`)]);
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stderr, new RegExp(`mine-${language}: \\d+ passed, 0 failed`));
    });
  }

  it('refuses a name the contract does not allow, an unknown language and a folder that is not empty, with exit 2 and one line', () => {
    const taken = join(workspace, 'taken');
    mkdirSync(taken);
    writeFileSync(join(taken, 'main.c'), '');
    for (const [args, problem] of [
      [['init', 'My Server', '--lang', 'c', '--dir', join(workspace, 'x')], /invalid target name/],
      [['init', 'x', '--lang', 'cobol'], /Allowed choices are c, python, node/],
      [['init', 'x', '--lang', 'c', '--dir', taken], /already exists and is not empty/],
    ] as const) {
      const result = runCli([...args]);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, problem);
      assert.equal(result.stderr.trim().split('\n').filter((line) => !line.startsWith('npm warn')).length, 1, result.stderr);
    }
  });
});
