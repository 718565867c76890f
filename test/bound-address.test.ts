import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { exclusions } from '../src/applicability';
import { loadTarget } from '../src/contract/manifest';
import { parseTcpTable, parseUdpTable, readTcpSockets, readUdpSockets } from '../src/kernel/proc-net';
import { ProcessRuntime } from '../src/runtime/process-runtime';
import type { Runtime } from '../src/runtime/runtime';
import { boundAddresses, whoAccepted } from '../src/services/bound-address';
import { excludedScenarios } from '../src/suite';
import { PROJECT, fakeTarget } from './helpers';

const onLinux = { skip: process.platform !== 'linux' && 'reads /proc' };

const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 7 1 0 100 0 0 10 0
   1: 00000000000000000000000000000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 8 1 0 100 0 0 10 0
`;
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 1234: 0100007F:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 42 2 0000000000000000 0
 1235: 00000000:1F91 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 43 2 0000000000000000 0
 1236: 0100007F:C000 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 44 2 0000000000000000 0
`;

describe('the address a socket is bound to, from the kernel tables', () => {
  it('reads the local address of TCP sockets, IPv6 and the wildcard included', () => {
    assert.deepEqual(parseTcpTable(TCP6).map((entry) => [entry.localAddress, entry.localPort, entry.state]), [['::1', 8080, 'LISTEN'], ['::', 8081, 'LISTEN']]);
  });

  it('reads UDP sockets by local port, with their address and peer port', () => {
    assert.deepEqual(parseUdpTable(UDP, 8080), [{ localAddress: '127.0.0.1', localPort: 8080, remotePort: 0 }]);
    assert.deepEqual(parseUdpTable(UDP, 8081), [{ localAddress: '0.0.0.0', localPort: 8081, remotePort: 0 }]);
  });

  it('finds where real sockets of this process are bound', onLinux, async () => {
    const listener = createServer();
    await new Promise<void>((listening) => listener.listen(0, '127.0.0.1', listening));
    const datagrams = createSocket('udp6');
    await new Promise<void>((bound) => datagrams.bind(0, '::1', bound));
    try {
      const tcpPort = (listener.address() as AddressInfo).port;
      const listening = readTcpSockets(process.pid, tcpPort).filter((entry) => entry.localPort === tcpPort && entry.state === 'LISTEN');
      assert.deepEqual(listening.map((entry) => entry.localAddress), ['127.0.0.1']);
      assert.deepEqual(readUdpSockets(process.pid, datagrams.address().port).map((entry) => entry.localAddress), ['::1']);
    } finally {
      listener.close();
      datagrams.close();
    }
  });
});

describe('scenarios about the bound address', () => {
  const cpp = loadTarget(join(PROJECT, 'fixtures', 'targets', 'cpp'));

  it('are not runnable where the runtime tells the server another address, with the reason', async () => {
    // A runtime that reaches servers through a port mapping and rewrites --host, as the docker runtime does.
    const rewriting: Runtime = Object.assign(Object.create(ProcessRuntime.prototype) as Runtime, new ProcessRuntime(), { name: 'docker', listensOnGivenHost: false });
    const notRun = await excludedScenarios(undefined, exclusions({ target: cpp, runtime: rewriting, ipv6Loopback: true, pathProblem: undefined }));
    const bound = notRun.filter((result) => result.location.startsWith('features/bound-address.feature'));
    assert.ok(bound.length >= 9);
    assert.ok(bound.every((result) => result.status === 'not runnable' && /listen on exactly the --host it is given/.test(result.reason ?? '')));
  });
});

describe("a server's port on the loopback addresses it was not told", () => {
  const PROBE = join(__dirname, 'fixtures', 'probes', 'port-collision.ts');
  const FIRST_PORT = 40000;

  /** The probe in a network namespace of its own, whose six ephemeral ports start at FIRST_PORT. */
  function collision(mode: 'held' | 'free'): { given: (number | string)[]; ipv4Client: string } {
    const script = `ip link set lo up && sysctl -qw net.ipv4.ip_local_port_range="${FIRST_PORT} ${FIRST_PORT + 5}" && exec "$0" -r ts-node/register "$1" ${FIRST_PORT} ${mode}`;
    const probe = spawnSync('unshare', ['-rn', 'sh', '-c', script, process.execPath, PROBE], { cwd: PROJECT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(probe.status, 0, probe.stderr);
    return JSON.parse(probe.stdout) as { given: (number | string)[]; ipv4Client: string };
  }

  it('is given by the kernel to an IPv4 program binding port 0, which then answers a client of 127.0.0.1 for a server on ::1', onLinux, () => {
    const free = collision('free');
    assert.ok(free.given.includes(FIRST_PORT), `the kernel handed out the ::1 server's port: ${JSON.stringify(free.given)}`);
    assert.equal(free.ipv4Client, 'accepted');
  });

  it('is never given out while held, and a client of 127.0.0.1 is still refused', onLinux, () => {
    const held = collision('held');
    assert.ok(!held.given.includes(FIRST_PORT), `held, the port was not handed out: ${JSON.stringify(held.given)}`);
    assert.equal(held.given.at(-1), 'EADDRINUSE', 'every other port of the range was handed out');
    assert.equal(held.ipv4Client, 'ECONNREFUSED');
  });

  it('is held by the process runtime for a TCP server told ::1, and another listener there is told apart from the server', onLinux, async () => {
    const runtime = new ProcessRuntime();
    const server = await runtime.start(fakeTarget('well-behaved'), { service: 'echo', host: '::1', port: 0, backlog: 128 });
    try {
      // Held without SO_REUSEADDR's exclusivity: an explicit bind that sets it, as every Node listener does, still gets the port.
      const intruder = createServer();
      await new Promise<void>((listening) => intruder.listen({ host: '127.0.0.1', port: server.serverPort }, listening));
      try {
        assert.deepEqual(boundAddresses(server, server.control!), ['::1']);
        assert.match(whoAccepted(server, server.control!, '127.0.0.1'), /^not by the server, whose listening socket on port \d+ is bound to ::1: another program/);
        assert.match(whoAccepted(server, server.control!, '::1'), /^the server took it/);
      } finally {
        intruder.close();
      }
    } finally {
      await server.stop();
      await runtime.release(server);
    }
  });
});
