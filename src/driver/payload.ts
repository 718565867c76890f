import { createCipheriv, createHash } from 'node:crypto';

/**
 * Pseudo-random bytes that are the same on every run for the same seed, so a
 * failure can be reproduced byte for byte (AES-CTR keystream: fast and uniform).
 */
export function seededBytes(size: number, seed: string): Buffer {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

export const digest = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** How two byte strings differ, in one line: lengths, digests and the first differing offset. */
export function describeDifference(expected: Buffer, actual: Buffer): string | undefined {
  if (expected.equals(actual)) return undefined;
  const shorter = Math.min(expected.length, actual.length);
  let offset = 0;
  while (offset < shorter && expected[offset] === actual[offset]) offset++;
  const at = offset < shorter ? `first difference at byte ${offset}` : `identical for the first ${shorter} bytes`;
  return `expected ${expected.length} bytes (sha256 ${digest(expected).slice(0, 16)}…), got ${actual.length} bytes (sha256 ${digest(actual).slice(0, 16)}…); ${at}`;
}

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** Reads sizes as Gherkin writes them: "1 MiB", "64 KiB", "2000 bytes". */
export function parseSize(text: string): number {
  const match = /^(\d+)\s*(bytes?|KiB|MiB)$/.exec(text.trim());
  if (!match) throw new Error(`not a size: "${text}" (write e.g. "2000 bytes", "64 KiB", "1 MiB")`);
  const unit = match[2].startsWith('byte') ? 1 : match[2] === 'KiB' ? KiB : MiB;
  return Number(match[1]) * unit;
}
