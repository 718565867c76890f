import { readUdpSockets } from '../kernel/proc-net';
import type { RunningServer, ServerControl } from '../runtime/runtime';

/**
 * Where a server's listening socket is bound, as its network namespace's kernel
 * tables say: the local address of every TCP socket in LISTEN on its port, or of
 * every UDP socket with its port that is connected to no peer. A server told to
 * listen on 127.0.0.1 that binds 0.0.0.0 (or "::") instead shows there, whatever
 * its clients on 127.0.0.1 see.
 */
export function boundAddresses(server: RunningServer, control: ServerControl): string[] {
  if (server.service === 'udp-echo') {
    // ServerControl reads TCP tables only. A server that listens where it is told is
    // reached on the harness's own loopback, so it shares the harness's namespace:
    // this process's /proc/<pid>/net/udp* is the server's.
    return readUdpSockets(process.pid, server.serverPort)
      .filter((entry) => entry.remotePort === 0)
      .map((entry) => entry.localAddress);
  }
  return control
    .tcpSockets(server.serverPort)
    .filter((entry) => entry.localPort === server.serverPort && entry.state === 'LISTEN')
    .map((entry) => entry.localAddress);
}

/** Throws unless the server's sockets on its port are bound to `host` and to nothing else. */
export function assertBoundOnlyTo(server: RunningServer, control: ServerControl, host: string): void {
  const addresses = boundAddresses(server, control);
  const what = server.service === 'udp-echo' ? 'bound UDP socket' : 'listening socket';
  if (addresses.length === 0) throw new Error(`the kernel lists no ${what} on port ${server.serverPort}`);
  const elsewhere = addresses.filter((address) => address !== host);
  if (elsewhere.length > 0) {
    const wildcard = elsewhere.some((address) => address === '0.0.0.0' || address === '::') ? ' (the wildcard address: every interface of the machine)' : '';
    throw new Error(`the server was told --host ${host}, but the kernel lists its ${what} on port ${server.serverPort} bound to ${[...new Set(addresses)].join(', ')}${wildcard}`);
  }
}
