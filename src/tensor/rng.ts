import { ScratchnetError } from '../errors.js';
/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna, 2018), seeded through splitmix32.
 * 128 bits of state, period 2^128 − 1, passes BigCrush; 32-bit integer arithmetic only, so it is
 * exact and fast in JavaScript. Every random choice in scratchnet takes an Rng: one seed fixes a run
 * bit for bit, and `state()` / `setState()` let a checkpoint resume the exact stream.
 */
export class Rng {
  private s = new Uint32Array(4);
  /** The second normal of the last Box–Muller pair, kept so normals come in pairs (part of the state). */
  private spareNormal: number | null = null;

  /** Seeds the stream; the same `seed` (an integer, taken modulo 2^32) gives the same numbers. */
  constructor(seed = 42) {
    let x = seed >>> 0;
    // splitmix32 spreads one 32-bit seed over the 128-bit state (never all zero).
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    return xoshiro128StarStar(this.s);
  }

  /** Uniform in [0, 1) with 32 bits of randomness. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [low, high). */
  uniformIn(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Uniform integer in [0, n), without modulo bias (rejection sampling). */
  int(n: number): number {
    if (!(n > 0 && n <= 4294967296)) throw new ScratchnetError(`Rng.int: n must be in 1..2^32, got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    let x: number;
    do x = this.nextUint32();
    while (x >= limit);
    return x % n;
  }

  /** Standard normal N(0, 1) by the Box–Muller transform. */
  normal(): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return z;
    }
    const u1 = 1 - this.uniform(); // in (0, 1]: log(u1) is finite
    const u2 = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = radius * Math.sin(2 * Math.PI * u2);
    return radius * Math.cos(2 * Math.PI * u2);
  }

  /** Shuffles `values` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: number }>(values: T): T {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = values[i];
      values[i] = values[j];
      values[j] = tmp;
    }
    return values;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** `k` distinct indices from 0..n-1, in random order (a partial Fisher–Yates). */
  choice(n: number, k: number): Int32Array {
    if (k > n) throw new ScratchnetError(`Rng.choice: cannot choose ${k} of ${n} without replacement`);
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p.slice(0, k);
  }

  /** Everything needed to continue this exact stream later. */
  state(): RngState {
    return { s: Array.from(this.s), spareNormal: this.spareNormal };
  }

  /**
   * Continues the stream saved by {@link Rng.state}.
   * @throws {@link ScratchnetError} if the state is not four words or is all zero (xoshiro's one fixed point).
   */
  setState(state: RngState): void {
    if (state.s.length !== 4 || state.s.every((v) => v === 0)) throw new ScratchnetError('Rng.setState: invalid state');
    this.s.set(state.s);
    this.spareNormal = state.spareNormal;
  }

  /** A new generator continuing the stream saved by {@link Rng.state}; throws as {@link Rng.setState}. */
  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.setState(state);
    return rng;
  }
}

/** A generator's position in its stream, as plain JSON (kept in checkpoints). */
export interface RngState {
  /** The four 32-bit words of xoshiro128** state, as unsigned integers. */
  s: number[];
  /** The unused second normal of the last Box–Muller pair, or null. */
  spareNormal: number | null;
}

/**
 * One step of xoshiro128**: returns the next 32 random bits (unsigned) and advances the four words of
 * `s` in place. Rng runs on it, and so does the dropout kernel, whose state lives in a backend's memory.
 */
export function xoshiro128StarStar(s: Uint32Array): number {
  const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
  const t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 11);
  return result;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
