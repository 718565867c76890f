import { Given, Then, When } from '@cucumber/cucumber';
import { ConnectError } from '../src/driver/tcp-connection';
import { assertBoundOnlyTo, whoAccepted } from '../src/services/bound-address';
import type { SockspecWorld } from './world';

const ATTEMPT_TIMEOUT_MS = 3000;

Given('a web server listening on {string}', async function (this: SockspecWorld, host: string) {
  await this.startServer('http', { host });
});

Given('a UDP echo server listening on {string}', async function (this: SockspecWorld, host: string) {
  await this.startServer('udp-echo', { host });
});

Then("the kernel lists the server's socket bound to {string} and to no other address", function (this: SockspecWorld, host: string) {
  assertBoundOnlyTo(this.runningServer, this.control, host);
});

When("a client connects to the server's port on {string}", async function (this: SockspecWorld, address: string) {
  try {
    await this.clients.open(address, this.runningServer.port, ATTEMPT_TIMEOUT_MS);
    const control = this.runningServer.control;
    this.connectOutcome = { accepted: control ? whoAccepted(this.runningServer, control, address) : undefined };
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    this.connectOutcome = error;
  }
});

Given("a UDP client connected to the server's port on {string}", async function (this: SockspecWorld, address: string) {
  this.udpClient = await this.clients.udpClient(address, this.runningServer.port);
});
