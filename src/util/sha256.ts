/**
 * SHA-256 (FIPS 180-4) for model-file checksums and data fingerprints, in any JavaScript engine.
 *
 * In Node the hash is node:crypto's (13 ms for 10 MB), reached through `process.getBuiltinModule`, which
 * is synchronous and invisible to bundlers, so this module carries no Node import into the browser page.
 * Elsewhere (a browser, or a Node older than 20.16) it is the plain TypeScript below (about 15× slower:
 * 3 ms for the tutorial's 200 KB model). Both give the same digest; a test compares them.
 */

/** An incremental hash: feed bytes with `update`, read the hex digest once with `digestHex`. */
export interface Sha256 {
  /** Adds `bytes` to the message; returns the same hash for chaining. */
  update(bytes: Uint8Array | string): Sha256;
  /** The digest of everything fed so far, as 64 lowercase hex digits. The hash is finished afterwards. */
  digestHex(): string;
}

type NodeCrypto = { createHash(name: 'sha256'): { update(data: Uint8Array | string): unknown; digest(encoding: 'hex'): string } };

/** node:crypto when running in Node ≥ 20.16 (process.getBuiltinModule), else null. */
function nodeCrypto(): NodeCrypto | null {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  return typeof get === 'function' ? ((get('node:crypto') as NodeCrypto | undefined) ?? null) : null;
}

/** A new SHA-256: node:crypto's where it exists, else {@link sha256Portable}. */
export function createSha256(): Sha256 {
  const crypto = nodeCrypto();
  if (!crypto) return sha256Portable();
  const hash = crypto.createHash('sha256');
  const wrapper: Sha256 = {
    update(bytes) {
      hash.update(bytes);
      return wrapper;
    },
    digestHex: () => hash.digest('hex'),
  };
  return wrapper;
}

/** The SHA-256 of `bytes` as 64 hex digits. */
export function sha256Hex(bytes: Uint8Array): string {
  return createSha256().update(bytes).digestHex();
}

/** The first 32 bits of the fractional parts of the cube roots of the first 64 primes (FIPS 180-4 §4.2.2). */
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** SHA-256 in plain TypeScript: 64-byte blocks, each mixed into the eight state words by 64 rounds. */
export function sha256Portable(): Sha256 {
  // The initial state: the first 32 bits of the fractional parts of the square roots of the first 8 primes.
  const state = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const block = new Uint8Array(64);
  const w = new Uint32Array(64);
  let filled = 0; // bytes waiting in `block`
  let length = 0; // message bytes so far

  const compress = (bytes: Uint8Array, at: number): void => {
    for (let i = 0; i < 16; i++)
      w[i] = (bytes[at + 4 * i] << 24) | (bytes[at + 4 * i + 1] << 16) | (bytes[at + 4 * i + 2] << 8) | bytes[at + 4 * i + 3];
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15];
      const b = w[i - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3); // σ0
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10); // σ1
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let [a, b, c, d, e, f, g, h] = state;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7)); // Σ1(e)
      const choose = (e & f) ^ (~e & g);
      const t1 = (h + S1 + choose + K[i] + w[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10)); // Σ0(a)
      const majority = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + majority) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
  };

  const hash: Sha256 = {
    update(input) {
      const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
      length += bytes.length;
      let at = 0;
      if (filled > 0) {
        const take = Math.min(64 - filled, bytes.length);
        block.set(bytes.subarray(0, take), filled);
        filled += take;
        at = take;
        if (filled < 64) return hash;
        compress(block, 0);
        filled = 0;
      }
      for (; at + 64 <= bytes.length; at += 64) compress(bytes, at);
      block.set(bytes.subarray(at), 0);
      filled = bytes.length - at;
      return hash;
    },
    digestHex() {
      // Padding: a 1 bit, zeros to 56 bytes mod 64, then the message length in bits as 64-bit big-endian.
      const bits = length * 8;
      const tail = new Uint8Array(filled < 56 ? 64 : 128);
      tail.set(block.subarray(0, filled));
      tail[filled] = 0x80;
      const view = new DataView(tail.buffer);
      view.setUint32(tail.length - 8, Math.floor(bits / 2 ** 32));
      view.setUint32(tail.length - 4, bits >>> 0);
      for (let at = 0; at < tail.length; at += 64) compress(tail, at);
      return Array.from(state, (v) => v.toString(16).padStart(8, '0')).join('');
    },
  };
  return hash;
}
