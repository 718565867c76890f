import { Given, When } from '@cucumber/cucumber';
import type { AddressFamily } from '../src/runtime/runtime';
import type { SockspecWorld } from './world';

Given('an echo server listening on {string}', async function (this: SockspecWorld, host: string) {
  await this.startServer('echo', { host });
});

When(
  /^a client connects over (IPv4|IPv6) and sends the line "([^"]*)"$/,
  async function (this: SockspecWorld, family: AddressFamily, line: string) {
    const endpoint = this.runningServer.endpointFor(family);
    if (!endpoint) throw new Error(`the ${this.runtime.name} runtime gives no ${family} path to this server`);
    this.client = await this.clients.open(endpoint.host, endpoint.port);
    this.sent = Buffer.from(`${line}\n`);
    await this.client.send(this.sent);
  },
);
