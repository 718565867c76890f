import { setMaxListeners } from 'node:events';
import { World, setWorldConstructor, type IWorldOptions } from '@cucumber/cucumber';
import { loadTarget, type Service, type Target } from '../src/contract/manifest';
import { ClientPool } from '../src/driver/client-pool';
import { ConnectError, type TcpConnection } from '../src/driver/tcp-connection';
import { formatAddress, Transcript } from '../src/driver/transcript';
import type { UdpClient } from '../src/driver/udp-client';
import { createFileRoot, type FileRoot } from '../src/fixtures/file-root';
import { createRuntime } from '../src/runtime';
import { externalTarget } from '../src/runtime/external-runtime';
import type { RunningServer, Runtime, ServerControl, ServerRequest } from '../src/runtime/runtime';
import { parseFileReply, type FileReply } from '../src/services/file-protocol';
import { parseHttpResponse, type HttpResponse } from '../src/services/http-exchange';
import { awaitAcceptQueueEmpty } from '../src/services/tcp-states';
import { isSockspecParameters, type SockspecParameters } from '../src/world-parameters';

export const LOOPBACK = '127.0.0.1';
export const DEFAULT_BACKLOG = 128;

// One runtime per target and one set of served files per process, shared by the scenarios.
const runtimes = new Map<string, { target: Target; runtime: Runtime }>();
let fileRoot: FileRoot | undefined;

export type ServerOptions = Partial<Pick<ServerRequest, 'host' | 'port' | 'backlog' | 'sysctls' | 'alongside' | 'limits' | 'optionOrder'>>;

/** The state of one scenario: the target's server and the clients talking to it. */
export class SockspecWorld extends World<SockspecParameters> {
  readonly target: Target;
  readonly runtime: Runtime;
  readonly fileRoot: FileRoot;
  /** Seeds the scenario's pseudo-random payloads, so a failure replays byte for byte. */
  scenarioName = '';
  server: RunningServer | undefined;
  /** Whether the scenario left the server frozen; it is thawed before the final checks. */
  serverFrozen = false;
  /** Fires when the scenario ends, abandoning connection attempts still under way. */
  readonly scenarioEnd = new AbortController();
  /** Set by scenarios that stop the server on purpose, so the final liveness check is not applied. */
  serverStoppedOnPurpose = false;
  /** Set once the end-of-scenario checks ask the server to stop: an exit after that is the harness's doing, not a crash. */
  serverStopRequested = false;
  /** The client the current steps talk about, and what it sent. */
  client: TcpConnection | undefined;
  sent: Buffer = Buffer.alloc(0);
  /** How the last bare connection attempt ended. */
  connectOutcome: 'connected' | ConnectError | undefined;
  /** The server's open descriptors before the scenario's clients connected. */
  descriptorBaseline: number | undefined;
  /** The file service's last reply. */
  fileReply: FileReply | undefined;
  /** The http service's last response. */
  httpResponse: HttpResponse | undefined;
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
    if (!isSockspecParameters(options.parameters)) {
      throw new Error('sockspec world parameters are missing: run the features with `sockspec run`');
    }
    const { targetDir, runtime, external } = options.parameters;
    const key = `${runtime} ${targetDir}`;
    if (!runtimes.has(key)) {
      runtimes.set(key, {
        target: external ? externalTarget(external.name, external.endpoints) : loadTarget(targetDir),
        runtime: createRuntime(runtime, { endpoints: external?.endpoints }),
      });
    }
    ({ target: this.target, runtime: this.runtime } = runtimes.get(key)!);
    this.fileRoot = fileRoot ??= createFileRoot();
    // Every connection attempt of the scenario listens to this one signal.
    setMaxListeners(Infinity, this.scenarioEnd.signal);
  }

  async startServer(service: Service, options: ServerOptions = {}): Promise<RunningServer> {
    this.server = await this.runtime.start(this.target, this.serverRequest(service, options));
    for (const note of this.server.startNotes ?? []) this.transcript.note(note);
    this.transcript.note(`${service} server of ${this.target.manifest.name} listening on ${formatAddress(this.server.host, this.server.port)}`);
    return this.server;
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
    if (!this.server) throw new Error('no server was started in this scenario');
    return this.server;
  }

  /** Scenarios that use it are tagged @server-control, and only run where the runtime has it. */
  get control(): ServerControl {
    const control = this.runningServer.control;
    if (!control) throw new Error(`the ${this.runtime.name} runtime gives no control over the server`);
    return control;
  }

  /** Resumes a frozen server and waits until it has accepted everything that queued meanwhile. */
  async thawServer(): Promise<void> {
    await this.control.thaw();
    this.serverFrozen = false;
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
    this.fileReply = parseFileReply(await this.exchangeOnNewConnection(request));
    return this.fileReply;
  }

  /** Sends an HTTP request on a new connection and reads the whole response. */
  async requestPage(request: Buffer): Promise<HttpResponse> {
    this.httpResponse = parseHttpResponse(await this.exchangeOnNewConnection(request));
    return this.httpResponse;
  }

  /** Sends a request on a new connection (the current client) and reads everything up to the server's end-of-stream. */
  private async exchangeOnNewConnection(request: Buffer): Promise<Buffer> {
    this.client = await this.connect();
    await this.client.send(request);
    return this.client.receiveUntilEnd();
  }

  /** Everything the server sent in its last file reply or HTTP response. */
  get lastReceived(): Buffer {
    const raw = (this.fileReply ?? this.httpResponse)?.raw;
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
