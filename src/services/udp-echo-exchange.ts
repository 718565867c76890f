import { UdpClient, type Datagram } from '../driver/udp-client';
import { describeDifference } from '../driver/payload';
import type { Transcript } from '../driver/transcript';
import type { RunningServer } from '../runtime/runtime';

/**
 * One client exchanging `count` numbered datagrams with a UDP echo server, each
 * sent after the previous reply arrived, so a burst never overflows a socket
 * buffer: on loopback every datagram must come back.
 */
export async function udpPingPong(server: RunningServer, clientId: number, count: number, timeoutMs?: number, transcript?: Transcript): Promise<void> {
  const client = await UdpClient.open(server.host, transcript);
  try {
    for (let sequence = 0; sequence < count; sequence++) {
      const datagram = Buffer.from(`client ${clientId} datagram ${sequence}`);
      await client.send(datagram, server.host, server.port);
      let reply: Datagram;
      try {
        reply = await client.receive(timeoutMs);
      } catch (error) {
        throw new Error(`client ${clientId}: ${sequence} of ${count} replies received; datagram ${sequence}: ${(error as Error).message}`);
      }
      assertDatagram(`client ${clientId}, datagram ${sequence}`, datagram, reply, server);
    }
    if (client.unread > 0) throw new Error(`client ${clientId}: ${client.unread} datagrams more than it sent`);
  } finally {
    client.close();
  }
}

/** Throws unless `reply` holds exactly `sent` and came from the server's own address and port. */
export function assertDatagram(who: string, sent: Buffer, reply: Datagram, server: RunningServer): void {
  if (reply.address !== server.host) throw new Error(`${who}: the reply came from ${reply.address}, not from the server's address ${server.host}`);
  if (reply.port !== server.port) throw new Error(`${who}: the reply came from port ${reply.port}, not from the server's port ${server.port}`);
  const difference = describeDifference(sent, reply.data);
  if (difference) throw new Error(`${who}: ${difference}`);
}

/** Throws unless every reply is identical to a different one of the datagrams sent (in any order: UDP does not promise one). */
export function assertSameDatagrams(sent: Buffer[], replies: Datagram[]): void {
  const unmatched = [...sent];
  for (const reply of replies) {
    const match = unmatched.findIndex((datagram) => datagram.equals(reply.data));
    if (match < 0) {
      throw new Error(`a reply of ${reply.data.length} bytes matches none of the datagrams sent (${sent.map((datagram) => datagram.length).join(', ')} bytes)`);
    }
    unmatched.splice(match, 1);
  }
}
