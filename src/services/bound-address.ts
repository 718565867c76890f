import type { RunningServer, ServerControl } from '../runtime/runtime';

/**
 * Where a server's listening socket is bound, as the kernel's tables of the sockets
 * the server's own processes hold say: every TCP socket in LISTEN, or every UDP
 * socket connected to no peer, on its port. A server told to listen on 127.0.0.1
 * that binds 0.0.0.0 (or "::") instead shows there, whatever its clients on
 * 127.0.0.1 see. A local server shares its network namespace with every program of
 * the machine; another program's socket on the same port number is not the server's.
 */
export function boundAddresses(server: RunningServer, control: ServerControl): string[] {
  const protocol = server.service === 'udp-echo' ? 'udp' : 'tcp';
  return control
    .boundSockets()
    .filter((socket) => socket.protocol === protocol && socket.port === server.serverPort)
    .map((socket) => socket.address);
}

/** Throws unless the server's sockets on its port are bound to `host` and to nothing else. */
export function assertBoundOnlyTo(server: RunningServer, control: ServerControl, host: string): void {
  const addresses = boundAddresses(server, control);
  const what = server.service === 'udp-echo' ? 'bound UDP socket' : 'listening socket';
  if (addresses.length === 0) throw new Error(`the kernel lists no ${what} of the server on port ${server.serverPort}`);
  const elsewhere = addresses.filter((address) => address !== host);
  if (elsewhere.length > 0) {
    const wildcard = elsewhere.some(isWildcard) ? ' (the wildcard address: every interface of the machine)' : '';
    throw new Error(`the server was told --host ${host}, but the kernel lists its ${what} on port ${server.serverPort} bound to ${[...new Set(addresses)].join(', ')}${wildcard}`);
  }
}

/**
 * Who took a TCP connection to `address` on the server's port, from the server's own
 * listening sockets: the server, where one is bound to that address or to a wildcard
 * that covers it ("::" takes IPv4 clients unless IPV6_V6ONLY); otherwise another
 * program of the machine, which says nothing about the server.
 */
export function whoAccepted(server: RunningServer, control: ServerControl, address: string): string {
  const addresses = [...new Set(boundAddresses(server, control))];
  const serverCovers = addresses.some((bound) => bound === address || bound === '::' || (bound === '0.0.0.0' && !address.includes(':')));
  if (serverCovers) return `the server took it: the kernel lists its listening socket on port ${server.serverPort} bound to ${addresses.join(', ')}`;
  return `not by the server, whose listening socket on port ${server.serverPort} is bound to ${addresses.join(', ') || 'nothing'}: another program of this machine holds port ${server.serverPort} on ${address}, so this says nothing about the server`;
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}
