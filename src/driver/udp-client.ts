import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { DEFAULT_IO_TIMEOUT_MS } from './tcp-connection';

export interface Datagram {
  data: Buffer;
  address: string;
  port: number;
}

/**
 * A UDP client socket that keeps every datagram it receives, with the sender's
 * address and port, and every error the kernel reports on it.
 */
export class UdpClient {
  private readonly inbox: Datagram[] = [];
  private readonly errors: NodeJS.ErrnoException[] = [];
  private wake: (() => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('message', (data: Buffer, from: RemoteInfo) => {
      this.inbox.push({ data, address: from.address, port: from.port });
      this.wake?.();
    });
    // A connected UDP socket learns of an ICMP "port unreachable" as an error on its next receive.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.errors.push(error);
      this.wake?.();
    });
  }

  static async open(host: string): Promise<UdpClient> {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    await new Promise<void>((resolveBind, rejectBind) => {
      socket.once('error', rejectBind);
      socket.bind(0, host, () => {
        socket.off('error', rejectBind);
        resolveBind();
      });
    });
    return new UdpClient(socket);
  }

  /** A client whose socket is connected to one peer, so the kernel reports that peer's ICMP errors to it. */
  static async connected(host: string, port: number): Promise<UdpClient> {
    const client = await UdpClient.open(host);
    await new Promise<void>((resolveConnect) => client.socket.connect(port, host, resolveConnect));
    return client;
  }

  get localPort(): number {
    return this.socket.address().port;
  }

  send(data: Buffer, host?: string, port?: number): Promise<void> {
    return new Promise((resolveSend, rejectSend) => {
      const done = (error: Error | null): void => (error ? rejectSend(error) : resolveSend());
      if (host === undefined || port === undefined) this.socket.send(data, done);
      else this.socket.send(data, port, host, done);
    });
  }

  /** The next datagram, or an error saying how many arrived before the wait ran out. */
  receive(timeoutMs = DEFAULT_IO_TIMEOUT_MS): Promise<Datagram> {
    return this.waitFor(() => this.inbox.shift(), timeoutMs, 'a datagram');
  }

  /** The next error the kernel reports on this socket. */
  nextError(timeoutMs = DEFAULT_IO_TIMEOUT_MS): Promise<NodeJS.ErrnoException> {
    return this.waitFor(() => this.errors.shift(), timeoutMs, 'an error on the socket');
  }

  /** Datagrams received but not yet taken by `receive`. */
  get unread(): number {
    return this.inbox.length;
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // Already closed.
    }
  }

  private waitFor<T>(take: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const ready = take();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolveWait, rejectWait) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        rejectWait(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.wake = () => {
        const value = take();
        if (value === undefined) return;
        clearTimeout(timer);
        this.wake = undefined;
        resolveWait(value);
      };
    });
  }
}
