import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Rng } from '../tensor/rng.js';
import { createSha256, sha256Portable } from './sha256.js';

describe('sha256', () => {
  it('gives FIPS 180-4’s digest of "abc"', () => {
    expect(sha256Portable().update('abc').digestHex()).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Portable().digestHex()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('the portable hash equals node:crypto’s for every length around the block and padding edges, fed in pieces', () => {
    const rng = new Rng(3);
    for (const length of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 70_001]) {
      const bytes = Uint8Array.from({ length }, () => Math.floor(rng.uniform() * 256));
      const expected = createHash('sha256').update(bytes).digest('hex');
      const cut = Math.floor(length / 3);
      const pieces = sha256Portable()
        .update(bytes.subarray(0, cut))
        .update(bytes.subarray(cut, cut + 5))
        .update(bytes.subarray(cut + 5));
      expect(pieces.digestHex(), `length ${length}`).toBe(expected);
      expect(createSha256().update(bytes).digestHex()).toBe(expected);
    }
  });
});
