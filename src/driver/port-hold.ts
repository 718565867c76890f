import { createServer, connect, type Socket } from 'node:net';

/** A TCP port the harness holds on one address, bound and not listening, until `release()`. */
export interface PortHold {
  readonly address: string;
  readonly port: number;
  release(): void;
}

/**
 * Binds `address`:`port` for TCP without listening on it, so that no other program
 * on the machine is given that port there while it is held: the kernel never hands a
 * bound port out to bind(port 0), and refuses it to a bind without SO_REUSEADDR or
 * to the wildcard address. A client of `address`:`port` is still refused (RST), as
 * with no socket at all, since only a listening socket takes a SYN. Resolves to
 * undefined when the port is taken there already.
 *
 * Node binds a TCP socket only to listen or to connect, so the hold is a connection
 * from `address`:`port` to a listener of its own on the family's first loopback
 * address, which stops listening as soon as it has accepted it: a listener on a
 * port of its own could itself answer a client another scenario expects refused.
 */
export function holdTcpPort(address: string, port: number): Promise<PortHold | undefined> {
  return new Promise((resolveHold, rejectHold) => {
    const anchor = createServer();
    let accepted: Socket | undefined;
    anchor.once('connection', (socket) => {
      accepted = socket.on('error', () => undefined).unref();
      anchor.close();
    });
    anchor.once('error', rejectHold);
    const anchorAddress = address.includes(':') ? '::1' : '127.0.0.1';
    anchor.listen({ host: anchorAddress, port: 0 }, () => {
      const anchorPort = (anchor.address() as { port: number }).port;
      const holder = connect({ host: anchorAddress, port: anchorPort, localAddress: address, localPort: port });
      const release = (): void => {
        holder.destroy();
        accepted?.destroy();
        anchor.close();
      };
      holder.once('connect', () => {
        // A hold lasts as long as its server; it is no reason for the harness to keep running.
        holder.on('error', () => undefined).unref();
        resolveHold({ address, port, release });
      });
      holder.once('error', (error: NodeJS.ErrnoException) => {
        release();
        if (error.code === 'EADDRINUSE') resolveHold(undefined);
        else rejectHold(new Error(`could not hold port ${port} on ${address}: ${error.message}`));
      });
    });
  });
}
