import { Given, Then, When } from '@cucumber/cucumber';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { describeDifference } from '../src/driver/payload';
import { MiB } from '../src/driver/payload';
import { pause } from '../src/driver/wait';
import { readUntilServerShutsDownSending, ScenarioFile } from '../src/services/file-closing';
import { waitUntilConnectionsClosed } from '../src/services/server-observation';
import { describeFileReply, fetchFile, fileRequest, missingNameOfLength, parseFileReply, type FileReply } from '../src/services/file-protocol';
import { awaitServerFinished } from '../src/services/tcp-states';
import type { SockspecWorld } from './world';

Given(
  'a file server whose root holds a text file, a 5 MiB binary file and an empty file',
  async function (this: SockspecWorld) {
    await this.startServer('file');
  },
);

Given('a secret file lies just outside that root', function (this: SockspecWorld) {
  const { root, secretPath } = this.fileRoot;
  if (!existsSync(secretPath) || !relative(root, secretPath).startsWith('..')) {
    throw new Error(`expected a secret file outside ${root}, found none at ${secretPath}`);
  }
});

When('a client requests {string}', async function (this: SockspecWorld, name: string) {
  await this.requestFile(fileRequest(name));
});

When(
  'a client requests {string} and reads nothing until {int} ms after the reply begins',
  async function (this: SockspecWorld, name: string, delayMs: number) {
    this.client = await this.connect();
    // The reply fills the socket buffers and stalls: a server must wait for room, not give up on the rest.
    this.client.pauseReading();
    await this.client.send(fileRequest(name));
    await this.client.awaitQueuedBytes();
    await pause(delayMs);
    this.client.resumeReading();
    this.lastReply.file = parseFileReply(await this.client.receiveUntilEnd());
  },
);

When('a client sends the request for {string} and half-closes at once', async function (this: SockspecWorld, name: string) {
  this.client = await this.connect();
  await this.client.send(fileRequest(name));
  await this.client.halfClose();
  this.lastReply.file = parseFileReply(await this.client.receiveUntilEnd());
});

When('a client requests the secret file by a path through ".."', async function (this: SockspecWorld) {
  await this.requestFile(fileRequest(relative(this.fileRoot.root, this.fileRoot.secretPath)));
});

When('a client requests the secret file by its absolute path', async function (this: SockspecWorld) {
  await this.requestFile(fileRequest(this.fileRoot.secretPath));
});

When('a client requests a file name with a NUL byte in it', async function (this: SockspecWorld) {
  await this.requestFile(fileRequest(Buffer.from('hello.txt\0.bin')));
});

When('a client sends {size} without a newline', async function (this: SockspecWorld, size: number) {
  await this.requestFile(Buffer.alloc(size, 'a'));
});

When(
  'a client sends the request for {string} in {int} pieces, pausing {int} ms between them',
  async function (this: SockspecWorld, name: string, pieces: number, pauseMs: number) {
    this.client = await this.connect();
    await this.client.sendInPieces(fileRequest(name), pieces, pauseMs);
    this.lastReply.file = parseFileReply(await this.client.receiveUntilEnd());
  },
);

When(
  'a client requests {string} and sends one more byte once the server has queued the whole reply and shut down its sending side',
  async function (this: SockspecWorld, name: string) {
    this.client = await this.connect();
    await this.client.send(fileRequest(name));
    const state = await readUntilServerShutsDownSending(this.client, this.runningServer, this.control);
    this.transcript.note(`the server's side is ${state} with ${this.client.totalReceived} bytes of the reply read: one more byte follows`);
    await this.client.send(Buffer.from('x'));
    this.client.resumeReading();
    // However the stream ends, keep what arrived: the next steps judge the bytes and the ending apart.
    this.lastReply.file = parseFileReply(await this.client.receiveUntilClosed());
  },
);

When('a client sends {string} without its newline and half-closes', async function (this: SockspecWorld, text: string) {
  this.client = await this.connect();
  await this.client.send(Buffer.from(text));
  await this.client.halfClose();
  this.lastReply.file = parseFileReply(await this.client.receiveUntilEnd());
});

When('a client requests a missing file by a name of {int} bytes', async function (this: SockspecWorld, length: number) {
  await this.requestFile(fileRequest(missingNameOfLength(length)));
});

When(
  'a client requests {string} and keeps its side of the connection open after the reply',
  async function (this: SockspecWorld, name: string) {
    this.rememberDescriptorBaseline();
    this.client = await this.connect();
    // Bytes not read by the client stay in its kernel, so no end-of-stream is seen and none is sent back.
    this.client.pauseReading();
    await this.client.send(fileRequest(name));
    await awaitServerFinished(this.runningServer, this.control, this.client.localPort);
  },
);

Then('the server releases that connection within {int} s of its end-of-stream', async function (this: SockspecWorld, seconds: number) {
  const client = this.currentClient;
  const tookMs = await waitUntilConnectionsClosed(this.runningServer, this.control, this.descriptorBaseline, {
    withinMs: seconds * 1000,
    missedBy: `it still held the connection ${seconds} s after its end-of-stream: it waits for the client's end-of-stream without a short timeout`,
  });
  this.transcript.note(`the server released the connection ${tookMs} ms after its end-of-stream`);
  if (client.state !== 'open') throw new Error(`the client was to keep its side open, but ${client.describe()}`);
});

const scenarioFiles = new WeakMap<SockspecWorld, ScenarioFile>();

When(
  'a client requests a file of its own that grows by {size} once the server has announced its size',
  async function (this: SockspecWorld, growth: number) {
    // The root is shared by every scenario of this process: only a file of this scenario's own may change.
    const file = new ScenarioFile(this.fileRoot.root, `grows-${process.pid}.bin`, 8 * MiB);
    scenarioFiles.set(this, file);
    try {
      this.client = await this.connect();
      this.client.pauseReading();
      await this.client.send(fileRequest(file.name));
      // The OK line comes first: once bytes of the reply wait for the client, the size is announced.
      await this.client.awaitQueuedBytes();
      await this.freezeServer('its reply stalls after the first bytes of its reply arrived');
      file.append(Buffer.alloc(growth, 'g'));
      await this.thawServer();
      this.client.resumeReading();
      this.lastReply.file = parseFileReply(await this.client.receiveUntilEnd());
    } finally {
      file.remove();
    }
  },
);

Then('the reply is OK with the file as it was when its size was announced', function (this: SockspecWorld) {
  const file = scenarioFiles.get(this);
  if (!file) throw new Error('no file of its own was requested in this scenario');
  assertOkWith(lastReply(this), file.name, file.original);
});

Then('the reply is OK with the exact contents of {string}', function (this: SockspecWorld, name: string) {
  assertOkWith(lastReply(this), name, this.fileRoot.files.get(name));
});

Then('the reply is the error {word}', function (this: SockspecWorld, code: string) {
  const reply = lastReply(this);
  if (reply.kind !== 'err' || reply.code !== code) {
    throw new Error(`expected "ERR ${code} <text>" then end-of-stream, but the server sent ${describeFileReply(reply)}`);
  }
});

Then('no byte of the secret file was sent', function (this: SockspecWorld) {
  // The secret is one line of unique text: none of its 16-byte pieces appears anywhere else, wherever a leak would start.
  const { secret } = this.fileRoot;
  const leaked = Array.from({ length: secret.length - 15 }, (_, offset) => secret.subarray(offset, offset + 16)).some((piece) => this.lastReceived.includes(piece));
  if (leaked) {
    throw new Error(`the server sent the secret file from outside its root: ${JSON.stringify(this.lastReceived.subarray(0, 80).toString('latin1'))}`);
  }
});

Then('a new client requesting {string} still gets it whole', async function (this: SockspecWorld, name: string) {
  const { host, port } = this.sessionServer.endpoint;
  assertOkWith(await fetchFile(host, port, name, undefined, this.transcript), name, this.fileRoot.files.get(name));
});

function lastReply(world: SockspecWorld): FileReply {
  if (!world.lastReply.file) throw new Error('no file reply was received in this scenario');
  return world.lastReply.file;
}

function assertOkWith(reply: FileReply, name: string, expected: Buffer | undefined): void {
  if (!expected) throw new Error(`"${name}" is not one of the served fixture files`);
  if (reply.kind !== 'ok') {
    throw new Error(`expected "OK ${expected.length}" and the ${expected.length} bytes of ${name}, but the server sent ${describeFileReply(reply)}`);
  }
  const difference = describeDifference(expected, reply.body);
  if (difference) throw new Error(`the contents of ${name} differ: ${difference}`);
}
