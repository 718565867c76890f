import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ipv6LoopbackConfigured } from '../src/kernel/ipv6';
import { clientAddress } from '../src/runtime/runtime';
import { tempDir } from './helpers';

describe('the IPv6 loopback, as the kernel lists it', () => {
  const dir = tempDir('ipv6');
  it('is there when /proc/net/if_inet6 lists ::1, and absent when it does not (a container with IPv6 off) or cannot be read', () => {
    const listed = join(dir, 'listed');
    writeFileSync(listed, '00000000000000000000000000000001 01 80 10 80       lo\nfe800000000000000042acfffe110002 02 40 20 80     eth0\n');
    const linkLocalOnly = join(dir, 'link-local');
    writeFileSync(linkLocalOnly, 'fe800000000000000042acfffe110002 02 40 20 80     eth0\n');
    assert.equal(ipv6LoopbackConfigured(listed), true);
    assert.equal(ipv6LoopbackConfigured(linkLocalOnly), false);
    assert.equal(ipv6LoopbackConfigured(join(dir, 'absent')), false);
  });

  it('decides where a client reaches a dual-stack server on "::"', () => {
    assert.equal(clientAddress('::', true), '::1');
    assert.equal(clientAddress('::', false), '127.0.0.1');
    assert.equal(clientAddress('0.0.0.0', true), '127.0.0.1');
    assert.equal(clientAddress('127.0.0.2', false), '127.0.0.2');
  });
});
