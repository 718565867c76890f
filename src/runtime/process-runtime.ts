import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { onCleanup } from '../cleanup';
import { ownedEnvironment } from '../ownership';
import type { Launch, Service, Target } from '../contract/manifest';
import { holdTcpPort, type PortHold } from '../driver/port-hold';
import { pollUntil, withTimeout } from '../driver/wait';
import { processState, threadStates } from '../kernel/proc-net';
import { ProcControl } from './proc-control';
import {
  clientAddress,
  describeExit,
  loopbackEndpoint,
  resolveProgram,
  type AddressFamily,
  type ClientExit,
  type ClientRequest,
  platformOf,
  type RunningServer,
  type Runtime,
  type ServerControl,
  type ServerExit,
  type ServerLimits,
  type ServerRequest,
  type StopResult,
} from './runtime';
import { LISTENING_LINE, STOP_GRACE_MS, ServerStartError, keepStdout, outputTail, serverArgs } from './server-launch';
import { freePort, protocolOf, renderLaunch } from './launch';
import { awaitListening, exitedBeforeListening } from './listen-readiness';
import { processTree } from '../kernel/process-sockets';
import { scaled } from '../driver/wait';

const STDERR_TAIL_BYTES = 4096;
const FREEZE_TIMEOUT_MS = 2000;
const BIND_RACE_ATTEMPTS = 3;

/**
 * The other loopback address a client tries to find a server told one of these
 * refusing it (bound-address.feature): on Linux every address of 127.0.0.0/8 is
 * loopback, and ::1's IPv4 counterpart is 127.0.0.1.
 */
const OTHER_LOOPBACK: Readonly<Record<string, string>> = { '127.0.0.1': '127.0.0.2', '::1': '127.0.0.1' };

/** How a server is stopped and signalled: the contract's SIGTERM and 2 s, or what a launch template says. */
interface ProcessServerOptions {
  stopSignal: NodeJS.Signals;
  stopGraceMs: number;
  /** The server leads a process group of its own: signals go to the whole group. */
  group: boolean;
  /** What happened while starting it (retries), for the scenario's transcript. */
  startNotes: string[];
  /** The file it logs to instead of stderr (a launch's `log`). */
  logFile?: string;
}

const CONTRACT_SERVER: ProcessServerOptions = { stopSignal: 'SIGTERM', stopGraceMs: STOP_GRACE_MS, group: false, startNotes: [] };

export interface ProcessRuntimeOptions {
  startTimeoutMs?: number;
}

/** Runs targets as local child processes: the default runtime, nothing to set up. */
export class ProcessRuntime implements Runtime {
  readonly name = 'process';
  readonly platform = platformOf(process.platform);
  readonly serverControl = process.platform === 'linux';
  // A local process shares the host's network namespace; changing its sysctls would change the machine's.
  readonly namespaceSysctls = false;
  // Limits are set by util-linux's prlimit, which sets them on itself and then execs the server (same pid).
  readonly resourceLimits = process.platform === 'linux' && inPath('prlimit');
  readonly startsAhead = true;
  readonly ipv6 = true;
  readonly listensOnGivenHost = true;
  private readonly startTimeoutMs: number;

  constructor(options: ProcessRuntimeOptions = {}) {
    this.startTimeoutMs = options.startTimeoutMs ?? 10_000;
  }

  // Client and server share the host's loopback: nothing stands between them.
  async pathProblem(): Promise<string | undefined> {
    return undefined;
  }

  /** The servers started and not yet released: whatever each forked is ended with its release, not before. */
  private readonly servers = new Set<ProcessServer>();

  private track(server: ProcessServer): ProcessServer {
    this.servers.add(server);
    return server;
  }

  /** A start that failed leaves nothing behind: what the program forked before it failed goes with it. */
  private async untrackedOnFailure(server: ProcessServer, ready: Promise<RunningServer>): Promise<RunningServer> {
    try {
      return await ready;
    } catch (error) {
      await this.release(server);
      throw error;
    }
  }

  async release(server: RunningServer): Promise<void> {
    const owned = [...this.servers].find((candidate) => candidate === server);
    if (!owned) return;
    this.servers.delete(owned);
    owned.endProcessGroup();
    for (const hold of owned.portHolds.splice(0)) hold.release();
  }

  async finish(): Promise<void> {
    for (const server of [...this.servers]) await this.release(server);
  }

  clientProblem(): string | undefined {
    return undefined;
  }

  runClient(target: Target, request: ClientRequest): Promise<ClientExit> {
    const [program, ...fixedArgs] = target.manifest.client ?? [];
    if (!program) throw new Error(`target ${target.manifest.name} has no client`);
    const child = spawn(resolveProgram(target, program), [...fixedArgs, ...request.args], { cwd: target.dir, env: ownedEnvironment(), stdio: ['ignore', 'ignore', 'pipe'] });
    const forgetCleanup = onCleanup(() => child.kill('SIGKILL'));
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-STDERR_TAIL_BYTES)));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, request.killAfterMs);
    return new Promise((resolveExit) => {
      const finish = (exit: ServerExit): void => {
        clearTimeout(timer);
        forgetCleanup();
        resolveExit({ ...exit, output, killed });
      };
      // 'close', not 'exit': stderr is complete then.
      child.on('close', (code, signal) => finish({ code, signal }));
      child.on('error', (error) => {
        if (child.pid !== undefined) return;
        output = `could not be started: ${error.message}`;
        finish({ code: null, signal: null });
      });
    });
  }

  async start(target: Target, request: ServerRequest): Promise<RunningServer> {
    if (request.sysctls) throw new Error('the process runtime cannot set sysctls for a server');
    if (request.limits && !this.resourceLimits) throw new Error('the process runtime cannot set resource limits here: it needs Linux and prlimit (util-linux) in PATH');
    const launch = target.manifest.launch?.[request.service];
    const server = (await (launch ? this.startLaunched(target, request, launch) : this.startByContract(target, request))) as ProcessServer;
    return this.untrackedOnFailure(server, this.holdOtherLoopback(server, request).then(() => server));
  }

  /**
   * A local server shares port numbers with every program of the machine. Told one
   * loopback address, it leaves its port free on the others, and an IPv4 program
   * binding port 0 may be given the port of a server on ::1: in a CI run one was,
   * and answered the IPv4 client that a correct server leaves refused. So the port is
   * held on the other loopback address for as long as the server runs (see
   * holdTcpPort: that client is still refused by the kernel). Where the port is taken
   * there already, by the server itself (a wildcard bind) or by another program,
   * nothing is held; the scenario's check tells the two apart.
   */
  private async holdOtherLoopback(server: ProcessServer, request: ServerRequest): Promise<void> {
    const other = OTHER_LOOPBACK[request.host];
    if (!other || protocolOf(request.service) !== 'tcp' || process.platform !== 'linux') return;
    const hold = await holdTcpPort(other, server.serverPort);
    if (hold) server.portHolds.push(hold);
  }

  private startByContract(target: Target, request: ServerRequest): Promise<RunningServer> {
    const [program, ...fixedArgs] = target.manifest.server!;
    const child = spawn(...underLimits(request.limits, resolveProgram(target, program), [...fixedArgs, ...serverArgs(request)]), {
      cwd: target.dir,
      // Marks the process as this run's, so a next run can find it if this one is killed.
      env: ownedEnvironment(),
      stdio: ['ignore', 'pipe', 'pipe'],
      // A group of its own, only so that what it forks can be found and ended once the scenario is over:
      // signals still go to the server alone, which stops its own workers, or fails to (connection.feature).
      detached: true,
    });
    const server = this.track(new ProcessServer(target, request, child));
    return this.untrackedOnFailure(server, server.ready(this.startTimeoutMs));
  }

  /**
   * An existing program, started as its launch template says. Where it cannot take port 0,
   * a free port is picked for it; if another process takes that port first (the program
   * then fails with EADDRINUSE), a new one is picked, a bounded number of times.
   */
  private async startLaunched(target: Target, request: ServerRequest, launch: Launch): Promise<RunningServer> {
    const notes: string[] = [];
    for (let attempt = 1; ; attempt++) {
      const port = request.port === 0 ? await freePort(request.host, protocolOf(request.service)) : request.port;
      const rendered = renderLaunch(target, request.service, launch, { host: request.host, port, backlog: request.backlog, root: request.root });
      const child = spawn(...underLimits(request.limits, rendered.program, rendered.args), {
        cwd: rendered.cwd,
        env: { ...ownedEnvironment(), ...rendered.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        // A group of its own, so that freezing and stopping reach every process the program forks.
        detached: true,
      });
      const server = this.track(new ProcessServer(target, request, child, { stopSignal: launch.stopSignal, stopGraceMs: launch.stopGraceMs, group: true, startNotes: notes, ...(rendered.log ? { logFile: rendered.log } : {}) }));
      try {
        return await this.untrackedOnFailure(server, launch.ready === 'line' ? server.ready(this.startTimeoutMs) : server.readyWhenListening(this.startTimeoutMs, port));
      } catch (error) {
        const raced = request.port === 0 && error instanceof ServerStartError && /address already in use|EADDRINUSE/i.test(error.stderrTail);
        if (!raced || attempt >= BIND_RACE_ATTEMPTS) throw error;
        notes.push(`port ${port} was taken before ${target.manifest.name} bound it (attempt ${attempt} of ${BIND_RACE_ATTEMPTS}); starting again on another free port`);
      }
    }
  }
}

/** The program and arguments to spawn so that the server runs under `limits`: through prlimit, which execs it. */
function underLimits(limits: ServerLimits | undefined, program: string, args: string[]): [string, string[]] {
  if (!limits) return [program, args];
  return ['prlimit', [`--nofile=${limits.openFiles}:${limits.openFiles}`, '--', program, ...args]];
}

function inPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((folder) => {
    try {
      accessSync(join(folder, program), fsConstants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

class ProcessServer implements RunningServer {
  readonly host: string;
  readonly service: Service;
  port = 0;
  exit: ServerExit | undefined;
  readonly exited: Promise<ServerExit>;
  private stderr = '';
  private stdout = '';
  private readonly stdoutEnded: Promise<void>;
  private readonly forgetCleanup: () => void;
  /** Its port, held by the harness on addresses it was not told to listen on. */
  readonly portHolds: PortHold[] = [];

  constructor(
    private readonly target: Target,
    private readonly request: ServerRequest,
    private readonly child: ChildProcess,
    private readonly options: ProcessServerOptions = CONTRACT_SERVER,
  ) {
    this.host = clientAddress(request.host);
    this.service = request.service;
    // Also after its exit: a process it forked may still run.
    this.forgetCleanup = onCleanup(() => this.endProcessGroup());
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-STDERR_TAIL_BYTES);
    });
    child.stdout!.on('data', (chunk: Buffer) => (this.stdout = keepStdout(this.stdout, chunk)));
    this.stdoutEnded = new Promise((resolveEnd) => child.stdout!.once('close', resolveEnd));
    this.exited = new Promise((resolveExit) => {
      const finish = (exit: ServerExit): void => {
        this.exit ??= exit;
        resolveExit(this.exit);
      };
      child.on('exit', (code, signal) => finish({ code, signal }));
      // A program that cannot be executed at all never emits 'exit'.
      child.on('error', () => {
        if (child.pid === undefined) finish({ code: null, signal: null });
      });
    });
  }

  endpointFor(family: AddressFamily): { host: string; port: number } {
    return loopbackEndpoint(family, this.port);
  }

  get serverPort(): number {
    return this.port;
  }

  get startNotes(): string[] {
    return this.options.startNotes;
  }

  /** Kills every process still in the server's group (it leads one of its own), the server included. */
  endProcessGroup(): void {
    this.forgetCleanup();
    this.signalGroup('SIGKILL');
  }

  /** Signals the server, or, where its signals go to its group (a launched program), every process in it. */
  private signal(signal: NodeJS.Signals): void {
    if (this.options.group) return this.signalGroup(signal);
    try {
      this.child.kill(signal);
    } catch {
      // Already gone.
    }
  }

  /** Signals every process in the server's group (every server leads one of its own). */
  private signalGroup(signal: NodeJS.Signals): void {
    try {
      if (this.child.pid !== undefined) process.kill(-this.child.pid, signal);
    } catch {
      // The group is empty: the server and all it started are gone.
    }
  }

  // Control reads the server's state from Linux's /proc.
  readonly control: ServerControl | undefined =
    process.platform === 'linux'
      ? new ProcControl(() => (this.exit === undefined ? this.child.pid : undefined), {
          freeze: () => this.signalAndAwaitState('SIGSTOP', (state) => state === 'T', 'stopped (T)'),
          thaw: () => this.signalAndAwaitState('SIGCONT', (state) => state !== 'T', 'running again'),
        })
      : undefined;

  ready(unscaledTimeoutMs: number): Promise<RunningServer> {
    const timeoutMs = scaled(unscaledTimeoutMs);
    const what = `${this.target.manifest.name} ${this.service}`;
    return new Promise((resolveReady, rejectReady) => {
      const lines = createInterface({ input: this.child.stdout! });
      let settled = false;
      const fail = (reason: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        lines.close();
        if (this.exit === undefined) this.signal('SIGKILL');
        // Wait for the exit so the stderr tail is complete and nothing is left running.
        void this.exited.then(() => rejectReady(new ServerStartError(what, reason, this.exit, this.stderrTail())));
      };
      const timer = setTimeout(() => fail(`did not print "LISTENING <port>" within ${timeoutMs} ms`), timeoutMs);
      const onError = (error: Error): void => fail(`could not be started: ${error.message}`);
      const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null): void =>
        fail(`exited (${describeExit({ code, signal })}) before printing "LISTENING <port>"`);
      this.child.on('error', onError);
      this.child.on('exit', onEarlyExit);
      lines.once('line', (line) => {
        const match = LISTENING_LINE.exec(line);
        if (!match) return fail(`printed ${JSON.stringify(line.slice(0, 80))} instead of "LISTENING <port>"`);
        // A restart on the same port would otherwise pass on a fresh one: the explicit --port is the contract's.
        if (this.request.port !== 0 && Number(match[1]) !== this.request.port) return fail(`printed "LISTENING ${match[1]}", but it was told --port ${this.request.port}`);
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.child.off('error', onError);
        this.child.off('exit', onEarlyExit);
        // Keep draining (and keeping the start of) stdout, so the server never blocks on a full pipe.
        this.child.stdout!.resume();
        this.port = Number(match[1]);
        resolveReady(this);
      });
    });
  }

  /**
   * For a program that prints nothing when it is ready: waits until the kernel shows one of
   * its processes holding a socket bound where it was told to listen (never a connect
   * probe, which an iterative or one-shot server would count as a client).
   */
  async readyWhenListening(unscaledTimeoutMs: number, port: number): Promise<RunningServer> {
    const what = `${this.target.manifest.name} ${this.service}`;
    const expected = { host: this.request.host, port, service: this.service };
    try {
      await awaitListening(this.child.pid!, () => this.exit !== undefined, expected, unscaledTimeoutMs);
    } catch (error) {
      this.signal('SIGKILL');
      await this.exited;
      throw new ServerStartError(what, `never listened: ${(error as Error).message}`, undefined, this.stderrTail());
    }
    if (this.exit !== undefined) {
      // Waited for so that stderr is complete.
      await this.exited;
      this.signal('SIGKILL');
      throw new ServerStartError(what, exitedBeforeListening(this.exit, expected), this.exit, this.stderrTail());
    }
    this.child.stdout!.resume();
    this.port = port;
    return this;
  }

  stderrTail(): string {
    return outputTail(this.stderr, this.options.logFile);
  }

  async standardOutput(): Promise<string> {
    // What a server wrote just before it exited can arrive after the exit is reported; a process it forked may hold the pipe open, though.
    if (this.exit !== undefined) await withTimeout(this.stdoutEnded, STOP_GRACE_MS, "the server's stdout to end after its exit").catch(() => undefined);
    return this.stdout;
  }

  private async signalAndAwaitState(signal: NodeJS.Signals, reached: (state: string) => boolean, what: string): Promise<void> {
    const pid = this.child.pid!;
    // Freezing the server freezes every process it forked (its group), and every one must have reached the state.
    const members = processTree(pid);
    // A group already gone with the server is reported by the wait below.
    this.signalGroup(signal);
    await pollUntil(
      () => {
        const state = processState(pid);
        if (state === undefined || state === 'Z') throw new Error(`the server exited while waiting for it to be ${what}`);
        // Every thread, not just each process's first: a thread not yet stopped may still finish a read.
        return members.every((member) => threadStates(member).every(reached)) ? true : undefined;
      },
      FREEZE_TIMEOUT_MS,
      `the server process to be ${what} after ${signal}`,
    );
  }

  async stop(): Promise<StopResult> {
    if (this.exit !== undefined) return { ...this.exit, stoppedInTime: false };
    // A frozen server cannot act on SIGTERM; let it run so it can exit as the contract asks.
    if (this.child.pid !== undefined && processState(this.child.pid) === 'T') this.signal('SIGCONT');
    // The stop signal goes to the program itself, which stops its own workers as it does in production.
    this.child.kill(this.options.stopSignal);
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      this.exited.then(() => true),
      new Promise<false>((resolveLate) => (timer = setTimeout(() => resolveLate(false), this.options.stopGraceMs))),
    ]);
    clearTimeout(timer);
    if (!inTime) this.signal('SIGKILL');
    const exit = await this.exited;
    // Nothing a launched program forked outlives its stop; a contract server's group is ended with the scenario.
    if (this.options.group) this.endProcessGroup();
    return { ...exit, stoppedInTime: inTime };
  }
}
