import { describe, expect, it } from 'vitest';
import { ScratchnetError } from '../errors.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { ImageAugmentation, describeAugmentation, imageShapeOf, mirrorRows, shiftAndRotate } from './augment.js';

/** shiftAndRotate of one [C, H, W] image into a new array. */
function moved(src: number[], shape: [number, number, number], dx: number, dy: number, degrees: number): number[] {
  const out = new Float32Array(src.length);
  shiftAndRotate(Float32Array.from(src), out, 0, ...shape, dx, dy, degrees);
  return Array.from(out);
}

// prettier-ignore
const GRID = [
  1, 2, 3, 4,
  5, 6, 7, 8,
  9, 10, 11, 12,
];

describe('shiftAndRotate', () => {
  it('a shift by (1, 0) moves every pixel one column right and fills the left column with 0, exactly', () => {
    // prettier-ignore
    expect(moved(GRID, [1, 3, 4], 1, 0, 0)).toEqual([
      0, 1, 2, 3,
      0, 5, 6, 7,
      0, 9, 10, 11,
    ]);
  });

  it('a shift by (−2, −1) moves pixels two columns left and one row up', () => {
    // prettier-ignore
    expect(moved(GRID, [1, 3, 4], -2, -1, 0)).toEqual([
      7, 8, 0, 0,
      11, 12, 0, 0,
      0, 0, 0, 0,
    ]);
  });

  it('90° turns a 3×3 image counter-clockwise about its centre (the right column becomes the top row)', () => {
    const turned = moved([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3], 0, 0, 90);
    // cos 90° is 6e-17 in floating point, so the bilinear weights are 1 and ~1e-16.
    [3, 6, 9, 2, 5, 8, 1, 4, 7].forEach((v, i) => expect(turned[i]).toBeCloseTo(v, 6));
  });

  it('30° resamples bilinearly: the pixel right of centre spreads as the hand-computed weights say', () => {
    // One bright pixel at (x 2, y 1), right of the centre (1, 1). Output (x 2, y 0) reads the source at
    // u = 1 + cos30° + sin30° = 2.366, v = 1 + sin30° − cos30° = 0.634: weight (1 − 0.366)·0.634 = 0.634².
    // Output (x 2, y 1) reads u = 1 + cos30° = 1.866, v = 1 + sin30° = 1.5: weight 0.866 · 0.5.
    const out = moved([0, 0, 0, 0, 0, 1, 0, 0, 0], [1, 3, 3], 0, 0, 30);
    const c = Math.cos(Math.PI / 6);
    expect(out[2]).toBeCloseTo((1 + 0.5 - c) ** 2, 6); // 0.40192
    expect(out[5]).toBeCloseTo(c * 0.5, 6); // 0.43301
    expect(out[0] + out[3] + out[6]).toBe(0); // nothing reaches the left column
  });

  it('every channel moves the same way', () => {
    const twoChannels = [...GRID, ...GRID.map((v) => -v)];
    const out = moved(twoChannels, [2, 3, 4], 1, 1, 0);
    // prettier-ignore
    const first = [
      0, 0, 0, 0,
      0, 1, 2, 3,
      0, 5, 6, 7,
    ];
    expect(out).toEqual([...first, ...first.map((v) => (v === 0 ? 0 : -v))]);
  });

  it('writes into a sample inside a batch at the given offset, leaving the rest alone', () => {
    const batch = new Float32Array(8).fill(7);
    shiftAndRotate(Float32Array.from([1, 2, 3, 4]), batch, 4, 1, 2, 2, 0, 1, 0);
    expect(Array.from(batch)).toEqual([7, 7, 7, 7, 0, 0, 1, 2]);
  });
});

describe('ImageAugmentation', () => {
  /** A batch of `rows` 5×5 images with a 3×3 block of ink in the middle ([rows, 25], as flat CSV rows). */
  function batch(rows: number): Tensor {
    const x = Tensor.zeros([rows, 25]);
    for (let n = 0; n < rows; n++) for (const y of [1, 2, 3]) for (const xx of [1, 2, 3]) x.data[n * 25 + y * 5 + xx] = 0.5 + n;
    return x;
  }

  it('with only shifts, each sample is its ink moved by whole pixels drawn from the rng: dx, dy = int(2·shift + 1) − shift', () => {
    const x = batch(3);
    new ImageAugmentation({ shift: 1 }).apply(x, new Rng(5));
    const draws = new Rng(5);
    for (let n = 0; n < 3; n++) {
      const dx = draws.int(3) - 1;
      const dy = draws.int(3) - 1;
      const expected = moved(Array.from(batch(3).data.subarray(n * 25, (n + 1) * 25)), [1, 5, 5], dx, dy, 0);
      expect(Array.from(x.data.subarray(n * 25, (n + 1) * 25))).toEqual(expected);
      // The 3×3 block stays inside a 5×5 image for shifts up to 1: all its ink is kept.
      expect(expected.reduce((a, b) => a + b, 0)).toBeCloseTo(9 * (0.5 + n), 5);
    }
  });

  it('the same seed gives the same batch bit for bit, another seed another batch, and the rng advances by 3 draws a sample', () => {
    const run = (seed: number): { x: Tensor; rng: Rng } => {
      const x = batch(4);
      const rng = new Rng(seed);
      new ImageAugmentation({ shift: 2, rotate: 10 }).apply(x, rng);
      return { x, rng };
    };
    const a = run(1);
    expect(Array.from(run(1).x.data)).toEqual(Array.from(a.x.data));
    expect(Array.from(run(2).x.data)).not.toEqual(Array.from(a.x.data));
    const draws = new Rng(1);
    for (let n = 0; n < 4; n++) {
      draws.int(5);
      draws.int(5);
      draws.uniformIn(-10, 10);
    }
    expect(a.rng.state()).toEqual(draws.state());
  });

  it('reads [batch, C, H, W] batches as they are, and reuses its one scratch image for every batch, short ones included', () => {
    const augment = new ImageAugmentation({ rotate: 5 });
    const rng = new Rng(3);
    const x = new Tensor(batch(4).data, [4, 1, 5, 5]);
    augment.apply(x, rng);
    const scratch = (augment as unknown as { scratch: Float32Array }).scratch;
    expect(scratch.length).toBe(25);
    augment.apply(new Tensor(batch(2).data, [2, 1, 5, 5]), rng);
    augment.apply(x, rng);
    expect((augment as unknown as { scratch: Float32Array }).scratch).toBe(scratch);
  });

  it('with flip, mirrors left-right exactly the samples whose draw rng.int(2) is 1, every channel alike', () => {
    // Two channels of a 2×3 image per sample: values that say where they came from.
    const rows = 8;
    const x = Tensor.zeros([rows, 2, 2, 3]);
    for (let i = 0; i < x.data.length; i++) x.data[i] = i;
    new ImageAugmentation({ flip: true }).apply(x, new Rng(7));
    const draws = new Rng(7);
    let mirrored = 0;
    for (let n = 0; n < rows; n++) {
      const flip = draws.int(2) === 1;
      mirrored += flip ? 1 : 0;
      for (let row = 0; row < 4; row++)
        for (let col = 0; col < 3; col++) {
          const at = n * 12 + row * 3;
          expect(x.data[at + col]).toBe(at + (flip ? 2 - col : col));
        }
    }
    expect(mirrored).toBeGreaterThan(0);
    expect(mirrored).toBeLessThan(rows);
  });

  it('mirrorRows swaps row[x] and row[width − 1 − x] in place, the middle of an odd row staying put', () => {
    const data = Float32Array.from([9, 1, 2, 3, 4, 5, 6, 9]);
    mirrorRows(data, 1, 2, 3);
    expect(Array.from(data)).toEqual([9, 3, 2, 1, 6, 5, 4, 9]);
  });

  it('with a shift and flip, draws dx, dy, then the mirror: the sample is moved, then mirrored', () => {
    const x = batch(3);
    const rng = new Rng(11);
    new ImageAugmentation({ shift: 1, flip: true }).apply(x, rng);
    const draws = new Rng(11);
    for (let n = 0; n < 3; n++) {
      const dx = draws.int(3) - 1;
      const dy = draws.int(3) - 1;
      const moved25 = Float32Array.from(moved(Array.from(batch(3).data.subarray(n * 25, (n + 1) * 25)), [1, 5, 5], dx, dy, 0));
      if (draws.int(2) === 1) mirrorRows(moved25, 0, 5, 5);
      expect(Array.from(x.data.subarray(n * 25, (n + 1) * 25))).toEqual(Array.from(moved25));
    }
    expect(rng.state()).toEqual(draws.state());
  });

  it('describes itself as the report does', () => {
    expect(describeAugmentation({ shift: 2, rotate: 10 })).toBe('shift 2 px, rotate ±10°');
    expect(String(new ImageAugmentation({ shift: 1, flip: true }))).toBe(
      'ImageAugmentation(shift 1 px, rotate ±0°, mirrored half the time)',
    );
  });

  it('without a shift, a rotation or flip, leaves the batch and the rng untouched', () => {
    const x = batch(2);
    const rng = new Rng(9);
    new ImageAugmentation().apply(x, rng);
    expect(Array.from(x.data)).toEqual(Array.from(batch(2).data));
    expect(rng.state()).toEqual(new Rng(9).state());
  });

  it('refuses a fractional shift, a negative or too large rotation, and samples that are not images', () => {
    expect(() => new ImageAugmentation({ shift: 1.5 })).toThrow(ScratchnetError);
    expect(() => new ImageAugmentation({ rotate: -1 })).toThrow(/between 0 and 180/);
    expect(() => new ImageAugmentation({ rotate: 200 })).toThrow(/between 0 and 180/);
    expect(() => new ImageAugmentation({ shift: 1 }).apply(Tensor.zeros([2, 4, 2]), new Rng())).toThrow(/\[4, 2\]/);
    expect(() => new ImageAugmentation({ shift: 1 }).apply(Tensor.zeros([2, 5]), new Rng())).toThrow(/square/);
  });
});

describe('imageShapeOf', () => {
  it('reads 784 flat values as [1, 28, 28] and keeps [C, H, W]; anything else is refused, naming the shape', () => {
    expect(imageShapeOf([784])).toEqual([1, 28, 28]);
    expect(imageShapeOf([3, 4, 5])).toEqual([3, 4, 5]);
    expect(() => imageShapeOf([5])).toThrow('[5]');
    expect(() => imageShapeOf([2, 8])).toThrow('[2, 8]');
  });
});
