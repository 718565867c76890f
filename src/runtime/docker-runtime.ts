import './testcontainers-settings';
import { onCleanup } from '../cleanup';
import { ownedLabels, removeAbandonedContainers, removeContainersOwnedBy } from './container-owners';
import type { Target } from '../contract/manifest';
import { runClientContainer } from './docker-client';
import { removeContainer } from './docker-container';
import { ensureImage } from './docker-images';
import { Ipv6Network, removeNetworksOwned } from './docker-ipv6-network';
import { NamespacePool, createNamespace } from './docker-namespaces';
import { startServerContainer } from './docker-server';
import { probeMappedPort } from './path-probe';
import type { ClientExit, ClientRequest, RunningServer, Runtime, ServerRequest } from './runtime';

export { SOCKSPEC_LABEL, removeAbandonedContainers } from './container-owners';
export { CONTAINER_PORT } from './docker-container';

/**
 * Runs each server in a container of its own target image, built once per content
 * hash. Every server gets a network namespace of its own, held by an idle
 * container (docker-namespaces.ts), unless it starts alongside another server, whose
 * namespace it joins (docker-server.ts),
 * so a restarted server meets the TIME_WAIT its predecessor left, a second server
 * meets the first one's listener, and sysctls such as tcp_abort_on_overflow apply
 * to the server alone. Clients run in one-shot containers (docker-client.ts).
 */
export class DockerRuntime implements Runtime {
  readonly name = 'docker';
  readonly platform = 'linux';
  readonly serverControl = true;
  readonly namespaceSysctls = true;
  readonly resourceLimits = true;
  readonly startsAhead = false;
  /** Known once `pathProblem` has run: whether Docker can make an IPv6 network for servers' namespaces. */
  get ipv6(): boolean {
    return this.ipv6Problem === null;
  }
  // Clients arrive through a port mapping, so the server listens on every address of its namespace.
  readonly listensOnGivenHost = false;
  private readonly namespaces = new NamespacePool();
  private readonly ipv6Network = new Ipv6Network();
  /** Why IPv6 clients cannot reach servers; null once it is known that they can. */
  private ipv6Problem: string | null | undefined;
  private pathVerdict: Promise<string | undefined> | undefined;

  constructor(private readonly log: (line: string) => void = () => {}) {
    removeAbandonedContainers();
    removeNetworksOwned();
    // Whatever happens to the run (an error, Ctrl-C), its containers and network go with it.
    onCleanup(() => {
      removeContainersOwnedBy(process.pid);
      removeNetworksOwned(process.pid);
    });
  }

  /**
   * A port mapped to a container where nothing listens must refuse. Docker's
   * userland proxy accepts the connection itself and closes it instead, which
   * would make every close, reset and backlog behaviour a property of the proxy.
   */
  pathProblem(target: Target): Promise<string | undefined> {
    this.pathVerdict ??= (async () => {
      this.ipv6Problem = (await this.ipv6Network.problem()) ?? null;
      const namespace = await createNamespace(await ensureImage(target, this.log, ownedLabels()), undefined);
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
    const ipv6Network = request.host.includes(':') ? await this.ipv6Network.network() : undefined;
    const namespace = await this.namespaces.forServer(image, request.sysctls, request.alongside, ipv6Network);
    try {
      const server = await startServerContainer(target, image, request, namespace);
      this.namespaces.holds(server, namespace);
      return server;
    } catch (error) {
      this.namespaces.releaseUnlessShared(namespace);
      throw error;
    }
  }

  clientProblem(target: Target): string | undefined {
    return target.manifest.docker?.client ? undefined : 'its manifest names no client inside the image ("docker": { "client": [...] })';
  }

  async runClient(target: Target, request: ClientRequest): Promise<ClientExit> {
    const argv = target.manifest.docker?.client;
    if (!argv) throw new Error(`target ${target.manifest.name}: ${this.clientProblem(target)}`);
    return runClientContainer(await ensureImage(target, this.log, ownedLabels()), argv, request);
  }

  async release(server: RunningServer): Promise<void> {
    this.namespaces.release(server);
  }

  async finish(): Promise<void> {
    await this.namespaces.finish();
    await this.ipv6Network.remove();
  }
}
