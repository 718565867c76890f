import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { exclusions } from '../src/applicability';
import { loadTarget, type Target } from '../src/contract/manifest';
import { pollUntil } from '../src/driver/wait';
import { openFilesLimit, processTreeUsage, treeThreadStates } from '../src/kernel/process-usage';
import { ExternalRuntime } from '../src/runtime/external-runtime';
import { ProcessRuntime } from '../src/runtime/process-runtime';
import { PROJECT } from './helpers';

const linuxOnly = { skip: process.platform !== 'linux' && 'reads /proc' };
const FAKE_SERVER = join(__dirname, 'fixtures', 'fake-server.js');
const fake: Target = {
  dir: __dirname,
  manifestPath: join(__dirname, 'target.json'),
  manifest: { name: 'well-behaved', language: 'js', description: 'fake', server: [process.execPath, FAKE_SERVER, 'well-behaved'], services: ['echo'] },
};

describe('process usage from /proc', () => {
  it('sums CPU time over a process and its children, and reads resident memory and thread states', linuxOnly, async () => {
    // A shell whose child burns CPU: the parent's own time stays near zero, the tree's grows.
    const shell = spawn('sh', ['-c', 'sh -c "while :; do :; done" & wait'], { stdio: 'ignore', detached: true });
    try {
      const first = processTreeUsage(shell.pid!)!;
      const grown = await pollUntil(() => {
        const now = processTreeUsage(shell.pid!);
        return now && now.processes === 2 && now.cpuMs - first.cpuMs >= 100 ? now : undefined;
      }, 5000, 'the spinning child to use 100 ms of CPU');
      assert.ok(grown.residentBytes > 0);
      assert.ok(grown.mostDescriptors >= 3);
      assert.ok(treeThreadStates(shell.pid!).includes('R'), 'the spinning child is running');
    } finally {
      process.kill(-shell.pid!, 'SIGKILL');
    }
    assert.ok((openFilesLimit('self') ?? 0) >= 64);
  });

  it('is undefined for a process that is gone', linuxOnly, () => {
    assert.equal(processTreeUsage(2 ** 22 + 1), undefined);
  });
});

describe('resource limits', () => {
  it('starts a server under the RLIMIT_NOFILE it is given, as the same process', { skip: !new ProcessRuntime().resourceLimits && 'needs Linux and prlimit' }, async () => {
    // Says its own limit on stderr, then listens as the contract asks.
    const script = `process.stderr.write(require('fs').readFileSync('/proc/self/limits', 'utf8').split('\\n').find((line) => line.startsWith('Max open files')) + '\\n');
      const server = require('net').createServer().listen(0, '127.0.0.1', () => process.stdout.write('LISTENING ' + server.address().port + '\\n'));
      process.on('SIGTERM', () => process.exit(0));`;
    const target: Target = { ...fake, manifest: { ...fake.manifest, server: [process.execPath, '-e', script] } };
    const server = await new ProcessRuntime().start(target, { service: 'echo', host: '127.0.0.1', port: 0, backlog: 8, limits: { openFiles: 64 } });
    try {
      // stderr is a pipe of its own: its line may arrive after the LISTENING line.
      await pollUntil(() => (server.stderrTail() ? true : undefined), 5000, 'the limits line on stderr');
      assert.match(server.stderrTail(), /^Max open files\s+64\s+64\s+files/);
      // prlimit execs the server: the runtime controls the server itself, not a parent of it.
      assert.equal(server.control!.usage()!.processes, 1);
    } finally {
      await server.stop();
    }
  });

  it('reports the scenarios that need a limit as not runnable on the external runtime, and runs them on the process runtime', () => {
    const cpp = loadTarget(join(PROJECT, 'fixtures', 'targets', 'cpp'));
    const external = exclusions({ target: cpp, runtime: new ExternalRuntime({}), ipv6Loopback: true, pathProblem: undefined });
    const limits = external.find((exclusion) => exclusion.tagExpression === '@resource-limits');
    assert.equal(limits?.status, 'not runnable');
    assert.match(limits!.reason, /resource limit \(RLIMIT_NOFILE\), which the external runtime cannot set: it does not start the server/);
    const local = new ProcessRuntime();
    const onProcess = exclusions({ target: cpp, runtime: local, ipv6Loopback: true, pathProblem: undefined });
    assert.equal(onProcess.some((exclusion) => exclusion.tagExpression === '@resource-limits'), !local.resourceLimits);
  });
});
