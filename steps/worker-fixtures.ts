import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AfterAll, BeforeAll } from '@cucumber/cucumber';
import { loadTarget, type Target } from '../src/contract/manifest';
import { createFileRoot, type FileRoot } from '../src/fixtures/file-root';
import { createRuntime, finishRuntimes } from '../src/runtime';
import { externalTarget } from '../src/runtime/external-runtime';
import type { Runtime } from '../src/runtime/runtime';
import { ServerSession } from '../src/runtime/server-session';
import { isSockspecParameters } from '../src/world-parameters';

/** What every scenario of a worker shares: its target, runtime, served files and servers. */
export interface WorkerFixtures {
  readonly target: Target;
  readonly runtime: Runtime;
  readonly fileRoot: FileRoot;
  readonly servers: ServerSession;
}

let fixtures: WorkerFixtures | undefined;
let runFailuresDir: string | undefined;

// A worker is one Cucumber run of one target (a serial run makes one per target in turn, a
// parallel one a process per worker): the fixtures live from its BeforeAll to its AfterAll.
BeforeAll(function (this: { parameters: unknown }) {
  if (!isSockspecParameters(this.parameters)) throw new Error('sockspec world parameters are missing: run the features with `sockspec run`');
  const { targetDir, runtime: runtimeName, external, freshServers } = this.parameters;
  runFailuresDir = this.parameters.runFailuresDir;
  const target = external ? externalTarget(external.name, external.endpoints) : loadTarget(targetDir);
  // The CLI's preflight made this runtime already (and with it, on docker, the target's image).
  const runtime = createRuntime(runtimeName, { endpoints: external?.endpoints });
  // A target may declare that its servers must not outlive a scenario (target.json "freshServers", with its reason).
  fixtures = { target, runtime, fileRoot: createFileRoot(), servers: new ServerSession(runtime, target, !freshServers && !target.manifest.freshServers) };
});

// The servers kept across scenarios stop here, their last use: a stop that breaks the contract fails the run.
AfterAll(async function () {
  const ending = fixtures;
  fixtures = undefined;
  try {
    const problems = (await ending?.servers.finish()) ?? [];
    const lines = problems.map((problem) => `a server kept across scenarios, stopped after the last of them: ${problem}\n`);
    if (lines.length > 0 && runFailuresDir) writeFileSync(join(runFailuresDir, `${process.pid}.txt`), lines.join(''), { flag: 'a' });
  } finally {
    await finishRuntimes();
  }
});

export function workerFixtures(): WorkerFixtures {
  if (!fixtures) throw new Error('no sockspec worker is running: run the features with `sockspec run`');
  return fixtures;
}
