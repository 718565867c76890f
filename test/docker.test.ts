import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { ScenarioResult } from '../src/report/summary';
import { bundledTargets } from '../src/targets';
import { PROJECT, runCli, tempDir } from './helpers';

const dockerAnswers = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
const dockerRequired = process.env.SOCKSPEC_REQUIRE_DOCKER === '1';
const skip = !dockerAnswers && !dockerRequired ? 'no Docker engine answers `docker info` (CI runs these with one)' : false;

interface Summary {
  targets: { name: string; scenarios: ScenarioResult[] }[];
}

function run(args: string[]): { status: number | null; stderr: string; summary: Summary } {
  const reportDir = tempDir('docker');
  const { status, stderr } = runCli([...args, '--report-dir', reportDir], 1_800_000);
  return { status, stderr, summary: JSON.parse(readFileSync(join(reportDir, 'summary.json'), 'utf8')) as Summary };
}

function verdicts(summary: Summary): Map<string, ScenarioResult> {
  return new Map(summary.targets.flatMap((target) => target.scenarios.map((result) => [`${target.name}: ${result.location} ${result.scenario}`, result])));
}

const docker = (...args: string[]): string => spawnSync('docker', args, { encoding: 'utf8' }).stdout.trim();
const sockspecContainers = (): string => docker('ps', '--all', '--quiet', '--filter', 'label=sockspec');

describe('docker runtime', { skip }, () => {
  before(() => {
    assert.ok(dockerAnswers, 'SOCKSPEC_REQUIRE_DOCKER=1, but `docker info` does not answer');
  });

  it('gives every bundled target the same verdicts as the process runtime', () => {
    const targets = bundledTargets().flatMap((target) => ['--target', target.manifest.name]);
    const onProcess = verdicts(run(['run', ...targets]).summary);
    const onDocker = verdicts(run(['run', '--runtime', 'docker', ...targets]).summary);
    assert.deepEqual([...onDocker.keys()].sort(), [...onProcess.keys()].sort(), 'the same scenarios on both');

    let compared = 0;
    for (const [key, processResult] of onProcess) {
      const dockerResult = onDocker.get(key)!;
      const ranOnBoth = [processResult, dockerResult].every((result) => result.status === 'passed' || result.status === 'failed');
      if (ranOnBoth) {
        compared++;
        assert.equal(dockerResult.status, processResult.status, `${key}: ${dockerResult.message ?? ''} / ${processResult.message ?? ''}`);
        continue;
      }
      // Where one runtime cannot run a scenario, it must say which capability it lacks.
      const reasons = [processResult, dockerResult].filter((result) => result.status === 'not runnable').map((result) => result.reason ?? '');
      for (const reason of reasons) assert.match(reason, /reaches servers over IPv4 only|network namespace of the server's own/, key);
      if (reasons.length === 0) assert.equal(dockerResult.status, processResult.status, key);
    }
    assert.ok(compared > 300, `compared ${compared} verdicts`);
  });

  it('leaves no container behind, and no image but the cached target images', () => {
    run(['run', '--runtime', 'docker', '--target', 'cpp', '--tags', '@udp-echo']);
    assert.equal(sockspecContainers(), '');
    const images = docker('images', '--format', '{{.Repository}}:{{.Tag}}').split('\n');
    const strays = images.filter((image) => !/^sockspec\/[a-z0-9._-]+:[0-9a-f]{16}$/.test(image) && !/^(debian:bookworm-slim|sockspec-compose\/)/.test(image));
    assert.deepEqual(strays, []);
  });

  it('removes its containers when interrupted with Ctrl-C (SIGINT)', async () => {
    const child = spawn(process.execPath, [join(PROJECT, 'bin', 'sockspec.js'), 'run', '--runtime', 'docker', '--target', 'cpp', '--report-dir', tempDir('interrupted')], { stdio: 'ignore' });
    // Interrupt once the run has containers up: that is what must be cleaned.
    const deadline = Date.now() + 120_000;
    while (sockspecContainers() === '' && Date.now() < deadline) await new Promise((tick) => setTimeout(tick, 100));
    assert.notEqual(sockspecContainers(), '', 'the run started containers');
    child.kill('SIGINT');
    const code = await new Promise((resolveExit) => child.on('exit', resolveExit));
    assert.equal(code, 130);
    assert.equal(sockspecContainers(), '');
  });

  it('docker-compose.yml brings the reference target up, and the external runtime verifies it', () => {
    const project = ['--project-name', 'sockspec-test', '--file', join(PROJECT, 'docker-compose.yml')];
    const services = ['cpp-echo', 'cpp-file', 'cpp-http', 'cpp-udp-echo'];
    const filesDir = join(PROJECT, '.sockspec-files');
    assert.equal(runCli(['files', filesDir]).status, 0);
    // The classic builder that docker-compose 1.29 uses keeps each build stage as an
    // untagged image: the ones this test makes are removed again at the end.
    const danglingBefore = new Set(docker('images', '--quiet', '--filter', 'dangling=true').split('\n'));
    const up = spawnSync('docker-compose', [...project, 'up', '--detach', '--build', ...services], { cwd: PROJECT, encoding: 'utf8' });
    try {
      assert.equal(up.status, 0, up.stderr);
      const spec = runCli(['compose', '--external-targets']).stdout.split('\n').find((line) => line.startsWith('cpp='))!;
      const { status, summary, stderr } = run(['run', '--runtime', 'external', '--target', spec]);
      assert.equal(status, 0, stderr);
      const results = summary.targets[0].scenarios;
      assert.ok(results.filter((result) => result.status === 'passed').length >= 20);
      for (const result of results.filter((entry) => entry.status === 'not runnable')) assert.match(result.reason!, /needs server control/);
    } finally {
      spawnSync('docker-compose', [...project, 'down', '--timeout', '2'], { cwd: PROJECT, stdio: 'ignore' });
      const madeHere = docker('images', '--quiet', '--filter', 'dangling=true').split('\n').filter((id) => id && !danglingBefore.has(id));
      docker('rmi', '--force', 'sockspec-compose/cpp', ...madeHere);
    }
  });
});
