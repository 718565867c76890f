import { setMaxListeners } from 'node:events';
import { World, setWorldConstructor, type IWorldOptions } from '@cucumber/cucumber';
import type { Service, Target } from '../src/contract/manifest';
import { ClientPool } from '../src/driver/client-pool';
import { ConnectError, type TcpConnection } from '../src/driver/tcp-connection';
import { formatAddress, Transcript } from '../src/driver/transcript';
import type { UdpClient } from '../src/driver/udp-client';
import type { FileRoot } from '../src/fixtures/file-root';
import type { RunningServer, Runtime, ServerControl, ServerRequest } from '../src/runtime/runtime';
import type { ServerSession, SessionServer } from '../src/runtime/server-session';
import { parseFileReply, type FileReply } from '../src/services/file-protocol';
import { parseHttpResponse, type HttpResponse } from '../src/services/http-exchange';
import { awaitAcceptQueueEmpty } from '../src/services/tcp-states';
import type { SockspecParameters } from '../src/world-parameters';
import { workerFixtures } from './worker-fixtures';

export const LOOPBACK = '127.0.0.1';
export const DEFAULT_BACKLOG = 128;

export type ServerOptions = Partial<Pick<ServerRequest, 'host' | 'port' | 'backlog' | 'sysctls' | 'alongside' | 'limits' | 'optionOrder'>>;

/** The last reply of each kind the scenario received, each as its protocol reads it. */
export interface LastReplies {
  file?: FileReply;
  http?: HttpResponse;
}

/** What a scenario does to its server that a server kept from an earlier scenario must not meet, and a later one must not inherit. */
export type Disturbance = 'freezes' | 'stops' | 'restarts';

/** The state of one scenario: the target's server and the clients talking to it. */
export class SockspecWorld extends World<SockspecParameters> {
  readonly target: Target;
  readonly runtime: Runtime;
  readonly fileRoot: FileRoot;
  readonly servers: ServerSession;
  /** Seeds the scenario's pseudo-random payloads, so a failure replays byte for byte. */
  scenarioName = '';
  /** Set for scenarios tagged @fresh-server: they stop, freeze or restart their server, so it is started for them alone. */
  needsFreshServer = false;
  /** The server the scenario talks to (after a restart, the new one). */
  server: SessionServer | undefined;
  /** Fires when the scenario ends, abandoning connection attempts still under way. */
  readonly scenarioEnd = new AbortController();
  /** The client the current steps talk about, and what it sent. */
  client: TcpConnection | undefined;
  sent: Buffer = Buffer.alloc(0);
  /** How the last bare connection attempt ended: refused, or accepted (and by whom, where that is known). */
  connectOutcome: { accepted: string | undefined } | ConnectError | undefined;
  /** The server's open descriptors before the scenario's clients connected. */
  descriptorBaseline: number | undefined;
  readonly lastReply: LastReplies = {};
  /** How the slow client's sending is going: still under way, finished, or failed (why). */
  slowClient: 'sending' | 'finished' | Error = 'sending';
  udpClient: UdpClient | undefined;
  /**
   * What the end-of-scenario checks must wait for first, once the clients are closed: e.g. a
   * server at its descriptor limit closing the connections the scenario held, so that the
   * fresh client of the liveness check does not meet a server that is still full.
   */
  readonly beforeFinalChecks: (() => Promise<void>)[] = [];
  /** What the scenario's client sockets did on the wire; attached to the scenario's report. */
  readonly transcript = new Transcript();
  /** Every client socket the scenario opens; all are closed when it ends. */
  readonly clients = new ClientPool(this.transcript, this.scenarioEnd.signal);

  constructor(options: IWorldOptions<SockspecParameters>) {
    super(options);
    ({ target: this.target, runtime: this.runtime, fileRoot: this.fileRoot, servers: this.servers } = workerFixtures());
    // Every connection attempt of the scenario listens to this one signal.
    setMaxListeners(Infinity, this.scenarioEnd.signal);
  }

  /** A server with these options: one kept from an earlier scenario with the same options, or a new one. */
  async startServer(service: Service, options: ServerOptions = {}): Promise<RunningServer> {
    const note = (line: string): void => this.transcript.note(line);
    this.server = await this.servers.serverFor(this.serverRequest(service, options), this.needsFreshServer, note);
    const { running } = this.server;
    if (this.server.scenariosServed === 1) for (const startNote of running.startNotes ?? []) note(startNote);
    note(`${service} server of ${this.target.manifest.name} listening on ${formatAddress(running.host, running.port)}`);
    return running;
  }

  serverRequest(service: Service, options: ServerOptions = {}): ServerRequest {
    return {
      service,
      host: options.host ?? LOOPBACK,
      port: options.port ?? 0,
      backlog: options.backlog ?? DEFAULT_BACKLOG,
      root: service === 'file' || service === 'http' ? this.fileRoot.root : undefined,
      ...(options.sysctls ? { sysctls: options.sysctls } : {}),
      ...(options.alongside ? { alongside: options.alongside } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.optionOrder ? { optionOrder: options.optionOrder } : {}),
    };
  }

  get runningServer(): RunningServer {
    return this.sessionServer.running;
  }

  get sessionServer(): SessionServer {
    if (!this.server) throw new Error('no server was started in this scenario');
    return this.server;
  }

  /** Throws unless the scenario declared that it disturbs its server: a kept server would carry the disturbance into later scenarios. */
  private assertFresh(disturbance: Disturbance): void {
    if (!this.needsFreshServer) throw new Error(`this scenario ${disturbance} its server, so it must be tagged @fresh-server (a server kept across scenarios must not meet it)`);
  }

  async freezeServer(why: string): Promise<void> {
    this.assertFresh('freezes');
    await this.sessionServer.freeze();
    this.transcript.note(`server frozen: ${why}`);
  }

  /** Stops the server as the scenario's own act: its exit is what the scenario looks at, not a crash. */
  async stopServer(): Promise<ReturnType<RunningServer['stop']>> {
    this.assertFresh('stops');
    return this.sessionServer.stop('scenario');
  }

  /** Stops the server and starts another at once on the port it listened on, in the same network namespace. */
  async restartServer(): Promise<void> {
    this.assertFresh('restarts');
    const previous = this.sessionServer;
    await previous.stop('scenario');
    await this.startServer(previous.running.service, { port: previous.listenPort, alongside: previous.running });
  }

  /** Scenarios that use it are tagged @server-control, and only run where the runtime has it. */
  get control(): ServerControl {
    const control = this.runningServer.control;
    if (!control) throw new Error(`the ${this.runtime.name} runtime gives no control over the server`);
    return control;
  }

  /** Resumes a frozen server and waits until it has accepted everything that queued meanwhile. */
  async thawServer(): Promise<void> {
    await this.sessionServer.thaw();
    this.transcript.note('server thawed');
    await awaitAcceptQueueEmpty(this.runningServer, this.control);
  }

  rememberDescriptorBaseline(): void {
    this.descriptorBaseline = this.control.descriptorCount();
  }

  /** Opens a client connection to the server; it is closed when the scenario ends. */
  async connect(host = this.runningServer.host): Promise<TcpConnection> {
    return this.clients.open(host, this.runningServer.port);
  }

  /** Sends a file-service request on a new connection and reads the whole reply. */
  async requestFile(request: Buffer): Promise<FileReply> {
    this.lastReply.file = parseFileReply(await this.exchangeOnNewConnection(request));
    return this.lastReply.file;
  }

  /** Sends an HTTP request on a new connection and reads the whole response. */
  async requestPage(request: Buffer): Promise<HttpResponse> {
    this.lastReply.http = parseHttpResponse(await this.exchangeOnNewConnection(request));
    return this.lastReply.http;
  }

  /** Sends a request on a new connection (the current client) and reads everything up to the server's end-of-stream. */
  private async exchangeOnNewConnection(request: Buffer): Promise<Buffer> {
    this.client = await this.connect();
    await this.client.send(request);
    return this.client.receiveUntilEnd();
  }

  /** Everything the server sent in its last file reply or HTTP response. */
  get lastReceived(): Buffer {
    const raw = (this.lastReply.file ?? this.lastReply.http)?.raw;
    if (!raw) throw new Error('no reply was received in this scenario');
    return raw;
  }

  /** Starts a client that sends `message` one byte per second, and leaves it sending. */
  async startSlowClient(message: Buffer): Promise<void> {
    const slow = await this.connect();
    this.slowClient = 'sending';
    slow.sendInPieces(message, message.length, 1000).then(
      () => (this.slowClient = 'finished'),
      (error: Error) => (this.slowClient = error),
    );
  }

  /** Throws unless the slow client is still sending: `what` arrived while it was. */
  assertSlowClientStillSending(what: string): void {
    if (this.slowClient instanceof Error) throw new Error(`the slow client itself failed: ${this.slowClient.message}`);
    if (this.slowClient === 'finished') throw new Error(`${what} came only after the slow client had sent everything`);
  }

  get currentClient(): TcpConnection {
    if (!this.client) throw new Error('no client has connected in this scenario');
    return this.client;
  }
}

setWorldConstructor(SockspecWorld);
