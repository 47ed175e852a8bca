import { describe, expect, it } from 'vitest';
import { ShapeError } from '../errors.js';
import { Tensor, assertShape } from './tensor.js';

describe('Tensor', () => {
  it('stores nested arrays row-major', () => {
    const t = Tensor.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.get(1, 0)).toBe(4);
    expect(t.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('holds 4-D image batches (N, C, H, W) with the same row-major rule', () => {
    const t = Tensor.zeros([2, 3, 4, 5]);
    t.set(7, 1, 2, 3, 4);
    expect(t.data[((1 * 3 + 2) * 4 + 3) * 5 + 4]).toBe(7);
    expect(t.rows).toBe(2);
    expect(t.cols).toBe(60);
  });

  it('refuses data that does not fill the shape', () => {
    expect(() => new Tensor(new Float32Array(5), [2, 3])).toThrow(/shape \[2, 3\] needs 6 values, got 5/);
  });

  it('a shape mismatch names both shapes', () => {
    expect(() => assertShape('Dense.forward input', [32, 783], [-1, 784])).toThrow(ShapeError);
    expect(() => assertShape('Dense.forward input', [32, 783], [-1, 784])).toThrow(
      'Dense.forward input: expected shape [-1, 784], got [32, 783]',
    );
  });

  it('reshape shares data, clone copies it', () => {
    const t = Tensor.from([
      [1, 2],
      [3, 4],
    ]);
    const flat = t.reshape([4]);
    flat.data[0] = 9;
    expect(t.get(0, 0)).toBe(9);
    const copy = t.clone();
    copy.data[0] = 1;
    expect(t.get(0, 0)).toBe(9);
  });
});
