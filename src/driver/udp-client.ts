import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { DEFAULT_IO_TIMEOUT_MS } from './tcp-connection';
import { formatAddress, type SocketRecorder, type Transcript } from './transcript';
import { scaled } from './wait';

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

  private constructor(
    private readonly socket: Socket,
    private readonly recorder: SocketRecorder | undefined,
  ) {
    socket.on('message', (data: Buffer, from: RemoteInfo) => {
      this.recorder?.receivedBytes(data, formatAddress(from.address, from.port));
      this.inbox.push({ data, address: from.address, port: from.port });
      this.wake?.();
    });
    // A connected UDP socket learns of an ICMP "port unreachable" as an error on its next receive.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.recorder?.error('socket error', error);
      this.errors.push(error);
      this.wake?.();
    });
  }

  static async open(host: string, transcript?: Transcript): Promise<UdpClient> {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    const recorder = transcript?.socket('udp');
    await new Promise<void>((resolveBind, rejectBind) => {
      socket.once('error', rejectBind);
      socket.bind(0, host, () => {
        socket.off('error', rejectBind);
        resolveBind();
      });
    });
    recorder?.note(`bound ${formatAddress(socket.address().address, socket.address().port)}`);
    return new UdpClient(socket, recorder);
  }

  /** A client whose socket is connected to one peer, so the kernel reports that peer's ICMP errors to it. */
  static async connected(host: string, port: number, transcript?: Transcript): Promise<UdpClient> {
    const client = await UdpClient.open(host, transcript);
    await new Promise<void>((resolveConnect) => client.socket.connect(port, host, resolveConnect));
    client.recorder?.note(`connected to ${formatAddress(host, port)}`);
    return client;
  }

  get localPort(): number {
    return this.socket.address().port;
  }

  send(data: Buffer, host?: string, port?: number): Promise<void> {
    this.recorder?.sentBytes(data, host === undefined || port === undefined ? 'the connected peer' : formatAddress(host, port));
    return new Promise((resolveSend, rejectSend) => {
      const done = (error: Error | null): void => {
        if (error) this.recorder?.error('send failed', error);
        return error ? rejectSend(error) : resolveSend();
      };
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
    this.recorder?.note('closed by this client');
    try {
      this.socket.close();
    } catch {
      // Already closed.
    }
  }

  private waitFor<T>(take: () => T | undefined, unscaledTimeoutMs: number, what: string): Promise<T> {
    const timeoutMs = scaled(unscaledTimeoutMs);
    const ready = take();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolveWait, rejectWait) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        this.recorder?.note(`timed out after ${timeoutMs} ms waiting for ${what}`);
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
