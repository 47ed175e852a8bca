import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('Rng (xoshiro128**)', () => {
  it('the same seed gives the same stream; different seeds differ', () => {
    const a = new Rng(1);
    const b = new Rng(1);
    const c = new Rng(2);
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('uniform has mean 1/2 and variance 1/12', () => {
    const rng = new Rng(3);
    const n = 200_000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
      sq += u * u;
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(sq / n - (sum / n) ** 2).toBeCloseTo(1 / 12, 2);
  });

  it('normal has mean 0 and variance 1', () => {
    const rng = new Rng(4);
    const n = 200_000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.01);
    expect(sq / n).toBeCloseTo(1, 1);
  });

  it('permutation contains every index once', () => {
    const p = new Rng(5).permutation(1000);
    expect(Array.from(p).sort((x, y) => x - y)).toEqual([...Array(1000).keys()]);
  });

  it('choice picks distinct indices', () => {
    const picked = new Rng(6).choice(100, 40);
    expect(new Set(picked).size).toBe(40);
    expect(Math.max(...picked)).toBeLessThan(100);
  });

  it('state() and setState() continue the exact stream, spare normal included', () => {
    const rng = new Rng(9);
    rng.normal();
    const saved = rng.state();
    const expected = [rng.normal(), rng.normal(), rng.uniform()];
    const resumed = Rng.fromState(saved);
    expect([resumed.normal(), resumed.normal(), resumed.uniform()]).toEqual(expected);
  });
});
