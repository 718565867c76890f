import { isIP } from 'node:net';
import type { Manifest, Service, Target } from '../contract/manifest';
import { SERVICES } from '../contract/manifest';
import { HarnessError } from '../errors';
import { loopbackEndpoint, type AddressFamily, type ClientExit, type RunningServer, type Runtime, type ServerExit, type ServerRequest, type StopResult } from './runtime';

export type Endpoints = Partial<Record<Service, { host: string; port: number }>>;

/**
 * Parses `NAME=SERVICE@HOST:PORT[,SERVICE@HOST:PORT...]` (IPv6 hosts in brackets),
 * the address of each service of a server that is already running. Only loopback
 * addresses are accepted unless `allowRemote` is set: sockspec sends traffic
 * nowhere else by default.
 */
export function parseExternalTarget(spec: string, allowRemote: boolean): { name: string; endpoints: Endpoints } {
  const usage = `--target ${spec}: an external target is NAME=SERVICE@HOST:PORT[,SERVICE@HOST:PORT...], e.g. cpp=echo@127.0.0.1:7101,udp-echo@127.0.0.1:7104`;
  const [name, addresses] = spec.split(/=(.*)/s);
  if (!name || !addresses) throw new HarnessError(usage);
  const endpoints: Endpoints = {};
  for (const entry of addresses.split(',')) {
    const match = /^([a-z-]+)@(\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d{1,5})$/.exec(entry.trim());
    if (!match) throw new HarnessError(`${usage} ("${entry}" does not fit)`);
    const service = match[1] as Service;
    if (!SERVICES.includes(service)) throw new HarnessError(`--target ${spec}: unknown service "${match[1]}" (known: ${SERVICES.join(', ')})`);
    const host = match[2].replace(/^\[|\]$/g, '');
    const port = Number(match[3]);
    if (!isIP(host) || port < 1 || port > 65535) throw new HarnessError(`--target ${spec}: "${entry}" is not a numeric address and port`);
    if (!allowRemote && !isLoopback(host)) {
      throw new HarnessError(`--target ${spec}: ${host} is not a loopback address; pass --allow-remote to test a server elsewhere`);
    }
    endpoints[service] = { host, port };
  }
  return { name, endpoints };
}

export function isLoopback(host: string): boolean {
  return host === '::1' || host.startsWith('127.');
}

/** The target as the rest of the harness sees it: a name and the services it offers. */
export function externalTarget(name: string, endpoints: Endpoints, profile?: 'sockspec'): Target {
  const services = SERVICES.filter((service) => endpoints[service] !== undefined);
  const described = services.map((service) => `${service} at ${endpoints[service]!.host}:${endpoints[service]!.port}`).join(', ');
  const manifest: Manifest = { name, language: 'unknown', description: `already running: ${described}`, server: ['(external)'], services, ...(profile ? { profile } : {}) };
  return { dir: `external:${name}`, manifestPath: `--target ${name}`, manifest };
}

/**
 * Servers that are already running (e.g. brought up by docker compose): the harness
 * only talks to them. Scenarios that must start, stop, freeze or look inside a
 * server are reported not runnable ("needs server control").
 */
export class ExternalRuntime implements Runtime {
  readonly name = 'external';
  readonly platform = 'unknown';
  readonly serverControl = false;
  readonly namespaceSysctls = false;
  readonly resourceLimits = false;
  readonly startsAhead = false;
  readonly ipv6 = false;
  // Whoever started the server chose its address.
  readonly listensOnGivenHost = false;

  constructor(private readonly endpoints: Endpoints) {}

  async pathProblem(): Promise<string | undefined> {
    return undefined;
  }

  clientProblem(): string | undefined {
    return 'the external runtime only reaches servers at their addresses; it runs no program of the target';
  }

  runClient(): Promise<ClientExit> {
    return Promise.reject(new Error(this.clientProblem()));
  }

  async start(target: Target, request: ServerRequest): Promise<RunningServer> {
    const endpoint = this.endpoints[request.service];
    if (!endpoint) throw new Error(`${target.manifest.name} has no address for the ${request.service} service`);
    return new ExternalServer(request.service, endpoint.host, endpoint.port);
  }

  async release(): Promise<void> {}

  async finish(): Promise<void> {}
}

class ExternalServer implements RunningServer {
  readonly serverPort: number;
  readonly exit: ServerExit | undefined = undefined;
  // The harness cannot see an external server exit.
  readonly exited = new Promise<ServerExit>(() => {});
  readonly control = undefined;

  constructor(
    readonly service: Service,
    readonly host: string,
    readonly port: number,
  ) {
    this.serverPort = port;
  }

  endpointFor(family: AddressFamily): { host: string; port: number } {
    return loopbackEndpoint(family, this.port);
  }

  stderrTail(): string {
    return '';
  }

  async standardOutput(): Promise<string> {
    throw new Error("the external runtime does not see the server's output (scenarios that read it need @server-control)");
  }

  async stop(): Promise<StopResult> {
    return { code: null, signal: null, stoppedInTime: false };
  }
}
