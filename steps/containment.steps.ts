import { Given, Then, When } from '@cucumber/cucumber';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assertLinkLeadsOut, assertSiblingSharesPrefix, escapeTargets, leakedSecret, outsideRoot } from '../src/fixtures/outside-root';
import { awaitServerClose, describeHttpResponse, httpGet, readHttpResponse, withTrailingBytes } from '../src/services/http-exchange';
import type { SockspecWorld } from './world';

Given('a file server serving its root', async function (this: SockspecWorld) {
  await this.startServer('file');
});

Given('a web server serving its root', async function (this: SockspecWorld) {
  await this.startServer('http');
});

Given('secret files lie outside that root', function (this: SockspecWorld) {
  outsideRoot(this.fileRoot);
});

Given('the root holds {string}, a symbolic link to a secret file outside it', function (this: SockspecWorld, name: string) {
  assertLinkLeadsOut(this.fileRoot.root, name, this.fileRoot.secretPath);
});

Given(
  'the root holds {string}, a symbolic link to a folder outside it that holds {string}',
  function (this: SockspecWorld, name: string, file: string) {
    const { outsideDir, secrets } = outsideRoot(this.fileRoot);
    assertLinkLeadsOut(this.fileRoot.root, name, outsideDir);
    if (!secrets.has(join(outsideDir, file))) throw new Error(`expected the secret file ${file} in ${outsideDir}`);
  },
);

Given(
  'a folder {string} beside the root, whose name begins with the root\'s, holds a secret file {string}',
  function (this: SockspecWorld, folder: string, file: string) {
    const { sibling, siblingSecret } = outsideRoot(this.fileRoot);
    if (sibling !== join(dirname(this.fileRoot.root), folder) || siblingSecret !== join(sibling, file)) {
      throw new Error(`expected the secret file ${folder}/${file} beside the root, found ${siblingSecret}`);
    }
    assertSiblingSharesPrefix(this.fileRoot.root, sibling);
  },
);

Given('the root holds {string}, a symbolic link to that file', function (this: SockspecWorld, name: string) {
  assertLinkLeadsOut(this.fileRoot.root, name, outsideRoot(this.fileRoot).siblingSecret);
});

Given('the root holds a folder {string}', function (this: SockspecWorld, folder: string) {
  if (!statSync(join(this.fileRoot.root, folder), { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`expected a folder ${folder} in ${this.fileRoot.root}`);
  }
});

/** GETs `target` on a new connection and keeps everything the server sends until it closes: a leak may hide after the response. */
async function fetchWhole(world: SockspecWorld, target: string): Promise<void> {
  const request = httpGet(target);
  world.client = await world.connect();
  await world.client.send(request);
  world.transcript.note(`asked for ${JSON.stringify(target)}`);
  const response = await readHttpResponse(world.client, request);
  world.lastReply.http = withTrailingBytes(response, await awaitServerClose(world.currentClient));
}

When('a client fetches {string}', async function (this: SockspecWorld, target: string) {
  await fetchWhole(this, target);
});

When(/^a client asks for a secret file outside the root by (.+)$/, async function (this: SockspecWorld, way: string) {
  const targets = escapeTargets(this.fileRoot);
  const target = targets.get(way);
  if (target === undefined) throw new Error(`no request target is known for the way ${JSON.stringify(way)}; known: ${[...targets.keys()].join('; ')}`);
  await fetchWhole(this, target);
});

Then('no byte of a file outside the root was sent', function (this: SockspecWorld) {
  const leaked = leakedSecret(this.lastReceived, outsideRoot(this.fileRoot).secrets);
  if (leaked) {
    throw new Error(`the server sent bytes of ${leaked}, outside its root: ${JSON.stringify(this.lastReceived.subarray(0, 120).toString('latin1'))}`);
  }
});

Then('the response status is {int}, {int} or {int}', function (this: SockspecWorld, first: number, second: number, third: number) {
  const response = this.lastReply.http;
  if (!response) throw new Error('no HTTP response was received in this scenario');
  if (response.kind !== 'response' || ![first, second, third].includes(response.status)) {
    throw new Error(`expected status ${first}, ${second} or ${third}, but the server sent ${describeHttpResponse(response)}`);
  }
});
