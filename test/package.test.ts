import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { before, describe, it } from 'node:test';
import { PROJECT, tempDir } from './helpers';

// What the installed package may weigh at most: compiled JavaScript, features, the bundled targets' sources and docs.
const MAX_INSTALLED_BYTES = 2 * 1024 * 1024;

const workspace = tempDir('package');
const userProject = join(workspace, 'user-project');
const installed = join(userProject, 'node_modules', 'sockspec');

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((path) => statSync(join(dir, path)).isFile());
}

// Ends the process with code 99 if it loaded a TypeScript compiler: the package runs compiled JavaScript.
const NO_TYPESCRIPT = `process.on('exit', () => {
  const compilers = Object.keys(require.cache).filter((file) => /[\\/]node_modules[\\/](typescript|ts-node)[\\/]/.test(file));
  if (compilers.length > 0) { console.error('loaded ' + compilers[0]); process.exitCode = 99; }
});\n`;

describe('the npm package, installed into a fresh project', () => {
  before(() => {
    // The registry is the machine's own npm configuration; its cache may answer.
    const pack = run('npm', ['pack', '--silent', '--pack-destination', workspace], PROJECT);
    assert.equal(pack.status, 0, pack.stderr);
    const tarball = join(workspace, pack.stdout.trim().split('\n').at(-1)!);
    run('git', ['init', '--quiet', userProject], workspace);
    writeFileSync(join(userProject, 'package.json'), `${JSON.stringify({ name: 'user-project', private: true }, null, 2)}\n`);
    const install = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev', tarball], userProject);
    assert.equal(install.status, 0, install.stderr);
    const commit = run('git', ['-c', 'user.name=user', '-c', 'user.email=user@example.invalid', 'commit', '--quiet', '--allow-empty', '-m', 'a user commit'], userProject);
    assert.equal(commit.status, 0, commit.stderr);
  });

  it('carries what users need and nothing else, within its size bound', () => {
    const files = filesUnder(installed);
    const bytes = files.reduce((sum, file) => sum + statSync(join(installed, file)).size, 0);
    process.stdout.write(`installed package: ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB\n`);
    assert.ok(bytes < MAX_INSTALLED_BYTES, `${bytes} bytes installed, bound ${MAX_INSTALLED_BYTES}`);
    const top = new Set(files.map((file) => file.split('/')[0]));
    for (const absent of ['test', '.ci', 'reports', 'src', 'scripts', 'coverage', 'node_modules']) assert.ok(!top.has(absent), `${absent}/ is not shipped`);
    assert.ok(existsSync(join(installed, 'lib', 'src', 'cli.js')) && existsSync(join(installed, 'lib', 'steps', 'world.js')));
    assert.ok(!files.some((file) => /\/build\//.test(file)), 'no build output of a bundled target is shipped');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; private?: boolean };
    assert.equal(manifest.private, undefined);
    assert.equal(manifest.dependencies['ts-node'], undefined, 'ts-node is for the project itself');
  });

  it('init writes into the user project, and the run of that target passes with its reports and commit in that project', () => {
    const noTypescript = join(workspace, 'no-typescript.js');
    writeFileSync(noTypescript, NO_TYPESCRIPT);
    const env = { NODE_OPTIONS: `--require ${noTypescript}` };
    const init = run('npx', ['sockspec', 'init', 'my-server', '--lang', 'c'], userProject, env);
    assert.equal(init.status, 0, init.stderr);
    assert.ok(existsSync(join(userProject, 'my-server', 'target.json')));
    const suite = run('npx', ['sockspec', 'run', '--target', './my-server'], userProject, env);
    assert.equal(suite.status, 0, suite.stderr);
    assert.match(suite.stderr, /my-server: \d+ passed, 0 failed/);
    const summary = JSON.parse(readFileSync(join(userProject, 'reports', 'latest', 'summary.json'), 'utf8')) as { gitCommit: string; targets: { dir: string }[] };
    assert.equal(summary.gitCommit, run('git', ['rev-parse', 'HEAD'], userProject).stdout.trim(), "the user project's commit");
    assert.ok(!existsSync(join(installed, 'reports')), 'nothing is written into the package');
  });

  it('runs a bundled reference target by name, narrowed by scenario ID', () => {
    const suite = run('npx', ['sockspec', 'run', '--target', 'cpp', '--id', 'echo.*', '--report-dir', 'echo-report'], userProject);
    assert.equal(suite.status, 0, suite.stderr);
    const summary = JSON.parse(readFileSync(join(userProject, 'echo-report', 'summary.json'), 'utf8')) as { targets: { dir: string; scenarios: { id: string; status: string }[] }[] };
    const [cpp] = summary.targets;
    assert.equal(relative(installed, cpp.dir), join('fixtures', 'targets', 'cpp'));
    assert.ok(cpp.scenarios.length > 0 && cpp.scenarios.every((scenario) => scenario.id.startsWith('echo.') && scenario.status === 'passed'), JSON.stringify(cpp.scenarios));
  });

  it('offers its API to scripts that import it', () => {
    const api = run(process.execPath, ['-e', "const s = require('sockspec'); console.log(typeof s.runSuite, typeof s.resolveTargets, s.resolveTargets('cpp')[0].manifest.name)"], userProject);
    assert.equal(api.status, 0, api.stderr);
    assert.equal(api.stdout.trim(), 'function function cpp');
  });
});
