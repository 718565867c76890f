import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { externalTarget, parseExternalTarget } from '../src/runtime/external-runtime';

describe('external targets', () => {
  it('read NAME=SERVICE@HOST:PORT,... with IPv6 hosts in brackets', () => {
    const { name, endpoints } = parseExternalTarget('mine=echo@127.0.0.1:7101,udp-echo@[::1]:7104', false);
    assert.equal(name, 'mine');
    assert.deepEqual(endpoints, { echo: { host: '127.0.0.1', port: 7101 }, 'udp-echo': { host: '::1', port: 7104 } });
    assert.deepEqual(externalTarget(name, endpoints).manifest.services, ['echo', 'udp-echo']);
  });

  it('refuse addresses outside loopback unless allowed', () => {
    assert.throws(() => parseExternalTarget('x=echo@10.0.0.5:7', false), /10\.0\.0\.5 is not a loopback address; pass --allow-remote/);
    assert.equal(parseExternalTarget('x=echo@10.0.0.5:7', true).endpoints.echo?.host, '10.0.0.5');
  });

  it('say what form they expect', () => {
    assert.throws(() => parseExternalTarget('x', false), /an external target is NAME=SERVICE@HOST:PORT/);
    assert.throws(() => parseExternalTarget('x=echo@localhost:7', false), /"echo@localhost:7" does not fit/);
    assert.throws(() => parseExternalTarget('x=telnet@127.0.0.1:23', false), /unknown service "telnet"/);
  });
});
