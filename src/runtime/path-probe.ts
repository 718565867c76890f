import { ConnectError, TcpConnection } from '../driver/tcp-connection';

/**
 * Asks whether TCP reaches a server end to end through a port mapping, by
 * connecting to a mapped port with nothing listening behind it. The kernel
 * refuses such a connection (ECONNREFUSED); a userland proxy accepts it itself
 * and closes it, and would stand in for the server in every close, reset and
 * backlog behaviour. Returns undefined for a transparent path, else why not.
 */
export async function probeMappedPort(host: string, port: number): Promise<string | undefined> {
  try {
    const connection = await TcpConnection.open(host, port, 3000);
    connection.close();
    return `a connection to ${host}:${port}, a mapped port with no listener behind it, was accepted: a userland proxy (such as docker-proxy) stands in the path; run dockerd with --userland-proxy=false`;
  } catch (error) {
    if (error instanceof ConnectError && error.code === 'ECONNREFUSED') return undefined;
    return `probing the port mapping ${host}:${port} failed: ${(error as Error).message}`;
  }
}
