import { once } from 'node:events';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Target } from '../../src/contract/manifest';
import { MiB, seededBytes } from '../../src/driver/payload';
import { TcpConnection } from '../../src/driver/tcp-connection';
import { withTimeout } from '../../src/driver/wait';
import type { Runtime } from '../../src/runtime/runtime';

export interface ThroughputFigures {
  target: string;
  mebibytes: number;
  /** Best of the rounds, each way; MiB/s counts the bytes sent (the same come back). */
  plainSocketMiBps: number;
  driverMiBps: number;
  ratio: number;
  rounds: { plainMs: number; driverMs: number }[];
}

const CHUNK = seededBytes(MiB, 'bench-throughput');
const ROUNDS = 3;
// Bounds every transfer: loopback does well over 100 MiB/s, so this only ends a hang.
const MS_PER_MIB_AT_MOST = 200;

/**
 * Echoes `mebibytes` through the target's echo server, once with a plain net.Socket
 * and once with the harness's TcpConnection, sending and receiving at the same time
 * in 1 MiB pieces, each written once the kernel has taken the one before (how the
 * driver's send works). The ratio says what the driver's receiving costs: it keeps
 * the bytes and hands each 1 MiB over as one buffer, where the plain socket counts them.
 */
export async function measureEchoThroughput(runtime: Runtime, target: Target, mebibytes: number): Promise<ThroughputFigures> {
  const server = await runtime.start(target, { service: 'echo', host: '127.0.0.1', port: 0, backlog: 16 });
  const timeoutMs = 10_000 + mebibytes * MS_PER_MIB_AT_MOST;
  const rounds: { plainMs: number; driverMs: number }[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const plainMs = await withTimeout(plainEcho(server.host, server.port, mebibytes), timeoutMs, `a plain socket to echo ${mebibytes} MiB`);
      const driverMs = await withTimeout(driverEcho(server.host, server.port, mebibytes), timeoutMs, `the driver to echo ${mebibytes} MiB`);
      rounds.push({ plainMs: Math.round(plainMs), driverMs: Math.round(driverMs) });
    }
  } finally {
    await server.stop();
    await runtime.release(server);
  }
  const best = (key: 'plainMs' | 'driverMs'): number => Math.min(...rounds.map((round) => round[key]));
  const rate = (ms: number): number => Math.round((mebibytes / ms) * 1000);
  return {
    target: target.manifest.name,
    mebibytes,
    plainSocketMiBps: rate(best('plainMs')),
    driverMiBps: rate(best('driverMs')),
    ratio: Math.round((best('plainMs') / best('driverMs')) * 100) / 100,
    rounds,
  };
}

async function plainEcho(host: string, port: number, mebibytes: number): Promise<number> {
  const socket = connect({ host, port });
  await once(socket, 'connect');
  socket.setNoDelay(true);
  const total = mebibytes * MiB;
  let received = 0;
  const started = performance.now();
  const allBack = new Promise<void>((resolveBack, rejectBack) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= total) resolveBack();
    });
    socket.once('error', rejectBack);
  });
  // Written as the driver writes: the next piece once the kernel has taken the last.
  for (let sent = 0; sent < mebibytes; sent++) await new Promise<void>((written, failed) => socket.write(CHUNK, (error) => (error ? failed(error) : written())));
  await allBack;
  const elapsed = performance.now() - started;
  socket.destroy();
  return elapsed;
}

async function driverEcho(host: string, port: number, mebibytes: number): Promise<number> {
  const connection = await TcpConnection.open(host, port);
  const started = performance.now();
  const sending = (async () => {
    for (let sent = 0; sent < mebibytes; sent++) await connection.send(CHUNK);
  })();
  for (let received = 0; received < mebibytes; received++) await connection.receiveExactly(MiB);
  await sending;
  const elapsed = performance.now() - started;
  connection.close();
  return elapsed;
}
