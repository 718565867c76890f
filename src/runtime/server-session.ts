import type { Target } from '../contract/manifest';
import { pollUntil } from '../driver/wait';
import { describeServerExit } from '../services/liveness';
import { describeExit, type RunningServer, type Runtime, type ServerRequest, type StopResult } from './runtime';

/**
 * Where a server is in its life. "crashed" is an exit nobody asked for; "stopped"
 * follows a stop, whoever asked (`stoppedBy` says who).
 */
export type ServerState = 'running' | 'frozen' | 'stopping' | 'stopped' | 'crashed';

/** Whose stop it was: a scenario's (its behaviour is what is tested) or the harness's (the end of the server's use). */
export type StopCause = 'scenario' | 'harness';

/** How long a kept server may take to close the connections of the scenario that ended before it is judged not idle. */
const IDLE_BOUND_MS = 1000;

/** One started server and everything that happens to it, from its start to its exit. */
export class SessionServer {
  private phase: 'running' | 'frozen' | 'stopping' | 'stopped' = 'running';
  private stopping: Promise<StopResult> | undefined;
  stoppedBy: StopCause | undefined;
  /** The scenarios it has served so far, the current one included. */
  scenariosServed = 1;

  constructor(
    readonly running: RunningServer,
    /** The options a later scenario must ask for to be given this server; undefined when it serves one scenario only. */
    readonly reuseKey: string | undefined,
    /** Its open descriptors before any client came, where the runtime can count them. */
    readonly idleDescriptors: number | undefined,
  ) {}

  get state(): ServerState {
    if (this.running.exit && this.phase !== 'stopping' && this.phase !== 'stopped') return 'crashed';
    return this.phase;
  }

  /** The port it listens on in its own network namespace. */
  get listenPort(): number {
    return this.running.serverPort;
  }

  /** Where clients reach it: behind a port mapping, another port than `listenPort`. */
  get endpoint(): { host: string; port: number } {
    return { host: this.running.host, port: this.running.port };
  }

  stderrTail(): string {
    return this.running.stderrTail();
  }

  async freeze(): Promise<void> {
    await this.controlOrThrow().freeze();
    this.phase = 'frozen';
  }

  async thaw(): Promise<void> {
    await this.controlOrThrow().thaw();
    this.phase = 'running';
  }

  /** Stops it once; a second call waits for the first stop. */
  stop(cause: StopCause): Promise<StopResult> {
    if (!this.stopping) {
      this.stoppedBy = cause;
      this.phase = 'stopping';
      this.stopping = this.running.stop().finally(() => (this.phase = 'stopped'));
    }
    return this.stopping;
  }

  private controlOrThrow(): NonNullable<RunningServer['control']> {
    if (!this.running.control) throw new Error('the runtime gives no control over the server');
    return this.running.control;
  }
}

/**
 * The servers of one worker, across its scenarios. A scenario asks for a server with
 * given options; one that an earlier scenario left running with the same options,
 * idle and checked, is given again, and a new one is started otherwise. A server is
 * kept only after its scenario passed its end-of-scenario checks and it has closed
 * every connection of that scenario, so a later scenario meets what a fresh server
 * would show it; anything else ends it, and its failures are its scenario's.
 */
export class ServerSession {
  /** Idle servers between scenarios, by their options. */
  private readonly kept = new Map<string, SessionServer>();
  /** The servers the current scenario was given, in order. */
  private scenarioServers: SessionServer[] = [];
  /**
   * Servers started ahead, by their options, for the next scenario that needs a fresh
   * one (it stops, freezes or restarts it): started while a scenario runs, so that the
   * next does not wait for a start. None has served a scenario; each is a fresh server.
   */
  private readonly spares = new Map<string, Promise<SessionServer | Error>>();

  constructor(
    private readonly runtime: Runtime,
    private readonly target: Target,
    /** False with --fresh-servers: every scenario starts servers of its own. */
    private readonly reuse: boolean,
  ) {}

  /**
   * A server for the current scenario: a kept one with the same options unless the
   * scenario needs a fresh one (it stops, freezes or restarts it), else a new one.
   */
  async serverFor(request: ServerRequest, needsFresh: boolean, note: (line: string) => void): Promise<SessionServer> {
    const key = this.reuse && !needsFresh ? reuseKeyOf(request) : undefined;
    const kept = key ? this.kept.get(key) : undefined;
    if (key && kept) {
      this.kept.delete(key);
      if (!kept.running.exit) {
        kept.scenariosServed++;
        this.scenarioServers.push(kept);
        note(`server kept from an earlier scenario with the same options (scenario ${kept.scenariosServed} it serves)`);
        return kept;
      }
      // It passed its last scenario's checks and nothing has run since: say so, and start another.
      note(`the server kept from an earlier scenario had exited meanwhile (${describeExit(kept.running.exit)}); a new one is started`);
      await this.end(kept);
    }
    const server = needsFresh ? await this.spareOrNew(request) : await this.startNew(request, key);
    this.scenarioServers.push(server);
    return server;
  }

  private async startNew(request: ServerRequest, key: string | undefined): Promise<SessionServer> {
    const running = await this.runtime.start(this.target, request);
    return new SessionServer(running, key, running.control?.descriptorCount());
  }

  /**
   * A fresh server for a scenario that will not let it serve another: the spare
   * started ahead for these options, if there is one, and the next spare starts now.
   */
  private async spareOrNew(request: ServerRequest): Promise<SessionServer> {
    const key = this.reuse && this.runtime.startsAhead ? reuseKeyOf(request) : undefined;
    if (!key) return this.startNew(request, undefined);
    const spare = await this.spares.get(key);
    this.spares.set(key, this.startNew(request, undefined).catch((error: Error) => error));
    // A spare that failed to start is no reason to fail: start one now, and fail with its error if that fails too.
    if (spare instanceof SessionServer && !spare.running.exit) return spare;
    if (spare instanceof SessionServer) await this.end(spare);
    return this.startNew(request, undefined);
  }

  /**
   * Ends the current scenario's use of `server`, which passed the end-of-scenario
   * checks: keeps it for a later scenario when it may serve one and has closed the
   * scenario's connections, and stops it otherwise. A stop must meet the contract:
   * it throws when it does not.
   */
  async keepOrStop(server: SessionServer, note: (line: string) => void): Promise<void> {
    if (server.reuseKey && server.state === 'running' && !this.kept.has(server.reuseKey)) {
      const idle = await idleAgain(server);
      if (idle === true) {
        this.kept.set(server.reuseKey, server);
        note('server kept for a later scenario with the same options: it is idle again');
        return;
      }
      note(`server not kept: ${idle}`);
    }
    const problem = await this.stopChecked(server, note);
    if (problem) throw new Error(problem);
  }

  /** Stops every server of the scenario that was not kept (no check: its scenario failed, or stopped it on purpose), and releases it. */
  async endScenario(): Promise<void> {
    const kept = new Set(this.kept.values());
    const ended = this.scenarioServers.filter((server) => !kept.has(server));
    this.scenarioServers = [];
    await Promise.all(ended.map((server) => this.end(server)));
  }

  /**
   * A server only the current scenario may use, whatever its options (e.g. a second
   * server on the port of the first, which must fail to start); ended with the scenario.
   */
  async startUnshared(request: ServerRequest): Promise<RunningServer> {
    const server = await this.startNew(request, undefined);
    this.scenarioServers.push(server);
    return server.running;
  }

  private async end(server: SessionServer): Promise<void> {
    await server.stop('harness');
    await this.runtime.release(server.running);
  }

  /** Stops the kept servers, the last use of each; the stop of each must meet the contract. */
  async finish(): Promise<string[]> {
    const servers = [...this.kept.values()];
    this.kept.clear();
    const spares = await Promise.all(this.spares.values());
    this.spares.clear();
    // Never used: nothing to judge in how they stop.
    await Promise.all(spares.map((spare) => (spare instanceof SessionServer ? this.end(spare) : undefined)));
    const problems = await Promise.all(servers.map((server) => this.stopChecked(server, () => undefined)));
    await Promise.all(servers.map((server) => this.runtime.release(server.running)));
    return problems.filter((problem): problem is string => problem !== undefined);
  }

  /**
   * Stops a server at the end of its use. Exit code 0 within 2 s of SIGTERM is
   * sockspec's profile: a program outside it is only described, never failed, for
   * how it stops; and only a server the harness started can be asked to stop.
   */
  private async stopChecked(server: SessionServer, note: (line: string) => void): Promise<string | undefined> {
    const stop = await server.stop('harness');
    note(`server asked to stop: ${describeExit(stop)}${stop.stoppedInTime ? '' : ' (killed: it was still running after its grace period)'}`);
    if (!this.runtime.serverControl || this.target.manifest.profile !== 'sockspec' || (stop.stoppedInTime && stop.code === 0)) return undefined;
    return `on SIGTERM the server must exit with code 0 within 2 s, but it ${stop.stoppedInTime ? describeServerExit(server.running) : 'was still running after 2 s'}`;
  }
}

/** The options that identify a server a later scenario may be given; undefined for a server only its own scenario may use. */
export function reuseKeyOf(request: ServerRequest): string | undefined {
  // A fixed port, a namespace of another server's, sysctls, limits or a reordered command line belong to one scenario's purpose.
  if (request.port !== 0 || request.alongside || request.sysctls || request.limits || request.optionOrder) return undefined;
  return `${request.service} ${request.host} ${request.backlog}`;
}

/** True once the server holds no more descriptors than before its first client; otherwise why it is not idle. */
async function idleAgain(server: SessionServer): Promise<true | string> {
  const control = server.running.control;
  if (!control || server.idleDescriptors === undefined) return 'the runtime cannot count its descriptors';
  const idle = server.idleDescriptors;
  let held: number | undefined;
  try {
    await pollUntil(() => ((held = control.descriptorCount()) !== undefined && held <= idle ? true : undefined), IDLE_BOUND_MS, 'its descriptors', 5, false);
    return true;
  } catch {
    return `it still holds ${held ?? 'no'} descriptors ${IDLE_BOUND_MS} ms after the scenario's clients closed, ${idle} before its first client`;
  }
}
