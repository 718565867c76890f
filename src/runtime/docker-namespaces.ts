import { Wait, type StartedTestContainer } from 'testcontainers';
import { ownedLabels } from './container-owners';
import { CONTAINER_PORT, TargetContainer, awaitPendingRemovals, dockerContainer, removeContainer, removeInBackground } from './docker-container';
import type { RunningServer } from './runtime';

/** A namespace holder: an idle container that owns the network namespace, the port mappings and the sysctls. */
export interface Namespace {
  holder: StartedTestContainer;
  tcpPort: number;
  udpPort: number;
}

/**
 * The network namespaces servers run in, one per scenario, each held by an idle
 * container. A namespace without sysctls is started ahead, while the scenario before
 * runs; every one is removed when its scenario ends.
 */
export class NamespacePool {
  private readonly byServer = new Map<RunningServer, Namespace>();
  private scenarioNamespaces: Namespace[] = [];
  /** A namespace started ahead for the next scenario: a holder's start would otherwise be waited for in every one. */
  private spare: { image: string; namespace: Promise<Namespace> } | undefined;

  /** The namespace a server starts in: `alongside`'s, or a fresh one for this scenario. */
  async forServer(image: string, sysctls: Record<string, string> | undefined, alongside: RunningServer | undefined): Promise<Namespace> {
    if (alongside) {
      const shared = this.byServer.get(alongside);
      if (!shared) throw new Error('the server to start alongside was not started by the docker runtime');
      return shared;
    }
    const namespace = await this.fresh(image, sysctls);
    this.scenarioNamespaces.push(namespace);
    return namespace;
  }

  /** Remembers which namespace a started server is in, for the servers started alongside it. */
  holds(server: RunningServer, namespace: Namespace): void {
    this.byServer.set(server, namespace);
  }

  /** Removes the namespaces of the scenario that just ended, in the background. */
  endScenario(): void {
    const namespaces = this.scenarioNamespaces;
    this.scenarioNamespaces = [];
    for (const [server, namespace] of this.byServer) if (namespaces.includes(namespace)) this.byServer.delete(server);
    for (const namespace of namespaces) removeInBackground(namespace.holder);
  }

  /** Waits for the background removals, and removes the spare: a container still being created when the process exits would outlive it. */
  async finish(): Promise<void> {
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

/** Starts a namespace holder of `image`, with the container port mapped for TCP and UDP. */
export async function createNamespace(image: string, sysctls: Record<string, string> | undefined): Promise<Namespace> {
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
