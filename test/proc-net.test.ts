import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTcpTable, readTcpSockets } from '../src/kernel/proc-net';
import { createServer, type AddressInfo } from 'node:net';

const TABLE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000003 00:00000000 00000000  1000        0 1 1 0 100 0 0 10 0
   1: 0100007F:A1B2 0100007F:1F90 01 00000010:00000000 00:00000000 00000000  1000        0 2 1 0 20 4 30 10 -1
   2: 0100007F:1F91 0100007F:C000 06 00000000:00000000 03:00000123 00000000     0        0 0 3 0
`;

describe('/proc/net/tcp reader', () => {
  it('parses every socket of the table', () => {
    assert.deepEqual(parseTcpTable(TABLE), [
      { localAddress: '127.0.0.1', localPort: 8080, remotePort: 0, state: 'LISTEN', sendQueue: 0, receiveQueue: 3, timer: 'none', owned: true },
      { localAddress: '127.0.0.1', localPort: 41394, remotePort: 8080, state: 'ESTABLISHED', sendQueue: 16, receiveQueue: 0, timer: 'none', owned: true },
      { localAddress: '127.0.0.1', localPort: 8081, remotePort: 49152, state: 'TIME_WAIT', sendQueue: 0, receiveQueue: 0, timer: 'time-wait', owned: false },
    ]);
  });

  it('given a port, keeps only the sockets with it at either end', () => {
    assert.deepEqual(
      parseTcpTable(TABLE, 8080).map((entry) => entry.state),
      ['LISTEN', 'ESTABLISHED'],
    );
    assert.deepEqual(parseTcpTable(TABLE, 1), []);
  });

  it('finds a real listener of this process by its port', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
    const server = createServer();
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    try {
      const { port } = server.address() as AddressInfo;
      const sockets = readTcpSockets(process.pid, port);
      // Earlier connections to a server that had this port may still be in TIME_WAIT with it as their remote end.
      assert.deepEqual(sockets.filter((entry) => entry.localPort === port).map((entry) => [entry.localPort, entry.state]), [[port, 'LISTEN']]);
      assert.deepEqual(sockets.filter((entry) => entry.localPort !== port && (entry.remotePort !== port || entry.state !== 'TIME_WAIT')), []);
    } finally {
      server.close();
    }
  });
});
