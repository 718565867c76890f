import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { exclusions, runnableExpression } from '../src/applicability';
import { loadTarget } from '../src/contract/manifest';
import { ExternalRuntime } from '../src/runtime/external-runtime';
import { ProcessRuntime } from '../src/runtime/process-runtime';
import { probeMappedPort } from '../src/runtime/path-probe';
import { excludedScenarios } from '../src/suite';
import { join } from 'node:path';
import { PROJECT } from './helpers';

const cpp = loadTarget(join(PROJECT, 'fixtures', 'targets', 'cpp'));

describe('which scenarios a run can check', () => {
  it('reports every scenario that needs an end-to-end TCP path as not runnable behind a proxy, with the reason', async () => {
    const excluded = exclusions({ target: cpp, runtime: new ProcessRuntime(), ipv6Loopback: true, pathProblem: 'a userland proxy stands in the path' });
    const notRun = await excludedScenarios(undefined, excluded);
    const behindProxy = notRun.filter((result) => result.reason?.includes('a userland proxy stands in the path'));
    assert.ok(behindProxy.some((result) => result.location.startsWith('features/backlog.feature')));
    assert.ok(behindProxy.some((result) => result.scenario === 'The reply survives extra bytes the server never reads'));
    assert.ok(behindProxy.every((result) => result.status === 'not runnable'));
    assert.match(runnableExpression(undefined, excluded), /not \(@transparent-path\)/);
  });

  it('runs everything the process runtime can check, and names what it cannot', async () => {
    const excluded = exclusions({ target: cpp, runtime: new ProcessRuntime(), ipv6Loopback: true, pathProblem: undefined });
    const notRun = await excludedScenarios(undefined, excluded);
    assert.deepEqual(
      notRun.map((result) => [result.status, result.scenario]),
      [
        ['not runnable', 'With tcp_abort_on_overflow, an attempt against an already-full queue is still dropped'],
        ['not applicable', 'A connection beyond a full queue is refused at once'],
      ],
    );
  });

  it('reports the client scenarios as not applicable to a target without a client, and not runnable where the runtime cannot run it', async () => {
    const withoutClient = { ...cpp, manifest: { ...cpp.manifest, client: undefined } };
    const notApplicable = await excludedScenarios(undefined, exclusions({ target: withoutClient, runtime: new ProcessRuntime(), ipv6Loopback: true, pathProblem: undefined }));
    const clientScenarios = notApplicable.filter((result) => result.location.startsWith('features/client.feature'));
    assert.ok(clientScenarios.length >= 8);
    assert.ok(clientScenarios.every((result) => result.status === 'not applicable' && result.reason === 'the target has no client'));

    const external = new ExternalRuntime({});
    const notRunnable = await excludedScenarios(undefined, exclusions({ target: cpp, runtime: external, ipv6Loopback: true, pathProblem: undefined }));
    const clientOnExternal = notRunnable.filter((result) => result.location.startsWith('features/client.feature'));
    assert.equal(clientOnExternal.length, clientScenarios.length);
    assert.ok(clientOnExternal.every((result) => result.status === 'not runnable' && /runs no program of the target/.test(result.reason ?? '')));
  });

  it('combines the user\'s tags with the exclusions', () => {
    assert.equal(runnableExpression('@echo', [{ tagExpression: '@udp-echo', status: 'not applicable', reason: 'r' }]), '(@echo) and not (@udp-echo)');
  });
});

describe('probing a port mapping for a userland proxy', () => {
  it('finds the path transparent when the kernel refuses', async () => {
    const closed = createServer();
    await new Promise<void>((listening) => closed.listen(0, '127.0.0.1', listening));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    assert.equal(await probeMappedPort('127.0.0.1', port), undefined);
  });

  it('finds a proxy when something accepts where nothing should listen', async () => {
    const proxy = createServer((socket) => socket.end());
    await new Promise<void>((listening) => proxy.listen(0, '127.0.0.1', listening));
    const port = (proxy.address() as AddressInfo).port;
    try {
      assert.match((await probeMappedPort('127.0.0.1', port))!, /was accepted: a userland proxy \(such as docker-proxy\) stands in the path/);
    } finally {
      proxy.close();
    }
  });
});
