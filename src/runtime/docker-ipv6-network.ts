import { execFileSync } from 'node:child_process';
import { getContainerRuntimeClient } from 'testcontainers';
import { OWNER_LABEL, SOCKSPEC_LABEL, ownedLabels } from './container-owners';
import { processAlive } from '../ownership';

/**
 * A Docker network with IPv6, for servers that IPv6 clients must reach. Its holders
 * get an address in a unique-local /64 on a bridge of this machine, which the harness
 * connects to directly: IPv6 from the harness's own socket to the server's namespace,
 * with nothing in between (IPv4 goes through a port mapping on 127.0.0.1, which for
 * ::1 only Docker's userland proxy could serve). One per sockspec process, removed
 * with it; the subnet is made of the process's pid, so concurrent runs never collide.
 */
/** A network made: its name, and its gateway, the address this machine has on its bridge. */
export interface Ipv6NetworkInfo {
  name: string;
  gateway: string;
}

export class Ipv6Network {
  private created: Promise<Ipv6NetworkInfo> | undefined;

  /** The network once Docker has made it; rejects with Docker's reason where it cannot. */
  network(): Promise<Ipv6NetworkInfo> {
    this.created ??= createIpv6Network();
    return this.created;
  }

  /** Whether Docker can make one here; the reason where it cannot. */
  async problem(): Promise<string | undefined> {
    try {
      await this.network();
      return undefined;
    } catch (error) {
      return `Docker could not make an IPv6 network: ${(error as Error).message.split('\n')[0]}`;
    }
  }

  /** Removes it; its holders must be gone first. */
  async remove(): Promise<void> {
    const created = this.created;
    this.created = undefined;
    const made = await created?.catch(() => undefined);
    if (made) removeNetworks([made.name]);
  }
}

async function createIpv6Network(): Promise<Ipv6NetworkInfo> {
  const name = `sockspec-ipv6-${process.pid}`;
  const { pid } = process;
  // fd00::/8 is for local use (RFC 4193); the pid (at most 22 bits) fills two groups.
  const prefix = `fd5e:c5ec:${(pid >>> 16).toString(16)}:${(pid & 0xffff).toString(16)}`;
  const gateway = `${prefix}::1`;
  const { dockerode } = (await getContainerRuntimeClient()).container;
  await dockerode.createNetwork({ Name: name, Driver: 'bridge', EnableIPv6: true, IPAM: { Config: [{ Subnet: `${prefix}::/64`, Gateway: gateway }] }, Labels: ownedLabels() });
  return { name, gateway };
}

function removeNetworks(names: string[]): void {
  try {
    if (names.length > 0) execFileSync('docker', ['network', 'rm', ...names], { stdio: 'ignore' });
  } catch {
    // Still in use or already gone: the next run's removeAbandonedNetworks tries again.
  }
}

/** Removes the IPv6 networks of sockspec processes that are gone (killed before they could clean up) or of `pid`. */
export function removeNetworksOwned(pid?: number): void {
  let lines: string[];
  try {
    lines = execFileSync('docker', ['network', 'ls', '--filter', `label=${SOCKSPEC_LABEL}`, '--format', `{{.Name}} {{.Label "${OWNER_LABEL}"}}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter(Boolean);
  } catch {
    return;
  }
  removeNetworks(lines.map((line) => line.split(' ')).filter(([, owner]) => Number(owner) === pid || !processAlive(Number(owner))).map(([name]) => name));
}
