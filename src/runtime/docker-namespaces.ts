import type Dockerode from 'dockerode';
import type { StartedTestContainer, WaitStrategy } from 'testcontainers';
import { ownedLabels } from './container-owners';
import type { Ipv6NetworkInfo } from './docker-ipv6-network';
import { pollUntil } from '../driver/wait';
import { ipv6AddressState } from '../kernel/ipv6';
import { CONTAINER_PORT, TargetContainer, awaitPendingRemovals, dockerContainer, removeContainer, removeInBackground } from './docker-container';
import type { RunningServer } from './runtime';

/** A namespace holder: an idle container that owns the network namespace, the port mappings and the sysctls. */
export interface Namespace {
  holder: StartedTestContainer;
  tcpPort: number;
  udpPort: number;
  /** The holder's address on the IPv6 network, for a namespace made on one: IPv6 clients connect to it directly. */
  ipv6Address?: string;
}

/**
 * The network namespaces servers run in, one per server (and the servers started
 * alongside it), each held by an idle container. A namespace without sysctls is
 * started ahead, while the scenario before runs; each is removed once its servers
 * are released.
 */
export class NamespacePool {
  private readonly byServer = new Map<RunningServer, Namespace>();
  /** A namespace started ahead for the next scenario: a holder's start would otherwise be waited for in every one. */
  private spare: { image: string; namespace: Promise<Namespace> } | undefined;

  /** The namespace a server starts in: `alongside`'s, or a fresh one, on the IPv6 network when one is named. */
  async forServer(image: string, sysctls: Record<string, string> | undefined, alongside: RunningServer | undefined, ipv6Network?: Ipv6NetworkInfo): Promise<Namespace> {
    if (alongside) {
      const shared = this.byServer.get(alongside);
      if (!shared) throw new Error('the server to start alongside was not started by the docker runtime');
      return shared;
    }
    // IPv6 servers are few: theirs is made when asked for, not ahead.
    return ipv6Network ? createNamespace(image, sysctls, ipv6Network) : this.fresh(image, sysctls);
  }

  /** Remembers which namespace a started server is in, for the servers started alongside it. */
  holds(server: RunningServer, namespace: Namespace): void {
    this.byServer.set(server, namespace);
  }

  /** Forgets a stopped server; its namespace is removed, in the background, once no server is in it. */
  release(server: RunningServer): void {
    const namespace = this.byServer.get(server);
    if (!namespace) return;
    this.byServer.delete(server);
    this.releaseUnlessShared(namespace);
  }

  /** Removes a namespace no server is in (e.g. that of a server that failed to start), in the background. */
  releaseUnlessShared(namespace: Namespace): void {
    if (![...this.byServer.values()].includes(namespace)) removeInBackground(namespace.holder);
  }

  /** Removes what is left, waits for the background removals, and removes the spare: a container still being created when the process exits would outlive it. */
  async finish(): Promise<void> {
    for (const server of [...this.byServer.keys()]) this.release(server);
    const spare = this.spare;
    this.spare = undefined;
    const unused = await spare?.namespace.catch(() => undefined);
    if (unused) await removeContainer(unused.holder);
    await awaitPendingRemovals();
  }

  /**
   * A namespace no scenario has used. Without sysctls it is the spare started
   * ahead, and the next spare starts now, while this scenario runs; a namespace
   * with sysctls is made for its scenario, since they are set when it is created.
   */
  private async fresh(image: string, sysctls: Record<string, string> | undefined): Promise<Namespace> {
    if (sysctls) return createNamespace(image, sysctls);
    const spare = this.spare?.image === image ? this.spare.namespace : undefined;
    // A spare of another target's image would serve no one: it goes.
    if (this.spare && !spare) void this.spare.namespace.then((unused) => removeInBackground(unused.holder), () => undefined);
    const next = createNamespace(image, undefined);
    next.catch(() => undefined);
    this.spare = { image, namespace: next };
    // A spare that failed to start is no reason to fail: make one now, and fail with its error if it fails too.
    return spare ? spare.catch(() => createNamespace(image, undefined)) : createNamespace(image, undefined);
  }
}

/** Starts a namespace holder of `image`, with the container port mapped for TCP and UDP; on `ipv6Network`, if named. */
export async function createNamespace(image: string, sysctls: Record<string, string> | undefined, ipv6Network?: Ipv6NetworkInfo): Promise<Namespace> {
  const container = new TargetContainer(image);
  if (ipv6Network) container.withNetworkMode(ipv6Network.name);
  const holder = await container
    .withSysctls(sysctls)
    .withEntrypoint(['sleep', 'infinity'])
    .withExposedPorts(`${CONTAINER_PORT}/tcp`, `${CONTAINER_PORT}/udp`)
    .withLabels(ownedLabels())
    .withWaitStrategy(new ContainerRunning())
    .start();
  // Read from Docker itself: testcontainers 11 keeps only one binding when a port is exposed for both protocols.
  const { Ports: ports, Networks: networks } = (await (await dockerContainer(holder.getId())).inspect()).NetworkSettings;
  const hostPort = (protocol: string): number => Number(ports[`${CONTAINER_PORT}/${protocol}`]?.[0]?.HostPort);
  const ipv6Address = ipv6Network ? networks[ipv6Network.name]?.GlobalIPv6Address : undefined;
  if (ipv6Network) {
    try {
      if (!ipv6Address) throw new Error(`the namespace holder on ${ipv6Network.name} got no IPv6 address`);
      await awaitGatewayUsable(ipv6Network.gateway);
    } catch (error) {
      await removeContainer(holder);
      throw error;
    }
  }
  return { holder, tcpPort: hostPort('tcp'), udpPort: hostPort('udp'), ...(ipv6Address ? { ipv6Address } : {}) };
}

/**
 * The bridge's address is tentative until the kernel's duplicate address detection,
 * which starts when the first container attaches, has run (about a second). Until then
 * the kernel sends from another address of this machine, which the namespace routes
 * elsewhere: the first SYN is lost and retransmitted a second later.
 */
async function awaitGatewayUsable(gateway: string): Promise<void> {
  let state = ipv6AddressState(gateway);
  await pollUntil(
    () => {
      state = ipv6AddressState(gateway);
      if (state === 'duplicate') throw new Error(`duplicate address detection failed for ${gateway}, the IPv6 network's address on this machine`);
      return state === 'usable' ? true : undefined;
    },
    5000,
    () => `duplicate address detection of ${gateway}, the IPv6 network's address on this machine (it is ${state})`,
    10,
  );
}

/**
 * Ready once Docker reports the container running: a holder serves by existing (its
 * network namespace is made before its process starts), and a command run inside it
 * to prove it alive costs an exec, about a third of a holder's start.
 */
class ContainerRunning implements WaitStrategy {
  async waitUntilReady(container: Dockerode.Container): Promise<void> {
    const { State } = await container.inspect();
    if (!State.Running) throw new Error(`the namespace holder is not running (${State.Status})`);
  }

  // Nothing is waited for beyond one inspect: there is no startup to time out.
  withStartupTimeout(): this {
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return false;
  }

  getStartupTimeout(): number {
    return 0;
  }
}
