import { Given, Then, When } from '@cucumber/cucumber';
import type { Service } from '../src/contract/manifest';
import { describeExit } from '../src/runtime/runtime';
import { freePort } from '../src/runtime/launch';
import { ServerStartError, LISTENING_LINE } from '../src/runtime/server-launch';
import type { ServerRequest } from '../src/runtime/runtime';
import { describeFileReply, fetchFile, fileRequest } from '../src/services/file-protocol';
import { LOOPBACK, type SockspecWorld } from './world';
import { scenarioState } from './scenario-state';

/** How a start that should fail went: its start error, or what the server did instead. */
const startingScenario = scenarioState((): { outcome?: ServerStartError | string } => ({}));

/** An address no interface of this machine has: TEST-NET-1 (RFC 5737), which is never assigned to a network. */
const UNASSIGNED_ADDRESS = '192.0.2.1';

/** Starts a server that is expected not to start; keeps its start error, or what it did instead. */
async function attemptStart(world: SockspecWorld, request: ServerRequest): Promise<void> {
  try {
    const started = await world.servers.startUnshared(request);
    await started.stop();
    startingScenario(world).outcome = `started, listening on port ${started.port}`;
  } catch (error) {
    if (!(error instanceof ServerStartError)) throw error;
    startingScenario(world).outcome = error;
  }
}

Given(
  'a file server started on a free port with its options in the reverse of the documented order',
  async function (this: SockspecWorld) {
    const port = await freePort(LOOPBACK, 'tcp');
    // The runtime fails the start unless the server listens on exactly this port.
    await this.startServer('file', { port, optionOrder: 'reversed' });
  },
);

Then('the server listens on that port and serves {string} from its root', async function (this: SockspecWorld, name: string) {
  const { host, port } = this.sessionServer.endpoint;
  const reply = await fetchFile(host, port, name, undefined, this.transcript);
  if (reply.kind !== 'ok' || !reply.body.equals(this.fileRoot.files.get(name)!)) throw new Error(`expected ${name} from the root, got ${describeFileReply(reply)}`);
});

Given(
  'the server has served a file, refused a name that does not exist and rejected a request without a newline',
  async function (this: SockspecWorld) {
    const served = await this.requestFile(fileRequest('hello.txt'));
    const missing = await this.requestFile(fileRequest('no-such-file.txt'));
    const malformed = await this.requestFile(Buffer.alloc(2000, 'x'));
    const replies = [served, missing, malformed].map(describeFileReply);
    if (served.kind !== 'ok' || missing.kind !== 'err' || malformed.kind !== 'err') throw new Error(`expected OK, ERR and ERR, got ${replies.join('; ')}`);
  },
);

Then('everything the server wrote on standard output was one line, "LISTENING" and its port', async function (this: SockspecWorld) {
  const stdout = await this.runningServer.standardOutput();
  const lines = stdout.split('\n');
  const [first, ...rest] = lines;
  if (!LISTENING_LINE.test(first ?? '') || rest.join('\n') !== '') {
    throw new Error(`expected stdout to be "LISTENING ${this.runningServer.serverPort}" and its newline only, but it was ${JSON.stringify(stdout.slice(0, 300))}${stdout.length > 300 ? ` (${stdout.length} characters)` : ''}`);
  }
});

When('an echo server is started on an address that no interface of this machine has', async function (this: SockspecWorld) {
  // A port of its own: no port can be asked of the kernel on an address it does not have.
  await attemptStart(this, this.serverRequest('echo', { host: UNASSIGNED_ADDRESS, port: await freePort(LOOPBACK, 'tcp') }));
});

When('a second {service} server is started on the same port', async function (this: SockspecWorld, service: Service) {
  await attemptStart(this, this.serverRequest(service, { port: this.runningServer.serverPort, alongside: this.runningServer }));
});

Then('the (second )server exits with a non-zero code without printing LISTENING', function (this: SockspecWorld) {
  const outcome = startingScenario(this).outcome;
  if (!(outcome instanceof ServerStartError)) throw new Error(`expected the server to fail, but it ${outcome}`);
  const exit = outcome.exit;
  if (!exit || exit.signal !== null || exit.code === 0 || !outcome.reason.startsWith('exited')) {
    const said = outcome.stderrTail ? `its output ends: ${outcome.stderrTail.split('\n').join(' | ')}` : 'it wrote nothing on stderr';
    throw new Error(`expected the server to exit with a non-zero code, but it ${outcome.reason}${exit ? ` (${describeExit(exit)})` : ''}; ${said}`);
  }
});

Then('its stderr names the error {string}', function (this: SockspecWorld, errorText: string) {
  const outcome = startingScenario(this).outcome;
  if (!(outcome instanceof ServerStartError)) throw new Error(`expected the server to fail naming "${errorText}", but it ${outcome}`);
  if (!outcome.stderrTail.toLowerCase().includes(errorText.toLowerCase())) {
    throw new Error(`expected stderr to name "${errorText}", but it was: ${outcome.stderrTail || '(empty)'}`);
  }
});
