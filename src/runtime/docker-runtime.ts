import './testcontainers-settings';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { GenericContainer, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import { onCleanup } from '../cleanup';
import { ownedLabels, removeAbandonedContainers, removeContainersOwnedBy } from './container-owners';
import type { Launch, Service, Target } from '../contract/manifest';
import { HarnessError } from '../errors';
import { withTimeout } from '../driver/wait';
import { ensureImage } from './docker-images';
import { renderLaunch } from './launch';
import { ListeningInContainer, exitedBeforeListening, type ListenTarget } from './listen-readiness';
import { probeMappedPort } from './path-probe';
import { ProcControl } from './proc-control';
import type { ClientExit, ClientRequest, RunningServer, Runtime, ServerControl, ServerExit, ServerLimits, ServerRequest, StopResult } from './runtime';
import { LISTENING_LINE, STOP_GRACE_MS, ServerStartError, keepStdout, outputTail, serverArgs } from './server-launch';

export { SOCKSPEC_LABEL, removeAbandonedContainers } from './container-owners';

/** The port every server listens on inside its container; the harness reaches it through a mapping on 127.0.0.1. */
export const CONTAINER_PORT = 7000;
const START_TIMEOUT_MS = 10_000;
type BindMount = Parameters<GenericContainer['withBindMounts']>[0][number];
const LOG_TAIL_BYTES = 4096;

/** A container whose network namespace may carry sysctls, and which reports how it exits. */
class TargetContainer extends GenericContainer {
  exited: Promise<ServerExit> | undefined;
  /** Set once the container has exited. */
  exit: ServerExit | undefined;

  /**
   * Runs the server under Docker's init (tini) instead of as PID 1. The kernel
   * never applies a default signal action to a namespace's PID 1, so as PID 1 a
   * server that forgot to ignore SIGPIPE would survive a broken pipe in a
   * container and die of it everywhere else: the bug would hide.
   */
  withInit(): this {
    this.hostConfig.Init = true;
    return this;
  }

  /** The signal `docker stop` sends (to Docker's init, which passes it on to the server). */
  withStopSignal(signal: NodeJS.Signals): this {
    this.createOpts.StopSignal = signal;
    return this;
  }

  withSysctls(sysctls: Record<string, string> | undefined): this {
    if (sysctls) this.hostConfig.Sysctls = { ...sysctls };
    return this;
  }

  /** The container's ulimits: every process in it starts under them. */
  withLimits(limits: ServerLimits | undefined): this {
    if (limits) this.hostConfig.Ulimits = [{ Name: 'nofile', Soft: limits.openFiles, Hard: limits.openFiles }];
    return this;
  }

  // Watch for the exit from the moment the container exists: testcontainers
  // removes a container that fails its wait strategy, and its exit code with it.
  protected override async containerCreated(containerId: string): Promise<void> {
    this.exited = (await dockerContainer(containerId))
      // "next-exit": the container has not even started yet, so the default ("not-running") would answer at once.
      .wait({ condition: 'next-exit' })
      .then((result: { StatusCode: number }) => (this.exit = exitFromStatus(result.StatusCode)));
  }
}

/** A namespace holder: an idle container that owns the network namespace, the port mappings and the sysctls. */
interface Namespace {
  holder: StartedTestContainer;
  tcpPort: number;
  udpPort: number;
}

/**
 * Runs each server in a container of its own target image, built once per content
 * hash. Every scenario gets a network namespace of its own, held by an idle
 * container; server containers join it, so a restarted server meets the TIME_WAIT
 * its predecessor left, a second server meets the first one's listener, and
 * sysctls such as tcp_abort_on_overflow apply to the server alone.
 */
export class DockerRuntime implements Runtime {
  readonly name = 'docker';
  readonly platform = 'linux';
  readonly serverControl = true;
  readonly namespaceSysctls = true;
  readonly resourceLimits = true;
  readonly ipv6 = false;
  // Clients arrive through a port mapping, so the server listens on every address of its namespace.
  readonly listensOnGivenHost = false;
  private readonly namespaces = new Map<RunningServer, Namespace>();
  private scenarioNamespaces: Namespace[] = [];
  private pathVerdict: Promise<string | undefined> | undefined;
  /** A namespace started ahead for the next scenario: a holder's start would otherwise be waited for in every one. */
  private spare: { image: string; namespace: Promise<Namespace> } | undefined;

  constructor(private readonly log: (line: string) => void = () => {}) {
    removeAbandonedContainers();
    // Whatever happens to the run (an error, Ctrl-C), its containers go with it.
    onCleanup(() => removeContainersOwnedBy(process.pid));
  }

  /**
   * A port mapped to a container where nothing listens must refuse. Docker's
   * userland proxy accepts the connection itself and closes it instead, which
   * would make every close, reset and backlog behaviour a property of the proxy.
   */
  pathProblem(target: Target): Promise<string | undefined> {
    this.pathVerdict ??= (async () => {
      const namespace = await this.createNamespace(await ensureImage(target, this.log, ownedLabels()), undefined);
      try {
        return await probeMappedPort('127.0.0.1', namespace.tcpPort);
      } finally {
        await removeContainer(namespace.holder);
      }
    })();
    return this.pathVerdict;
  }

  async start(target: Target, request: ServerRequest): Promise<RunningServer> {
    const image = await ensureImage(target, this.log, ownedLabels());
    const namespace = request.alongside ? this.namespaces.get(request.alongside) : await this.freshNamespace(image, request.sysctls);
    if (!namespace) throw new Error('the server to start alongside was not started by the docker runtime');
    if (!request.alongside) this.scenarioNamespaces.push(namespace);
    const server = await startServerContainer(target, image, request, namespace);
    this.namespaces.set(server, namespace);
    return server;
  }

  clientProblem(target: Target): string | undefined {
    return target.manifest.docker?.client ? undefined : 'its manifest names no client inside the image ("docker": { "client": [...] })';
  }

  /**
   * Runs the client in a container of the target image on the host's network,
   * so that it reaches the harness's servers on loopback, as a local client would.
   */
  async runClient(target: Target, request: ClientRequest): Promise<ClientExit> {
    const argv = target.manifest.docker?.client;
    if (!argv) throw new Error(`target ${target.manifest.name}: ${this.clientProblem(target)}`);
    const docker = (await getContainerRuntimeClient()).container.dockerode;
    // A one-shot container driven through the Docker API directly: testcontainers
    // polls one-shot containers once a second, which would blur the client's timing.
    const container = await docker.createContainer({
      Image: await ensureImage(target, this.log, ownedLabels()),
      Entrypoint: argv,
      Cmd: request.args,
      Labels: ownedLabels(),
      // A terminal merges stdout and stderr into one plain stream, which is all the report shows.
      Tty: true,
      HostConfig: { NetworkMode: 'host', Init: true, Binds: [`${request.outDir}:${request.outDir}:rw`] },
    });
    try {
      const exited = container.wait({ condition: 'next-exit' }).then((result: { StatusCode: number }) => exitFromStatus(result.StatusCode));
      await container.start();
      let killed = false;
      const exit = await withTimeout(exited, request.killAfterMs, 'the client container to exit').catch(async () => {
        killed = true;
        await container.kill().catch(() => undefined);
        return exited;
      });
      const output = (await container.logs({ stdout: true, stderr: true })).toString().replace(/\r/g, '').trim();
      return { ...exit, output, killed };
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  }

  async endScenario(): Promise<void> {
    const namespaces = this.scenarioNamespaces;
    this.scenarioNamespaces = [];
    for (const [server, namespace] of this.namespaces) if (namespaces.includes(namespace)) this.namespaces.delete(server);
    for (const namespace of namespaces) removeInBackground(namespace.holder);
  }

  /** Waits for the background removals, and removes the spare: a container still being created when the process exits would outlive it. */
  async finish(): Promise<void> {
    const spare = this.spare;
    this.spare = undefined;
    const unused = await spare?.namespace.catch(() => undefined);
    if (unused) await removeContainer(unused.holder);
    await Promise.all(pendingRemovals);
  }

  /**
   * A namespace no scenario has used. Without sysctls it is the spare started
   * ahead, and the next spare starts now, while this scenario runs; a namespace
   * with sysctls is made for its scenario, since they are set when it is created.
   */
  private async freshNamespace(image: string, sysctls: Record<string, string> | undefined): Promise<Namespace> {
    if (sysctls) return this.createNamespace(image, sysctls);
    const spare = this.spare?.image === image ? this.spare.namespace : undefined;
    // A spare of another target's image would serve no one: it goes.
    if (this.spare && !spare) void this.spare.namespace.then((unused) => removeInBackground(unused.holder), () => undefined);
    const next = this.createNamespace(image, undefined);
    next.catch(() => undefined);
    this.spare = { image, namespace: next };
    // A spare that failed to start is no reason to fail: make one now, and fail with its error if it fails too.
    return spare ? spare.catch(() => this.createNamespace(image, undefined)) : this.createNamespace(image, undefined);
  }

  private async createNamespace(image: string, sysctls: Record<string, string> | undefined): Promise<Namespace> {
    const holder = await new TargetContainer(image)
      .withSysctls(sysctls)
      .withEntrypoint(['sleep', 'infinity'])
      .withExposedPorts(`${CONTAINER_PORT}/tcp`, `${CONTAINER_PORT}/udp`)
      .withLabels(ownedLabels())
      .withWaitStrategy(Wait.forSuccessfulCommand('true'))
      .start();
    // Read from Docker itself: testcontainers 11 keeps only one binding when a port is exposed for both protocols.
    const ports = (await (await dockerContainer(holder.getId())).inspect()).NetworkSettings.Ports;
    const hostPort = (protocol: string): number => Number(ports[`${CONTAINER_PORT}/${protocol}`]?.[0]?.HostPort);
    return { holder, tcpPort: hostPort('tcp'), udpPort: hostPort('udp') };
  }
}

async function startServerContainer(target: Target, image: string, request: ServerRequest, namespace: Namespace): Promise<RunningServer> {
  const what = `${target.manifest.name} ${request.service}`;
  let output = '';
  let announce: (port: number) => void = () => {};
  const announced = new Promise<number>((resolveAnnounced) => (announce = resolveAnnounced));
  const collect = (chunk: Buffer | string): void => {
    output = (output + chunk.toString()).slice(-LOG_TAIL_BYTES);
    const listening = LISTENING_LINE_IN_LOG.exec(output);
    if (listening) announce(Number(listening[2]));
  };
  const container = new TargetContainer(image)
    .withInit()
    .withLimits(request.limits)
    .withNetworkMode(`container:${namespace.holder.getId()}`)
    .withLabels(ownedLabels())
    .withLogConsumer((stream) => stream.on('data', collect));
  const listenTarget = { host: containerHost(request.host), port: CONTAINER_PORT, service: request.service };
  const launch = target.manifest.launch?.[request.service];
  const readiness = launch?.ready ?? 'line';
  const mounts: BindMount[] = [];
  if (request.root !== undefined) {
    // The files' folder keeps its host path, so an absolute path means the same inside and out.
    const shared = resolve(request.root, '..');
    mounts.push({ source: shared, target: shared, mode: 'ro' });
  }
  let logFile: string | undefined;
  if (launch) {
    const configured = configureLaunch(container, target, request, launch, listenTarget);
    mounts.push(...configured.mounts);
    logFile = configured.logFile;
  } else container.withCommand(serverArgs({ ...request, host: listenTarget.host, port: CONTAINER_PORT }));
  // The log file, if any, is in the config folder, mounted at the same path: readable from here.
  const logTail = (output: string): string => outputTail(output, logFile);
  container.withBindMounts(mounts);
  container.withWaitStrategy(
    readiness === 'line'
      ? Wait.forLogMessage(LISTENING_LINE_IN_LOG).withStartupTimeout(START_TIMEOUT_MS)
      : new ListeningInContainer(listenTarget, () => container.exit !== undefined).withStartupTimeout(START_TIMEOUT_MS),
  );
  let started: StartedTestContainer;
  try {
    started = await container.start();
  } catch (error) {
    const exit = await withTimeout(container.exited ?? Promise.reject(new Error('no exit watch')), STOP_GRACE_MS, 'the failed server container to exit').catch(() => undefined);
    const reason =
      readiness === 'listen'
        ? exit
          ? exitedBeforeListening(exit, listenTarget)
          : `never listened: ${firstLine(error)}`
        : exit
          ? 'exited before printing "LISTENING <port>"'
          : `did not print "LISTENING <port>": ${firstLine(error)}`;
    throw new ServerStartError(what, reason, exit, logTail(output));
  }
  if (readiness === 'line') {
    // testcontainers saw the line on a log stream of its own; this one may be a moment behind.
    const port = await withTimeout(announced, START_TIMEOUT_MS, 'the LISTENING line in the log sockspec reads');
    if (port !== CONTAINER_PORT) {
      await removeContainer(started);
      throw new ServerStartError(what, `printed "LISTENING ${port}", but it was told --port ${CONTAINER_PORT}`, undefined, logTail(output));
    }
  }
  const inspected = await (await dockerContainer(started.getId())).inspect();
  const stopGraceMs = launch?.stopGraceMs ?? STOP_GRACE_MS;
  return new ContainerServer(request.service, started, container.exited!, serverPidUnder(inspected.State.Pid), () => logTail(output), namespace, stopGraceMs);
}

/**
 * An existing program in its image, started as its launch template says: the filled-in
 * argv is the container's command, and the config files, rendered on this machine, are
 * mounted at the same path (read-write: programs such as nginx keep their pid and
 * temporary files next to their config). Returns that mount, and the file it logs to, if any.
 */
function configureLaunch(container: TargetContainer, target: Target, request: ServerRequest, launch: Launch, listenTarget: ListenTarget): { mounts: BindMount[]; logFile?: string } {
  const rendered = renderLaunch(target, request.service, launch, { host: listenTarget.host, port: listenTarget.port, backlog: request.backlog, root: request.root });
  const [program, ...args] = rendered.command;
  container.withEntrypoint([program]).withCommand(args).withEnvironment(rendered.env).withStopSignal(launch.stopSignal);
  if (launch.cwd !== undefined) {
    // A relative cwd names a folder of the target on this machine, which is not in the image.
    if (!isAbsolute(launch.cwd)) throw new HarnessError(`${target.manifestPath}: launch.${request.service}.cwd: the docker runtime needs an absolute path inside the image, not ${launch.cwd}`);
    container.withWorkingDir(launch.cwd);
  }
  return { mounts: rendered.config === undefined ? [] : [{ source: rendered.config, target: rendered.config, mode: 'rw' }], logFile: rendered.log };
}

const LISTENING_LINE_IN_LOG = new RegExp(LISTENING_LINE.source.replace('^', '(^|\\n)').replace('$', '(\\r?\\n|$)'));

class ContainerServer implements RunningServer {
  readonly host = '127.0.0.1';
  readonly port: number;
  readonly serverPort = CONTAINER_PORT;
  exit: ServerExit | undefined;
  readonly control: ServerControl;

  constructor(
    readonly service: Service,
    private readonly container: StartedTestContainer,
    readonly exited: Promise<ServerExit>,
    pid: number,
    readonly stderrTail: () => string,
    namespace: Namespace,
    private readonly stopGraceMs: number,
  ) {
    this.port = service === 'udp-echo' ? namespace.udpPort : namespace.tcpPort;
    void exited.then((exit) => (this.exit = exit));
    this.control = new ProcControl(() => (this.exit === undefined ? pid : undefined), {
      // The cgroup freezer: the whole container stops, as a frozen process would.
      freeze: async () => void (await (await dockerContainer(container.getId())).pause()),
      thaw: async () => void (await (await dockerContainer(container.getId())).unpause()),
    });
  }

  /** Read from Docker before the container is removed: its log is the server's stdout. */
  private stdoutAtExit: string | undefined;

  async standardOutput(): Promise<string> {
    return this.stdoutAtExit ?? containerStdout(this.container.getId());
  }

  async stop(): Promise<StopResult> {
    if (this.exit !== undefined) {
      this.stdoutAtExit ??= await containerStdout(this.container.getId()).catch(() => '');
      removeInBackground(this.container);
      return { ...this.exit, stoppedInTime: false };
    }
    const api = await dockerContainer(this.container.getId());
    // A paused container cannot act on SIGTERM; let it run so it can exit as the contract asks.
    if ((await api.inspect()).State.Paused) await api.unpause();
    // Docker sends the stop signal, and SIGKILL once the grace period is over: a SIGKILL death means "too late".
    await api.stop({ t: Math.ceil(this.stopGraceMs / 1000) }).catch(() => undefined);
    const exit = await this.exited;
    this.exit = exit;
    const stoppedInTime = exit.signal !== 'SIGKILL';
    this.stdoutAtExit = await containerStdout(this.container.getId()).catch(() => '');
    removeInBackground(this.container);
    return { ...exit, stoppedInTime };
  }
}

/** The Docker API's handle on a container: pause, wait and inspect go to Docker itself. */
async function dockerContainer(id: string) {
  return (await getContainerRuntimeClient()).container.dockerode.getContainer(id);
}

/**
 * The container's stdout, its first STDOUT_KEPT_BYTES. Without a terminal Docker frames
 * each chunk of a log with 8 bytes: the stream (1 stdout, 2 stderr), 3 zero bytes and the
 * chunk's length, big-endian.
 */
async function containerStdout(id: string): Promise<string> {
  const log: Buffer = await (await dockerContainer(id)).logs({ stdout: true, stderr: false, follow: false });
  let stdout = '';
  for (let offset = 0; offset + 8 <= log.length; offset += 8 + log.readUInt32BE(offset + 4)) {
    if (log[offset] === 1) stdout = keepStdout(stdout, log.subarray(offset + 8, offset + 8 + log.readUInt32BE(offset + 4)));
  }
  return stdout;
}

/** The server: the one child of the container's init. */
function serverPidUnder(initPid: number): number {
  const children = readFileSync(`/proc/${initPid}/task/${initPid}/children`, 'utf8').trim().split(/\s+/);
  if (children.length !== 1 || !children[0]) throw new Error(`expected the container's init (pid ${initPid}) to run one server, found: ${children.join(' ') || 'none'}`);
  return Number(children[0]);
}

/** Docker (and its init) report a process killed by signal N as exit status 128 + N. */
function exitFromStatus(status: number): ServerExit {
  if (status > 128) {
    const signal = Object.entries(constants.signals).find(([, number]) => number === status - 128)?.[0] as NodeJS.Signals | undefined;
    if (signal) return { code: null, signal };
  }
  return { code: status, signal: null };
}

/** Inside its container a server listens on every address: clients arrive through the port mapping. */
function containerHost(host: string): string {
  return host.includes(':') ? '::' : '0.0.0.0';
}

async function removeContainer(container: StartedTestContainer): Promise<void> {
  await container.stop({ timeout: 0, remove: true }).catch(() => undefined);
}

/** Removals under way, which `finish` waits for. */
const pendingRemovals = new Set<Promise<void>>();

/**
 * Removes a container whose process has exited, or that holds a namespace no one
 * uses any more, without waiting: nothing depends on its removal but the tidiness
 * of the engine, and the run's exit removes whatever is still there (onCleanup).
 */
function removeInBackground(container: StartedTestContainer): void {
  const removal = removeContainer(container).finally(() => pendingRemovals.delete(removal));
  pendingRemovals.add(removal);
}

const firstLine = (error: unknown): string => String((error as Error)?.message ?? error).split('\n')[0];
