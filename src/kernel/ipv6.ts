import { readOptional } from './proc-net';
import { createServer } from 'node:net';

/** Whether this machine can listen on the IPv6 loopback address. */
export function hasIpv6Loopback(): Promise<boolean> {
  return new Promise((resolveCheck) => {
    const probe = createServer();
    probe.once('error', () => resolveCheck(false));
    probe.listen({ host: '::1', port: 0, ipv6Only: true }, () => probe.close(() => resolveCheck(true)));
  });
}

/** Whether the kernel lists ::1 among its IPv6 addresses (/proc/net/if_inet6): not so in a container with IPv6 off. */
export function ipv6LoopbackConfigured(ifInet6 = '/proc/net/if_inet6'): boolean {
  return readOptional(ifInet6).split('\n').some((line) => line.startsWith('00000000000000000000000000000001 '));
}

const IFA_F_DADFAILED = 0x08;
const IFA_F_TENTATIVE = 0x40;

/** An IPv6 address as /proc/net/if_inet6 writes it: 32 hex digits, no colons. */
export function ifInet6Form(address: string): string {
  const [head, tail = ''] = address.toLowerCase().split('::');
  const groups = (part: string): string[] => (part ? part.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  return [...groups(head), ...Array<string>(address.includes('::') ? missing : 0).fill('0'), ...groups(tail)].map((group) => group.padStart(4, '0')).join('');
}

/**
 * How the kernel holds one of this machine's IPv6 addresses: "usable", "tentative"
 * (duplicate address detection under way: the kernel will not send from it yet, and
 * picks another source address), "duplicate" (DAD failed), or "absent".
 */
export function ipv6AddressState(address: string, ifInet6 = '/proc/net/if_inet6'): 'usable' | 'tentative' | 'duplicate' | 'absent' {
  const wanted = ifInet6Form(address);
  const line = readOptional(ifInet6).split('\n').find((entry) => entry.startsWith(`${wanted} `));
  if (!line) return 'absent';
  const flags = parseInt(line.trim().split(/\s+/)[4] ?? '0', 16);
  if (flags & IFA_F_DADFAILED) return 'duplicate';
  return flags & IFA_F_TENTATIVE ? 'tentative' : 'usable';
}
