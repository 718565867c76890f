import { Given, Then, When } from '@cucumber/cucumber';
import { ConnectError } from '../src/driver/tcp-connection';
import type { SockspecWorld } from './world';

const ATTEMPT_TIMEOUT_MS = 3000;

Given('the server has been stopped', async function (this: SockspecWorld) {
  await this.stopServer();
  this.transcript.note('server stopped');
});

When('a client connects to the port the server used', async function (this: SockspecWorld) {
  const { host, port } = this.sessionServer.endpoint;
  try {
    await this.clients.open(host, port, ATTEMPT_TIMEOUT_MS);
    this.connectOutcome = { accepted: undefined };
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    this.connectOutcome = error;
  }
});

Then(
  'the connection is refused with {word} within {int} ms',
  function (this: SockspecWorld, errno: string, boundMs: number) {
    const outcome = this.connectOutcome;
    if (outcome === undefined) throw new Error('no connection was attempted');
    if (!(outcome instanceof ConnectError)) throw new Error(`expected ${errno}, but the connection was accepted${outcome.accepted ? `: ${outcome.accepted}` : ''}`);
    if (outcome.code !== errno) throw new Error(`expected ${errno}, but ${outcome.message}`);
    if (outcome.elapsedMs >= boundMs) throw new Error(`expected ${errno} within ${boundMs} ms, but it took ${outcome.elapsedMs.toFixed(1)} ms`);
  },
);
