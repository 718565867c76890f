import { ipv6LoopbackConfigured } from '../kernel/ipv6';
import { isAbsolute, resolve } from 'node:path';
import type { Service, Target } from '../contract/manifest';
import type { TcpSocketEntry } from '../kernel/proc-net';
import type { ProcessUsage } from '../kernel/process-usage';
import type { BoundSocket } from '../kernel/process-sockets';

export type AddressFamily = 'IPv4' | 'IPv6';

/** The loopback address of each family: where a client on this machine reaches a server listening on it, or on the wildcard. */
export const LOOPBACK_BY_FAMILY: Record<AddressFamily, string> = { IPv4: '127.0.0.1', IPv6: '::1' };

/** Where a client reaches a server on this machine's loopback, by family: the same port on 127.0.0.1 and ::1. */
export function loopbackEndpoint(family: AddressFamily, port: number): { host: string; port: number } {
  return { host: LOOPBACK_BY_FAMILY[family], port };
}

export interface ServerRequest {
  service: Service;
  host: string;
  /** 0 lets the kernel pick. */
  port: number;
  backlog: number;
  /** Folder the file and http services serve from. */
  root?: string;
  /** Start in the network namespace of this server (a restart, a second listener) instead of a fresh one. */
  alongside?: RunningServer;
  /** Network sysctls for the server's own namespace; only runtimes with `namespaceSysctls` accept them. */
  sysctls?: Record<string, string>;
  /** Resource limits the server starts under; only runtimes with `resourceLimits` accept them. */
  limits?: ServerLimits;
  /** The order of the options after the service on the contract's command line; the contract lets a server take them in any. */
  optionOrder?: 'as documented' | 'reversed';
}

export interface ServerLimits {
  /** RLIMIT_NOFILE, soft and hard: how many descriptors the server (each of its processes) may hold open. */
  openFiles: number;
}

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StopResult extends ServerExit {
  /** True when the server exited by itself within the contract's 2 s of SIGTERM. */
  stoppedInTime: boolean;
}

/** A target server the harness started and controls. */
export interface RunningServer {
  /** Where clients connect: address and port as the harness reaches them. */
  readonly host: string;
  readonly port: number;
  /** Where a client of this address family connects to reach the server (loopback, or the server's namespace); undefined where none can. */
  endpointFor(family: AddressFamily): { host: string; port: number } | undefined;
  /** The port the server listens on inside its own network namespace (differs behind a port mapping). */
  readonly serverPort: number;
  readonly service: Service;
  /** Set once the server has exited, for whatever reason. */
  readonly exit: ServerExit | undefined;
  /** Resolves when the server exits. */
  readonly exited: Promise<ServerExit>;
  /** The last lines the server wrote to stderr, for error messages. */
  stderrTail(): string;
  /**
   * What the server wrote on stdout, LISTENING line included (its first 64 KiB); once it
   * has exited, all of it, as the output stream ended.
   */
  standardOutput(): Promise<string>;
  /** What happened while it was started (e.g. a port taken before it bound it), for the transcript. */
  readonly startNotes?: string[];
  /** How the harness reaches into the server's process and kernel; undefined where the runtime cannot. */
  readonly control: ServerControl | undefined;
  stop(): Promise<StopResult>;
}

/** What the harness can see and do inside a running server, beyond talking to it. */
export interface ServerControl {
  /** Stops the server from running (it accepts and reads nothing) without closing anything. */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /** Open descriptors of the server's process; undefined once it has died. */
  descriptorCount(): number | undefined;
  /** TCP sockets in the server's network namespace; with `port`, only those with it at either end (much cheaper). */
  tcpSockets(port?: number): TcpSocketEntry[];
  /**
   * The listening TCP and bound UDP sockets the server and the processes it forked hold:
   * in a namespace shared with other programs, theirs are not among them.
   */
  boundSockets(): BoundSocket[];
  /** A kernel counter of the server's network namespace, e.g. "TcpExt.ListenOverflows". */
  netCounter(name: string): number;
  /** CPU time and resident memory of the server and every process it forked; undefined once it has died. */
  usage(): ProcessUsage | undefined;
  /** The state letter of every thread of the server and the processes it forked (S sleeping, R running...). */
  threadStates(): string[];
}

/** One run of a target's client program. */
export interface ClientRequest {
  /** Appended to the client's argv. */
  args: string[];
  /** A folder the client writes into: the same path inside a container. */
  outDir: string;
  /** The client is killed if it is still running after this long. */
  killAfterMs: number;
}

export interface ClientExit extends ServerExit {
  /** What the client wrote on stderr (on the docker runtime: stdout and stderr). */
  output: string;
  /** True when the harness killed it after `killAfterMs`. */
  killed: boolean;
}

export interface Runtime {
  readonly name: string;
  /** The kernel the servers run on: "linux", "bsd" or "windows". */
  readonly platform: string;
  /** Whether started servers come with a `control` (freeze, kernel counters, descriptors). */
  readonly serverControl: boolean;
  /** Whether `ServerRequest.sysctls` can be honoured (the server gets a network namespace of its own). */
  readonly namespaceSysctls: boolean;
  /** Whether `ServerRequest.limits` can be honoured (the server is started under the resource limits it is given). */
  readonly resourceLimits: boolean;
  /**
   * Whether a fresh server is worth starting ahead, while a scenario runs, for the next
   * scenario that needs one. Measured (docs/performance.md): yes for processes, whose
   * starts run beside a scenario; no on docker, where a start ahead competes with the
   * scenario's own container operations and made a run slower.
   */
  readonly startsAhead: boolean;
  /** Whether clients can reach servers over IPv6. */
  readonly ipv6: boolean;
  /** Whether a server is told the --host a scenario chose (docker passes its namespace's wildcard address instead). */
  readonly listensOnGivenHost: boolean;
  /** Undefined when TCP between client and server is end to end; otherwise why it is not (e.g. a userland proxy). */
  pathProblem(target: Target): Promise<string | undefined>;
  start(target: Target, request: ServerRequest): Promise<RunningServer>;
  /** Why this runtime cannot run the target's client, if it cannot (the target has one). */
  clientProblem(target: Target): string | undefined;
  /** Runs the target's client to its end; clients reach servers on the harness's loopback. */
  runClient(target: Target, request: ClientRequest): Promise<ClientExit>;
  /**
   * Releases what the runtime holds for a server that has stopped: the processes it
   * forked, its network namespace once no other server shares it. A start that fails
   * releases what it made itself.
   */
  release(server: RunningServer): Promise<void>;
  /** Releases whatever it still holds (servers not released, a namespace started ahead), once a target's scenarios have run. */
  finish(): Promise<void>;
}

/** A program named in a manifest: relative paths are relative to the target folder, bare names are looked up in PATH. */
export function resolveProgram(target: Target, program: string): string {
  return isAbsolute(program) || !program.includes('/') ? program : resolve(target.dir, program);
}

/**
 * Where a client connects to reach a server listening on `host`: a wildcard address
 * means loopback. Where the machine has no IPv6 loopback (a container with IPv6 off),
 * a dual-stack listener on "::" is reached over IPv4.
 */
export function clientAddress(host: string, ipv6Loopback = ipv6LoopbackConfigured()): string {
  if (host === '::') return ipv6Loopback ? '::1' : '127.0.0.1';
  if (host === '0.0.0.0') return '127.0.0.1';
  return host;
}

export function platformOf(nodePlatform: NodeJS.Platform): string {
  if (nodePlatform === 'win32') return 'windows';
  if (nodePlatform === 'darwin' || nodePlatform.endsWith('bsd')) return 'bsd';
  return nodePlatform;
}

export function describeExit(exit: ServerExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}
