import { createServer } from 'node:net';

/** Whether this machine can listen on the IPv6 loopback address. */
export function hasIpv6Loopback(): Promise<boolean> {
  return new Promise((resolveCheck) => {
    const probe = createServer();
    probe.once('error', () => resolveCheck(false));
    probe.listen({ host: '::1', port: 0, ipv6Only: true }, () => probe.close(() => resolveCheck(true)));
  });
}
