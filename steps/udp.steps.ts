import { Given, Then, When } from '@cucumber/cucumber';
import { UdpClient, type Datagram } from '../src/driver/udp-client';
import { assertDatagram, assertSameDatagrams, udpPingPong } from '../src/services/udp-echo-exchange';
import { describeDifference, seededBytes } from '../src/driver/payload';
import type { SockspecWorld } from './world';
import { scenarioState } from './scenario-state';

/** The datagrams the client sent, and what went wrong for each UDP client that did not get all its replies. */
const udpScenario = scenarioState((): { sent: Buffer[]; failures: string[] } => ({ sent: [], failures: [] }));

Given('a UDP echo server', async function (this: SockspecWorld) {
  await this.startServer('udp-echo');
});

When('a client sends the datagram {string}', async function (this: SockspecWorld, text: string) {
  await sendDatagrams(this, [Buffer.from(text)]);
});

When('a client sends an empty datagram', async function (this: SockspecWorld) {
  await sendDatagrams(this, [Buffer.alloc(0)]);
});

When('a client sends a datagram of {int} random bytes', async function (this: SockspecWorld, size: number) {
  await sendDatagrams(this, [seededBytes(size, this.scenarioName)]);
});

Given('a client has sent an empty datagram', async function (this: SockspecWorld) {
  // Its own reply, if any, is what udp.empty-datagram judges; here only what it does to the others counts.
  await sendDatagrams(this, [Buffer.alloc(0)]);
});

When('another client sends the datagram {string}', async function (this: SockspecWorld, text: string) {
  await sendDatagrams(this, [Buffer.from(text)]);
});

Then('that client receives {string} back', async function (this: SockspecWorld, text: string) {
  const reply = await udp(this).receive();
  const difference = describeDifference(Buffer.from(text), reply.data);
  if (difference) throw new Error(`the reply: ${difference}`);
});

When(
  'a client sends datagrams of {int}, {int}, {int} and {int} bytes back to back',
  async function (this: SockspecWorld, first: number, second: number, third: number, fourth: number) {
    const sizes = [first, second, third, fourth];
    await sendDatagrams(this, sizes.map((size, index) => seededBytes(size, `${this.scenarioName} ${index}`)));
  },
);

Then(
  "the client receives the datagram {string} from the server's own address and port",
  async function (this: SockspecWorld, text: string) {
    assertDatagram('the reply', Buffer.from(text), await udp(this).receive(), this.runningServer);
  },
);

Then('the client receives an empty datagram', async function (this: SockspecWorld) {
  assertDatagram('the reply', Buffer.alloc(0), await udp(this).receive(), this.runningServer);
});

Then('the client receives exactly that datagram back', async function (this: SockspecWorld) {
  assertDatagram('the reply', udpScenario(this).sent[0], await udp(this).receive(), this.runningServer);
});

Then('the client receives {int} datagrams, each identical to one it sent', async function (this: SockspecWorld, count: number) {
  const replies: Datagram[] = [];
  for (let index = 0; index < count; index++) replies.push(await udp(this).receive());
  assertSameDatagrams(udpScenario(this).sent, replies);
});

When(
  '{int} clients at once each exchange {int} numbered datagrams with the server',
  async function (this: SockspecWorld, clients: number, count: number) {
    const results = await Promise.allSettled(Array.from({ length: clients }, (_, id) => udpPingPong(this.runningServer, id, count, undefined, this.transcript)));
    udpScenario(this).failures = results.flatMap((result) => (result.status === 'rejected' ? [(result.reason as Error).message] : []));
  },
);

Then('every client received exactly its own {int} datagrams and nothing else', function (this: SockspecWorld, count: number) {
  if (udpScenario(this).failures.length > 0) throw new Error(`${udpScenario(this).failures.length} clients did not get their ${count} datagrams: ${udpScenario(this).failures.join('; ')}`);
});

Given("a UDP client connected to the server's port", async function (this: SockspecWorld) {
  this.udpClient = await this.clients.udpClient(this.runningServer.host, this.runningServer.port);
});

When('the connected client sends a datagram', async function (this: SockspecWorld) {
  await udp(this).send(Buffer.from('anyone there?'));
});

Then("the client's socket reports {word}", async function (this: SockspecWorld, errno: string) {
  // The kernel turns the ICMP "port unreachable" into a pending socket error; Node
  // surfaces it as an 'error' event from its next receive (recvmsg), not from send.
  const error = await udp(this).nextError().catch((timeout: Error) => {
    throw new Error(`expected ${errno}, but ${timeout.message} (did a socket take the datagram?)`);
  });
  if (error.code !== errno) throw new Error(`expected ${errno}, but the socket reported ${error.code ?? error.message}`);
});

async function sendDatagrams(world: SockspecWorld, datagrams: Buffer[]): Promise<void> {
  const client = (world.udpClient = await world.clients.udpClient(world.runningServer.host));
  udpScenario(world).sent = datagrams;
  // Back to back: every datagram is handed to the kernel before any send is waited for.
  await Promise.all(datagrams.map((datagram) => client.send(datagram, world.runningServer.host, world.runningServer.port)));
}

function udp(world: SockspecWorld): UdpClient {
  if (!world.udpClient) throw new Error('no UDP client in this scenario');
  return world.udpClient;
}
