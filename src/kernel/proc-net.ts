import { readFileSync, readdirSync } from 'node:fs';
import { decodeAddress } from './inet-address';

/**
 * Readers for the kernel's per-namespace networking tables under /proc/<pid>/net:
 * what a server's own network namespace says about its sockets and counters.
 */

export const TCP_STATES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
};

export interface TcpSocketEntry {
  /** The local address as the kernel has it: "127.0.0.1", "::1", "0.0.0.0" (every address), "::". */
  localAddress: string;
  localPort: number;
  remotePort: number;
  state: string;
  /** Bytes sent but not yet acknowledged by the peer. */
  sendQueue: number;
  /** For a listening socket: connections completed and waiting in its accept queue. */
  receiveQueue: number;
  /**
   * The timer the kernel has armed ("tr"): "zero-window-probe" while the socket has bytes to
   * send and its peer advertises a receive window of 0 (the peer's receive buffer is full).
   */
  timer: TcpTimer;
  /** A process holds the socket (its inode is not 0): false while it waits in an accept queue, and once its process has closed it. */
  owned: boolean;
}

export type TcpTimer = 'none' | 'retransmit' | 'keepalive' | 'time-wait' | 'zero-window-probe' | 'unknown';

// The "tr" column (net/ipv4/tcp_ipv4.c, get_tcp4_sock): 4 is ICSK_TIME_PROBE0.
const TCP_TIMERS: Record<string, TcpTimer> = { '00': 'none', '01': 'retransmit', '02': 'keepalive', '03': 'time-wait', '04': 'zero-window-probe' };

/** The kernel's TCP tables: IPv4 sockets in `tcp`, IPv6 ones (v4-mapped included) in `tcp6`. */
export type TcpTable = 'tcp' | 'tcp6';
const BOTH_TABLES: readonly TcpTable[] = ['tcp', 'tcp6'];

/**
 * Every TCP socket in the network namespace of process `pid` (both tables unless
 * `tables` says), or only those with `port` at either end. The table lists every socket
 * of the namespace (thousands on a busy host, most in TIME_WAIT): passing the port
 * skips parsing the rest.
 */
export function readTcpSockets(pid: number, port?: number, tables: readonly TcpTable[] = BOTH_TABLES): TcpSocketEntry[] {
  return tables.flatMap((table) => parseTcpTable(readOptional(`/proc/${pid}/net/${table}`), port));
}

const ownTables = new Map<TcpTable, string>();

/**
 * readTcpSockets for one table of this process, sharing one read of it among every
 * caller in the same turn of the event loop. Connections that end together (64 clients
 * at once) each ask; one read answers them all, and it is valid for each: whatever
 * ended their streams reached the kernel before the loop woke up to report it.
 * One table only, because each read walks the kernel's whole connection hash
 * (milliseconds however few sockets are listed), and a socket is in one table.
 */
export function readOwnTcpSockets(port: number, table: TcpTable): TcpSocketEntry[] {
  let text = ownTables.get(table);
  if (text === undefined) {
    text = readOptional(`/proc/${process.pid}/net/${table}`);
    if (ownTables.size === 0) setImmediate(() => ownTables.clear());
    ownTables.set(table, text);
  }
  return parseTcpTable(text, port);
}

/** The entries of one table, or only those with `port` at either end. */
export function parseTcpTable(text: string, port?: number): TcpSocketEntry[] {
  // Addresses are written ADDRESS:PORT in four upper-case hex digits, followed by a space:
  // a cheap test that skips most lines unparsed. Other fields can hold the same text, so
  // the parsed ports decide.
  const portField = port === undefined ? undefined : `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  const entries = text
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() && (portField === undefined || line.includes(portField)))
    .map((line) => {
      const [, local, remote, state, queues, timer, , , , inode] = line.trim().split(/\s+/);
      return {
        localAddress: decodeAddress(local.split(':')[0]),
        localPort: parseInt(local.split(':')[1], 16),
        remotePort: parseInt(remote.split(':')[1], 16),
        state: TCP_STATES[state] ?? `UNKNOWN(${state})`,
        sendQueue: parseInt(queues.split(':')[0], 16),
        receiveQueue: parseInt(queues.split(':')[1], 16),
        timer: TCP_TIMERS[timer?.split(':')[0] ?? ''] ?? 'unknown',
        owned: inode !== undefined && inode !== '0',
      };
    });
  return port === undefined ? entries : entries.filter((entry) => entry.localPort === port || entry.remotePort === port);
}

export interface UdpSocketEntry {
  /** As in TcpSocketEntry: "0.0.0.0" or "::" for a socket bound to every address. */
  localAddress: string;
  localPort: number;
  /** 0 for a socket that is not connected to one peer. */
  remotePort: number;
}

/** Every UDP socket (IPv4 and IPv6 tables) in the network namespace of process `pid` with `port` as its local port. */
export function readUdpSockets(pid: number, port: number): UdpSocketEntry[] {
  return (['udp', 'udp6'] as const).flatMap((table) => parseUdpTable(readOptional(`/proc/${pid}/net/${table}`), port));
}

/** The rows of /proc/net/udp or udp6 whose local port is `port`. */
export function parseUdpTable(text: string, port: number): UdpSocketEntry[] {
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 3)
    .map(([, local, remote]) => ({
      localAddress: decodeAddress(local.split(':')[0]),
      localPort: parseInt(local.split(':')[1], 16),
      remotePort: parseInt(remote.split(':')[1], 16),
    }))
    .filter((entry) => entry.localPort === port);
}

/** A counter from /proc/<pid>/net/netstat or snmp, named like "TcpExt.ListenOverflows". */
export function readNetCounter(pid: number, name: string): number {
  const [group, counter] = name.split('.');
  const counters = parseCounterTable(readOptional(`/proc/${pid}/net/netstat`) + readOptional(`/proc/${pid}/net/snmp`));
  const value = counters.get(`${group}.${counter}`);
  if (value === undefined) throw new Error(`the kernel has no counter ${name} in /proc/${pid}/net`);
  return value;
}

/** The netstat/snmp format: pairs of lines, "Group: names..." then "Group: values...". */
export function parseCounterTable(text: string): Map<string, number> {
  const counters = new Map<string, number>();
  const lines = text.split('\n').filter((line) => line.includes(':'));
  for (let index = 0; index + 1 < lines.length; index += 2) {
    const [group, names] = lines[index].split(/:\s*/, 2);
    const [, values] = lines[index + 1].split(/:\s*/, 2);
    const valueList = values.trim().split(/\s+/);
    names.trim().split(/\s+/).forEach((counter, position) => counters.set(`${group}.${counter}`, Number(valueList[position])));
  }
  return counters;
}

/** The one-letter state of a process (R, S, T for stopped, Z for zombie...), or undefined once it is gone. */
export function processState(pid: number): string | undefined {
  return statFields(`/proc/${pid}/stat`)?.[0];
}

/**
 * The fields of a /proc/<pid>/stat (or task stat) file after the command name, which may
 * hold spaces and parentheses: index 0 is the state (field 3). Undefined once it is gone.
 */
export function statFields(path: string): string[] | undefined {
  const stat = readOptional(path);
  return stat ? stat.slice(stat.lastIndexOf(')') + 2).trim().split(/\s+/) : undefined;
}

/**
 * The state of every thread of a process. A stop signal stops the threads one by one:
 * until each shows "T", one of them may still be reading or writing.
 */
export function threadStates(pid: number): string[] {
  return readdirOrEmpty(`/proc/${pid}/task`)
    .map((task) => statFields(`/proc/${pid}/task/${task}/stat`)?.[0])
    .filter((state): state is string => state !== undefined);
}

/** A /proc folder's entries, or none once what it describes is gone. */
export function readdirOrEmpty(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** A /proc file's text, or '' once what it describes is gone. */
export function readOptional(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
