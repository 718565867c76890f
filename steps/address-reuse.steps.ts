import { Given, Then, When } from '@cucumber/cucumber';
import { fetchFile, describeFileReply, fileRequest, parseFileReply } from '../src/services/file-protocol';
import { awaitServerSideTimeWait } from '../src/services/tcp-states';
import type { SockspecWorld } from './world';

/** Fetches that may be tried before the server's side of one stays in TIME_WAIT. */
const TIME_WAIT_FETCHES = 3;

Given(
  "a client has fetched {string}, so the server's side of that connection is in TIME_WAIT",
  async function (this: SockspecWorld, name: string) {
    // A reset the server did not cause can remove its TIME_WAIT entry (see
    // awaitServerSideTimeWait); then the restart would prove nothing, so fetch again.
    const droppedFrom: number[] = [];
    for (let fetch = 1; fetch <= TIME_WAIT_FETCHES; fetch++) {
      const client = await this.connect();
      await client.send(fileRequest(name));
      const reply = parseFileReply(await client.receiveUntilEnd());
      if (reply.kind !== 'ok') throw new Error(`fetching ${name} gave ${describeFileReply(reply)}`);
      if (await awaitServerSideTimeWait(this.runningServer, this.control, client.localPort)) return;
      this.transcript.note(`the kernel dropped the server's side of the connection from port ${client.localPort} instead of keeping it in TIME_WAIT`);
      droppedFrom.push(client.localPort);
    }
    throw new Error(`after each of ${TIME_WAIT_FETCHES} fetches the kernel dropped the server's side of the connection instead of keeping it in TIME_WAIT (client ports ${droppedFrom.join(', ')}): a reset ended them`);
  },
);

When('the server is stopped and started again at once on the same port', async function (this: SockspecWorld) {
  // The port it listens on in its own namespace, which a port mapping may show clients as another.
  const port = this.sessionServer.listenPort;
  try {
    await this.restartServer();
  } catch (error) {
    throw new Error(`restarting on port ${port} failed: ${(error as Error).message}`);
  }
});

Then('the new server listens on that port and serves {string}', async function (this: SockspecWorld, name: string) {
  const { host, port } = this.sessionServer.endpoint;
  const reply = await fetchFile(host, port, name, undefined, this.transcript);
  if (reply.kind !== 'ok') throw new Error(`the restarted server answered ${describeFileReply(reply)}`);
});
