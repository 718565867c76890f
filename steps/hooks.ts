import { After, AfterAll, Before, Status, setDefaultTimeout } from '@cucumber/cucumber';
import { finishRuntimes } from '../src/runtime';
import { scaled } from '../src/driver/wait';
import { describeExit } from '../src/runtime/runtime';
import { assertStillServing, describeServerExit } from '../src/services/liveness';
import type { SockspecWorld } from './world';

// Every socket wait has its own, shorter timeout that names what it waited for;
// this is only the backstop for a step that hangs in a way nobody foresaw.
setDefaultTimeout(scaled(30_000));

// Runs in every worker process, which has runtimes of its own.
AfterAll(async function () {
  await finishRuntimes();
});

Before(function (this: SockspecWorld, { pickle }) {
  this.scenarioName = pickle.name;
});

After(async function (this: SockspecWorld, { result }) {
  this.scenarioEnd.abort();
  this.clients.closeAll();
  const server = this.server;
  try {
    if (!server) return;
    try {
      if (this.serverFrozen && !server.exit) await this.thawServer();
      if (result?.status === Status.PASSED && !this.serverStoppedOnPurpose) {
        for (const wait of this.beforeFinalChecks) await wait();
        await assertStillServing(server, this.fileRoot, this.transcript);
        this.serverStopRequested = true;
        const stop = await server.stop();
        const stopped = `server asked to stop: ${describeExit(stop)}${stop.stoppedInTime ? '' : ' (killed: it was still running after its grace period)'}`;
        // Only a server the harness started can be asked to stop. Exit code 0 within 2 s of SIGTERM
        // is sockspec's profile: a program outside it is only described, never failed, for how it stops.
        if (this.runtime.serverControl && this.target.manifest.profile === 'sockspec' && (!stop.stoppedInTime || stop.code !== 0)) {
          throw new Error(`on SIGTERM the server must exit with code 0 within 2 s, but it ${stop.stoppedInTime ? describeServerExit(server) : 'was still running after 2 s'}`);
        }
        this.transcript.note(stopped);
      } else if (server.exit) {
        this.attach(`The server ${describeServerExit(server)}`, 'text/plain');
      }
    } finally {
      this.serverStopRequested = true;
      await server.stop();
    }
  } finally {
    // Attached last, whatever failed, so it includes the end-of-scenario checks.
    if (!this.transcript.isEmpty) this.attach(this.transcript.render(), 'text/plain');
    await this.runtime.endScenario();
  }
});
