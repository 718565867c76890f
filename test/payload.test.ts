import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeDifference, parseSize, seededBytes } from '../src/driver/payload';

describe('payloads', () => {
  it('are the same for the same seed and differ between seeds', () => {
    assert.ok(seededBytes(1000, 'a').equals(seededBytes(1000, 'a')));
    assert.ok(!seededBytes(1000, 'a').equals(seededBytes(1000, 'b')));
    assert.equal(seededBytes(12345, 'x').length, 12345);
  });

  it('reads sizes as the features write them', () => {
    assert.equal(parseSize('2000 bytes'), 2000);
    assert.equal(parseSize('64 KiB'), 65536);
    assert.equal(parseSize('1 MiB'), 1048576);
    assert.throws(() => parseSize('1 GB'), /not a size: "1 GB"/);
  });

  it('describe where two byte strings differ', () => {
    assert.equal(describeDifference(Buffer.from('abc'), Buffer.from('abc')), undefined);
    assert.match(describeDifference(Buffer.from('abcd'), Buffer.from('abxd'))!, /expected 4 bytes .* got 4 bytes .*; first difference at byte 2$/);
    assert.match(describeDifference(Buffer.from('abcd'), Buffer.from('ab'))!, /got 2 bytes .*; identical for the first 2 bytes$/);
  });
});
