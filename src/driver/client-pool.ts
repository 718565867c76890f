import { TcpConnection } from './tcp-connection';
import type { Transcript } from './transcript';
import { UdpClient } from './udp-client';

/**
 * Every client socket a scenario opens, so that all of them close when it ends,
 * however it ends. Sockets are opened here, recorded in the scenario's transcript
 * and abandoned with it (the signal); the few that a service opens in bulk (held
 * clients, a listen queue) are adopted.
 */
export class ClientPool {
  private readonly tcp: TcpConnection[] = [];
  private readonly udp: UdpClient[] = [];

  constructor(
    private readonly transcript: Transcript,
    private readonly signal: AbortSignal,
  ) {}

  /** A TCP connection to host:port; `timeoutMs` bounds the connect and each later wait. */
  async open(host: string, port: number, timeoutMs?: number): Promise<TcpConnection> {
    return this.adopt(await TcpConnection.open(host, port, timeoutMs, this.signal, this.transcript))[0];
  }

  /** A UDP socket bound to an ephemeral port of `host`'s family, or connected to host:port. */
  async udpClient(host: string, port?: number): Promise<UdpClient> {
    const client = port === undefined ? await UdpClient.open(host, this.transcript) : await UdpClient.connected(host, port, this.transcript);
    this.udp.push(client);
    return client;
  }

  /** Connections a service opened for the scenario: closed with the others. */
  adopt(...connections: TcpConnection[]): TcpConnection[] {
    this.tcp.push(...connections);
    return connections;
  }

  closeAll(): void {
    for (const connection of this.tcp.splice(0)) connection.close();
    for (const client of this.udp.splice(0)) client.close();
  }
}
