import { Given, When } from '@cucumber/cucumber';
import type { SockspecWorld } from './world';

const LOOPBACK_BY_FAMILY: Record<string, string> = { IPv4: '127.0.0.1', IPv6: '::1' };

Given('an echo server listening on {string}', async function (this: SockspecWorld, host: string) {
  await this.startServer('echo', { host });
});

When(
  /^a client connects over (IPv4|IPv6) and sends the line "([^"]*)"$/,
  async function (this: SockspecWorld, family: string, line: string) {
    this.client = await this.clients.open(LOOPBACK_BY_FAMILY[family], this.runningServer.port);
    this.sent = Buffer.from(`${line}\n`);
    await this.client.send(this.sent);
  },
);
