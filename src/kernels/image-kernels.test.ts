import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageWindow, Kernels } from './kernels.js';
import { reference } from './reference.js';
import { loadNativeAddon } from './native/native.js';
import { createWasmKernels, type WasmKernels } from './wasm/backend.js';
import { Rng } from '../tensor/rng.js';
import { windowOf } from '../layers/im2col.js';

// The convolution and pooling kernels: the reference against hand-worked cases, then every fast backend
// (wasm with and without fused multiply–add, native with each instruction set this CPU runs) against the
// reference. They only copy, add and compare, in the reference's order, so the results must be equal bit for bit.
const native = await loadNativeAddon();
const nativeIsas = 'reason' in native ? [] : native.addon.isas();
const fast: { label: string; kernels: Kernels }[] = [];
const owned: WasmKernels[] = [];

beforeAll(async () => {
  owned.push(await createWasmKernels({ threads: 0 }), await createWasmKernels({ threads: 0, relaxedSimd: false }));
  for (const nativeIsa of nativeIsas) owned.push(await createWasmKernels({ threads: 0, native: true, nativeIsa }));
  // two threads: kernels over more than IMAGE_SPLIT values become image jobs, shared image by image
  owned.push(await createWasmKernels({ threads: 1 }));
  if (nativeIsas.length > 0) owned.push(await createWasmKernels({ threads: 1, native: true }));
  for (const k of owned) {
    const threads = k === owned.at(-1) || (nativeIsas.length > 0 && k === owned.at(-2)) ? ', 2 threads' : '';
    fast.push({ label: (k.isa ? `native ${k.isa}` : `wasm ${k.build}`) + threads, kernels: k });
  }
});
afterAll(async () => {
  for (const k of owned) await k.close();
});

/** `values` in a buffer of the backend's own memory, so its fast kernels (not a fallback) run. */
function place(k: Kernels, values: ArrayLike<number>): Float32Array {
  const out = k.alloc(values.length);
  out.set(values);
  return out;
}

/** An Int32Array of `length` in the backend's memory. */
function placeInts(k: Kernels, length: number): Int32Array {
  const words = k.alloc(length);
  return new Int32Array(words.buffer, words.byteOffset, length);
}

/** Values in [−1, 1) with a quarter exactly 0, as after a ReLU. */
function values(length: number, rng: Rng): Float32Array {
  return Float32Array.from({ length }, () => (rng.uniform() < 0.25 ? 0 : rng.uniformIn(-1, 1)));
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

// [images, channels, height, width, kernel, stride, padding before, after]: the convnet's two layers, odd
// sizes with stride 2 and padding, PyTorch's 'same' for an even kernel (one more zero after), kernels of
// 1 and 5 (wider than one vector), and windows that run off the right edge.
const convolutions: [number, number, number, number, number, number, number, number][] = [
  [3, 1, 28, 28, 3, 1, 0, 0],
  [2, 32, 13, 13, 3, 1, 0, 0],
  [9, 32, 13, 13, 3, 1, 0, 0], // over IMAGE_SPLIT: shared between threads where there are two
  [2, 3, 7, 5, 3, 2, 1, 1],
  [2, 2, 6, 6, 4, 1, 1, 2],
  [1, 3, 5, 9, 1, 1, 0, 0],
  [2, 2, 9, 8, 5, 2, 2, 2],
  [1, 4, 6, 7, 3, 1, 1, 1],
];
const describeWindow = ([n, c, h, w, k, s, p, q]: (typeof convolutions)[number]) =>
  `${n}×[${c}, ${h}, ${w}], ${k}×${k} stride ${s} padding ${p}/${q}`;

describe('reference image kernels', () => {
  it('im2col of a 1×3×3 image with a 2×2 window lays out the four receptive fields as rows', () => {
    const w = windowOf(1, 3, 3, 2, 1, 0);
    const cols = new Float32Array(16);
    reference.im2col(1, w, Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), cols);
    expect(Array.from(cols)).toEqual([1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9]);
  });

  it('col2imTapMajor of all ones counts how many windows read each pixel (a 3×3 image, 2×2 windows: 1 2 1 / 2 4 2 / 1 2 1)', () => {
    const w = windowOf(1, 3, 3, 2, 1, 0);
    const dx = new Float32Array(9).fill(7);
    reference.col2imTapMajor(1, w, new Float32Array(16).fill(1), dx);
    expect(Array.from(dx)).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1]);
  });

  it('im2col with padding 1 reads zeros around a 2×2 image', () => {
    const w = windowOf(1, 2, 2, 3, 1, 1);
    const cols = new Float32Array(4 * 9);
    reference.im2col(1, w, Float32Array.from([1, 2, 3, 4]), cols);
    expect(Array.from(cols.subarray(0, 9))).toEqual([0, 0, 0, 0, 1, 2, 0, 3, 4]);
  });

  it('maxPool2d takes each 2×2 maximum, remembers where it was, and its backward sends dy there', () => {
    const w = windowOf(1, 2, 4, 2, 2, 0);
    const x = Float32Array.from([1, 5, 2, 0, 3, 4, 8, 8]);
    const y = new Float32Array(2);
    const winners = new Int32Array(2);
    reference.maxPool2d(1, w, x, y, winners);
    expect(Array.from(y)).toEqual([5, 8]);
    expect(Array.from(winners)).toEqual([1, 6]); // the first 8 wins the tie
    const dx = new Float32Array(8).fill(9);
    reference.maxPool2dBackward(1, 2, 8, Float32Array.from([0.5, -2]), winners, dx);
    expect(Array.from(dx)).toEqual([0, 0.5, 0, 0, 0, 0, -2, 0]);
  });

  it('maxPool2d counts NaN as the largest value, as PyTorch does', () => {
    const y = new Float32Array(1);
    const winners = new Int32Array(1);
    reference.maxPool2d(1, windowOf(1, 2, 2, 2, 2, 0), Float32Array.from([1, NaN, 3, NaN]), y, winners);
    expect(y[0]).toBeNaN();
    expect(winners[0]).toBe(1);
  });

  it('sumChannels adds each channel over images and positions', () => {
    const out = new Float32Array(2);
    reference.sumChannels(2, 2, 3, Float32Array.from([1, 2, 3, 10, 20, 30, 4, 5, 6, 40, 50, 60]), out);
    expect(Array.from(out)).toEqual([21, 210]);
  });

  it('transposeSamples turns each [2, 3] sample into [3, 2]', () => {
    const y = new Float32Array(12);
    reference.transposeSamples(
      2,
      2,
      3,
      Float32Array.from({ length: 12 }, (_, i) => i),
      y,
    );
    expect(Array.from(y)).toEqual([0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11]);
  });
});

describe('fast image kernels equal the reference bit for bit', () => {
  it.each(convolutions.map((shape) => [describeWindow(shape), shape] as const))('im2col and col2imTapMajor, %s', (_, shape) => {
    const [n, c, h, wd, k, s, p, q] = shape;
    const w: ImageWindow = windowOf(c, h, wd, k, s, p, q);
    const rng = new Rng(n * 100 + c * 10 + k);
    const x = values(n * c * h * wd, rng);
    const taps = n * w.outHeight * w.outWidth * c * k * k;
    const dcols = values(taps, rng);
    const cols = new Float32Array(taps);
    const dx = new Float32Array(x.length);
    reference.im2col(n, w, x, cols);
    reference.col2imTapMajor(n, w, dcols, dx);
    for (const { label, kernels } of fast) {
      const theirCols = place(kernels, new Float32Array(taps).fill(NaN));
      kernels.im2col(n, w, place(kernels, x), theirCols);
      expect(bits(theirCols), `${label} im2col ${describeWindow(shape)}`).toEqual(bits(cols));
      const theirDx = place(kernels, new Float32Array(x.length).fill(NaN));
      kernels.col2imTapMajor(n, w, place(kernels, dcols), theirDx);
      expect(bits(theirDx), `${label} col2imTapMajor ${describeWindow(shape)}`).toEqual(bits(dx));
    }
  });

  it.each([
    [2, 3, 6, 6, 2, 2],
    [3, 4, 7, 9, 2, 2],
    [1, 2, 7, 7, 3, 2],
    [2, 32, 26, 26, 2, 2],
    [9, 32, 26, 26, 2, 2],
    [5, 8, 27, 27, 3, 2],
  ])('maxPool2d and its backward, %i×[%i, %i, %i] window %i stride %i', (n, c, h, wd, k, s) => {
    const w = windowOf(c, h, wd, k, s, 0);
    const rng = new Rng(h * wd + k);
    const x = values(n * c * h * wd, rng);
    x[5] = NaN;
    const outputs = n * c * w.outHeight * w.outWidth;
    const y = new Float32Array(outputs);
    const winners = new Int32Array(outputs);
    reference.maxPool2d(n, w, x, y, winners);
    const dy = values(outputs, rng);
    const dx = new Float32Array(x.length);
    reference.maxPool2dBackward(n, outputs, x.length, dy, winners, dx);
    for (const { label, kernels } of fast) {
      const theirY = place(kernels, new Float32Array(outputs));
      const theirWinners = placeInts(kernels, outputs);
      kernels.maxPool2d(n, w, place(kernels, x), theirY, theirWinners);
      expect(bits(theirY), `${label} maxPool2d`).toEqual(bits(y));
      expect(Array.from(theirWinners), `${label} winners`).toEqual(Array.from(winners));
      const theirDx = place(kernels, new Float32Array(x.length).fill(NaN));
      kernels.maxPool2dBackward(n, outputs, x.length, place(kernels, dy), theirWinners, theirDx);
      expect(bits(theirDx), `${label} maxPool2dBackward`).toEqual(bits(dx));
    }
  });

  it('maxPool2dBackward refuses a winner outside its image instead of writing there', () => {
    for (const { label, kernels } of fast) {
      const winners = placeInts(kernels, 2);
      winners.set([0, 4]);
      expect(() => kernels.maxPool2dBackward(1, 2, 4, place(kernels, [1, 2]), winners, kernels.alloc(4)), label).toThrow(
        /winner 4 of output 1 is outside its image's inputs/,
      );
      winners.set([0, 1]); // image 1's output won in image 0
      expect(() => kernels.maxPool2dBackward(2, 2, 4, place(kernels, [1, 2]), winners, kernels.alloc(4)), label).toThrow(
        /winner 1 of output 1 is outside its image's inputs/,
      );
    }
  });

  it.each([
    [64, 32, 676],
    [3, 5, 7],
    [2, 3, 1],
  ])(
    'sumChannels of %i images, %i channels, %i positions: within one float32 rounding (both sum in float64)',
    (images, channels, positions) => {
      const x = values(images * channels * positions, new Rng(positions));
      const expected = new Float32Array(channels);
      reference.sumChannels(images, channels, positions, x, expected);
      for (const { label, kernels } of fast) {
        const theirs = place(kernels, new Float32Array(channels).fill(NaN));
        kernels.sumChannels(images, channels, positions, place(kernels, x), theirs);
        theirs.forEach((v, c) =>
          expect(Math.abs(v - expected[c]), `${label} channel ${c}`).toBeLessThanOrEqual(2 ** -23 * Math.abs(expected[c])),
        );
      }
    },
  );

  it.each([
    [3, 121, 64],
    [2, 5, 7],
    [1, 676, 32],
    [9, 121, 64],
  ])('transposeSamples of %i samples [%i, %i]', (count, rows, cols) => {
    const x = values(count * rows * cols, new Rng(rows));
    const y = new Float32Array(x.length);
    reference.transposeSamples(count, rows, cols, x, y);
    for (const { label, kernels } of fast) {
      const theirs = place(kernels, new Float32Array(x.length));
      kernels.transposeSamples(count, rows, cols, place(kernels, x), theirs);
      expect(bits(theirs), label).toEqual(bits(y));
    }
  });

  it.each([5, 40_000, 100_003])('relu and its backward over %i values', (n) => {
    const rng = new Rng(n);
    const x = values(n, rng);
    x[3] = NaN;
    const dy = values(n, rng);
    const y = new Float32Array(n);
    const dx = new Float32Array(n);
    reference.relu(n, x, y);
    reference.reluBackward(n, x, dy, dx);
    for (const { label, kernels } of fast) {
      const theirY = place(kernels, new Float32Array(n));
      const theirDx = place(kernels, new Float32Array(n));
      const theirX = place(kernels, x);
      kernels.relu(n, theirX, theirY);
      kernels.reluBackward(n, theirX, place(kernels, dy), theirDx);
      expect(bits(theirY), `${label} relu`).toEqual(bits(y));
      expect(bits(theirDx), `${label} reluBackward`).toEqual(bits(dx));
    }
  });
});
