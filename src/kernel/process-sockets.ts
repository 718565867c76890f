import { readlinkSync } from 'node:fs';
import { decodeAddress } from './inet-address';
import { readOptional, readdirOrEmpty } from './proc-net';

export { decodeAddress };

/**
 * What sockets a process and its descendants have bound, from /proc alone: the process
 * tree (/proc/<pid>/task/<tid>/children), each process's descriptors (fd → socket inode)
 * and its network namespace's tables. This is how a program that prints nothing is
 * seen to be ready, without a connect probe (which one-shot and iterative servers
 * would count as a client).
 */

export interface BoundSocket {
  protocol: 'tcp' | 'udp';
  /** The local address as the kernel has it: "127.0.0.1", "::1", "0.0.0.0", "::". */
  address: string;
  port: number;
  pid: number;
}

/** `pid` and every process below it, parents first; processes that vanish meanwhile are skipped. */
export function processTree(pid: number): number[] {
  const tree: number[] = [];
  const visit = (current: number): void => {
    tree.push(current);
    for (const task of readdirOrEmpty(`/proc/${current}/task`)) {
      for (const child of readOptional(`/proc/${current}/task/${task}/children`).trim().split(/\s+/).filter(Boolean)) visit(Number(child));
    }
  };
  visit(pid);
  return tree;
}

/** The inodes of the sockets a process holds open. */
export function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirOrEmpty(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // Closed between the listing and the read.
    }
  }
  return inodes;
}

// TCP_LISTEN, and TCP_CLOSE, the state of a bound UDP socket with no peer.
const LISTEN = '0A';
const UNCONNECTED = '07';

/** Listening TCP sockets and bound, unconnected UDP sockets of the process tree under `pid`. */
export function boundSockets(pid: number): BoundSocket[] {
  const found: BoundSocket[] = [];
  for (const member of processTree(pid)) {
    const inodes = socketInodes(member);
    if (inodes.size === 0) continue;
    for (const [table, protocol, state] of [['tcp', 'tcp', LISTEN], ['tcp6', 'tcp', LISTEN], ['udp', 'udp', UNCONNECTED], ['udp6', 'udp', UNCONNECTED]] as const) {
      for (const entry of parseSocketTable(readOptional(`/proc/${member}/net/${table}`))) {
        if (entry.state === state && inodes.has(entry.inode)) found.push({ protocol, address: entry.address, port: entry.port, pid: member });
      }
    }
  }
  return found;
}

export interface SocketTableEntry {
  address: string;
  port: number;
  state: string;
  inode: string;
}

/** Rows of /proc/net/{tcp,tcp6,udp,udp6}: local address and port, state and inode. */
export function parseSocketTable(text: string): SocketTableEntry[] {
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 10)
    .map((fields) => {
      const [address, port] = fields[1].split(':');
      return { address: decodeAddress(address), port: parseInt(port, 16), state: fields[3], inode: fields[9] };
    });
}
