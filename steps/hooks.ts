import { After, Before, Status, setDefaultTimeout } from '@cucumber/cucumber';
import { scaled } from '../src/driver/wait';
import { assertStillServing, describeServerExit } from '../src/services/liveness';
import type { SockspecWorld } from './world';

// Every socket wait has its own, shorter timeout that names what it waited for;
// this is only the backstop for a step that hangs in a way nobody foresaw.
setDefaultTimeout(scaled(30_000));

Before(function (this: SockspecWorld, { pickle }) {
  this.scenarioName = pickle.name;
});

Before({ tags: '@fresh-server' }, function (this: SockspecWorld) {
  this.needsFreshServer = true;
});

/**
 * Every scenario ends with its server still serving a fresh client. A server that
 * died or failed that check is charged to the scenario, and ended: the next scenario
 * gets a new one. One that passed is kept for a later scenario or stopped (ServerSession).
 */
After(async function (this: SockspecWorld, { result }) {
  this.scenarioEnd.abort();
  this.clients.closeAll();
  const server = this.server;
  const note = (line: string): void => this.transcript.note(line);
  try {
    if (!server) return;
    if (server.state === 'frozen') await this.thawServer();
    if (result?.status === Status.PASSED && server.stoppedBy !== 'scenario') {
      for (const wait of this.beforeFinalChecks) await wait();
      await assertStillServing(server.running, this.fileRoot, this.transcript);
      await this.servers.keepOrStop(server, note);
    } else if (server.state === 'crashed') {
      this.attach(`The server ${describeServerExit(server.running)}`, 'text/plain');
    }
  } finally {
    try {
      await this.servers.endScenario();
    } finally {
      // Attached last, whatever failed, so it includes the end-of-scenario checks.
      if (!this.transcript.isEmpty) this.attach(this.transcript.render(), 'text/plain');
    }
  }
});
