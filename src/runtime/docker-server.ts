import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { Wait, type StartedTestContainer } from 'testcontainers';
import { ownedLabels } from './container-owners';
import type { Launch, Service, Target } from '../contract/manifest';
import { HarnessError } from '../errors';
import { withTimeout } from '../driver/wait';
import { CONTAINER_PORT, TargetContainer, dockerContainer, removeContainer, removeInBackground, type BindMount } from './docker-container';
import type { Namespace } from './docker-namespaces';
import { renderLaunch } from './launch';
import { ListeningInContainer, exitedBeforeListening, type ListenTarget } from './listen-readiness';
import { ProcControl } from './proc-control';
import type { AddressFamily, RunningServer, ServerControl, ServerExit, ServerRequest, StopResult } from './runtime';
import { LISTENING_LINE, STOP_GRACE_MS, ServerStartError, keepStdout, outputTail, serverArgs } from './server-launch';

const START_TIMEOUT_MS = 10_000;
const LOG_TAIL_BYTES = 4096;

export async function startServerContainer(target: Target, image: string, request: ServerRequest, namespace: Namespace): Promise<RunningServer> {
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
  /** As on this machine's loopback: a server asked for an IPv6 host is reached over IPv6 (its namespace's address), any other over IPv4 (the port mapping). */
  readonly host: string;
  readonly port: number;
  readonly serverPort = CONTAINER_PORT;
  exit: ServerExit | undefined;
  readonly control: ServerControl;
  private readonly ipv6Address: string | undefined;
  /** The port on 127.0.0.1 that Docker maps to the server's. */
  private readonly mappedPort: number;

  constructor(
    readonly service: Service,
    private readonly container: StartedTestContainer,
    readonly exited: Promise<ServerExit>,
    pid: number,
    readonly stderrTail: () => string,
    namespace: Namespace,
    private readonly stopGraceMs: number,
  ) {
    this.mappedPort = service === 'udp-echo' ? namespace.udpPort : namespace.tcpPort;
    this.ipv6Address = namespace.ipv6Address;
    this.host = this.ipv6Address ?? '127.0.0.1';
    this.port = this.ipv6Address ? CONTAINER_PORT : this.mappedPort;
    void exited.then((exit) => (this.exit = exit));
    this.control = new ProcControl(() => (this.exit === undefined ? pid : undefined), {
      // The cgroup freezer: the whole container stops, as a frozen process would.
      freeze: async () => void (await (await dockerContainer(container.getId())).pause()),
      thaw: async () => void (await (await dockerContainer(container.getId())).unpause()),
    });
  }

  /** IPv4 through the port mapping on 127.0.0.1; IPv6 straight to the namespace's address, where it is on the IPv6 network. */
  endpointFor(family: AddressFamily): { host: string; port: number } | undefined {
    if (family === 'IPv4') return { host: '127.0.0.1', port: this.mappedPort };
    return this.ipv6Address ? { host: this.ipv6Address, port: CONTAINER_PORT } : undefined;
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

/** Inside its container a server listens on every address: clients arrive through the port mapping. */
function containerHost(host: string): string {
  return host.includes(':') ? '::' : '0.0.0.0';
}

const firstLine = (error: unknown): string => String((error as Error)?.message ?? error).split('\n')[0];
