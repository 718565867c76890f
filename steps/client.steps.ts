import { After, Given, Then, When } from '@cucumber/cucumber';
import { readFileSync } from 'node:fs';
import { describeDifference } from '../src/driver/payload';
import { CLIENT_STEP_TIMEOUT_MS, DEFAULT_CLIENT_TIMEOUT_MS, FileClientRun } from '../src/services/client-run';
import { ScriptedFileServer, portWithNoListener, type ServerScript } from '../src/services/scripted-file-server';
import { scenarioState } from './scenario-state';
import { LOOPBACK, type SockspecWorld } from './world';

/** The file server sockspec plays for the target's client, the port where nothing listens, and the client's last run. */
const clientScenario = scenarioState((): { scriptedServer?: ScriptedFileServer; refusingPort?: number; run?: FileClientRun } => ({}));

After({ tags: '@client' }, function (this: SockspecWorld) {
  const state = clientScenario(this);
  state.scriptedServer?.close();
  state.run?.discard();
});

function scriptedFileServer(world: SockspecWorld): ScriptedFileServer {
  const server = clientScenario(world).scriptedServer;
  if (!server) throw new Error('sockspec plays no file server in this scenario');
  return server;
}

Given('a file server that {script}', async function (this: SockspecWorld, script: ServerScript) {
  const server = (clientScenario(this).scriptedServer = await ScriptedFileServer.start(script, this.fileRoot.files));
  this.transcript.note(`sockspec's file server, which ${script}, listening on ${LOOPBACK}:${server.port}`);
});

Given('a port on which nothing listens', async function (this: SockspecWorld) {
  clientScenario(this).refusingPort = await portWithNoListener();
});

When('the client fetches {string}', { timeout: CLIENT_STEP_TIMEOUT_MS }, async function (this: SockspecWorld, name: string) {
  await fetchWithClient(this, scriptedFileServer(this).port, name, DEFAULT_CLIENT_TIMEOUT_MS);
});

When('the client fetches {string} with a timeout of {int} ms', { timeout: CLIENT_STEP_TIMEOUT_MS }, async function (this: SockspecWorld, name: string, timeoutMs: number) {
  await fetchWithClient(this, scriptedFileServer(this).port, name, timeoutMs);
});

When('the client fetches {string} from that port with a timeout of {int} ms', { timeout: CLIENT_STEP_TIMEOUT_MS }, async function (this: SockspecWorld, name: string, timeoutMs: number) {
  const { refusingPort } = clientScenario(this);
  if (refusingPort === undefined) throw new Error('no refusing port was chosen in this scenario');
  await fetchWithClient(this, refusingPort, name, timeoutMs);
});

Then('the client exits with code {int}', function (this: SockspecWorld, code: number) {
  const run = lastRun(this);
  if (run.exit.code !== code || run.exit.killed) throw new Error(`expected the client to exit with code ${code}, but ${run.describe()}`);
});

Then('the saved file holds exactly the contents of {string}', function (this: SockspecWorld, name: string) {
  const run = lastRun(this);
  const expected = this.fileRoot.files.get(name);
  if (!expected) throw new Error(`"${name}" is not one of the fixture files`);
  let saved: Buffer;
  try {
    saved = readFileSync(run.outPath);
  } catch (error) {
    throw new Error(`the client saved no file at --out (${(error as NodeJS.ErrnoException).code}); ${run.describe()}`);
  }
  const difference = describeDifference(expected, saved);
  if (difference) throw new Error(`the saved file differs from ${name}: ${difference}`);
});

Then("the client's request was exactly {string} and a newline", async function (this: SockspecWorld, name: string) {
  // The connection's end is awaited first: a client that never ends its line ends the exchange only at its timeout.
  const sent = await scriptedFileServer(this).firstConnectionBytes(1000);
  const expected = Buffer.from(`${name}\n`);
  if (!sent.equals(expected)) throw new Error(`expected the client to send ${JSON.stringify(expected.toString('latin1'))}, but it sent ${JSON.stringify(sent.toString('latin1'))}; ${lastRun(this).describe()}`);
});

Then('no file is left behind', function (this: SockspecWorld) {
  const leftovers = lastRun(this).leftovers();
  if (leftovers.length > 0) throw new Error(`the client failed but left ${leftovers.map((file) => JSON.stringify(file)).join(', ')} in the --out folder`);
});

Then('the client names {word} in its output', function (this: SockspecWorld, code: string) {
  const run = lastRun(this);
  if (!run.exit.output.includes(code)) throw new Error(`expected the client to name ${code}, but ${run.describe()}`);
});

Then('the client gave up within {int} ms', function (this: SockspecWorld, limitMs: number) {
  const run = lastRun(this);
  if (run.elapsedMs > limitMs) throw new Error(`expected the client to give up within ${limitMs} ms, but ${run.describe()}`);
});

Then(
  'the client closed its connection {int} ms after connecting, give or take {int}%',
  async function (this: SockspecWorld, expectedMs: number, tolerancePercent: number) {
    const lifetime = await scriptedFileServer(this).firstConnectionLifetime(1000);
    const slack = (expectedMs * tolerancePercent) / 100;
    if (Math.abs(lifetime - expectedMs) > slack) {
      throw new Error(`expected the client to close its connection ${expectedMs} ± ${slack} ms after connecting, but it closed it after ${Math.round(lifetime)} ms`);
    }
  },
);

async function fetchWithClient(world: SockspecWorld, port: number, name: string, timeoutMs: number): Promise<void> {
  world.transcript.note(`the target's client fetches ${JSON.stringify(name)} from ${LOOPBACK}:${port} (timeout ${timeoutMs} ms)`);
  const run = (clientScenario(world).run = await FileClientRun.run(world.runtime, world.target, { host: LOOPBACK, port, name, timeoutMs }));
  world.transcript.note(run.describe());
}

function lastRun(world: SockspecWorld): FileClientRun {
  const { run } = clientScenario(world);
  if (!run) throw new Error('the client has not run in this scenario');
  return run;
}
