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
