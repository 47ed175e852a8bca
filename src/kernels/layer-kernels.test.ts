import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kernels } from './kernels.js';
import { reference } from './reference.js';
import { loadNativeAddon } from './native/native.js';
import { createWasmKernels, type WasmKernels } from './wasm/backend.js';
import { setKernels } from './index.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { BatchNorm } from '../layers/batch-norm.js';
import { Dropout } from '../layers/dropout.js';
import { LeakyReLU, ReLU, Sigmoid, Tanh } from '../layers/activations.js';
import type { Layer } from '../layers/layer.js';
import { randomTensor } from '../../test/helpers.js';

// The batch norm and dropout kernels on every backend against the reference: js, wasm (the fused
// multiply–add build and the plain one) and native with every instruction set this CPU runs.
const native = await loadNativeAddon();
const nativeIsas = 'reason' in native ? [] : native.addon.isas();
const fast: { label: string; kernels: Kernels }[] = [];
const owned: WasmKernels[] = [];

beforeAll(async () => {
  owned.push(await createWasmKernels({ threads: 0 }), await createWasmKernels({ threads: 0, relaxedSimd: false }));
  for (const nativeIsa of nativeIsas) owned.push(await createWasmKernels({ threads: 0, native: true, nativeIsa }));
  for (const k of owned) fast.push({ label: k.isa ? `native ${k.isa}` : `wasm ${k.build}`, kernels: k });
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

/** `length` uniform values in [low, high). */
function uniform(length: number, rng: Rng, low = -1, high = 1): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.uniformIn(low, high);
  return out;
}

/** Equal within `ulps` float32 roundings of the larger of |expected| and `floor` (NaN where NaN); names the first miss. */
function expectClose(actual: Float32Array, expected: Float32Array, label: string, ulps = 4, floor = 1): void {
  expect(actual.length, label).toBe(expected.length);
  const miss = expected.findIndex((e, i) =>
    Number.isNaN(e) ? !Number.isNaN(actual[i]) : !(Math.abs(actual[i] - e) <= ulps * 2 ** -23 * Math.max(Math.abs(e), floor)),
  );
  expect(miss < 0 ? 'none' : `[${miss}]: ${actual[miss]} vs ${expected[miss]}`, `${label}: first value off`).toBe('none');
}

// [outer, channels, inner]: BatchNorm1d's [batch, features] (inner 1; channel counts with and without a
// tail of fewer than four) and BatchNorm2d-like NCHW (inner = H·W, with and without a tail along it).
const layouts = [
  [5, 7, 1],
  [64, 256, 1],
  [3, 13, 1],
  [4, 3, 9],
  [2, 5, 16],
  [3, 2, 1 + 4 * 7],
] as const;

/**
 * Batch norm's three kernels on one backend, each fed what the reference computed before it (its μ, 1/√(σ² + ε)
 * and x̂), so each kernel is compared on the same input.
 */
function batchNormOnce(
  k: Kernels,
  outer: number,
  channels: number,
  inner: number,
  inputs: Inputs,
  batchStatistics: boolean,
  before: { mean: Float32Array; inverseStd: Float32Array; xhat: Float32Array } | null = null,
) {
  const x = place(k, inputs.x);
  const [mean, variance] = [k.alloc(channels), k.alloc(channels)];
  k.batchNormStatistics(outer, channels, inner, x, mean, variance);
  const inverseStd = place(
    k,
    Array.from(variance, (v) => 1 / Math.sqrt(v + 1e-5)),
  );
  const [xhat, y] = [k.alloc(x.length), k.alloc(x.length)];
  const gamma = place(k, inputs.gamma),
    beta = place(k, inputs.beta);
  const given = before && { mean: place(k, before.mean), inverseStd: place(k, before.inverseStd), xhat: place(k, before.xhat) };
  k.batchNormForward(outer, channels, inner, x, given?.mean ?? mean, given?.inverseStd ?? inverseStd, gamma, beta, xhat, y);
  const [dGamma, dBeta, dx] = [k.alloc(channels), k.alloc(channels), k.alloc(x.length)];
  const dy = place(k, inputs.dy);
  k.batchNormBackward(
    outer,
    channels,
    inner,
    given?.xhat ?? xhat,
    dy,
    gamma,
    given?.inverseStd ?? inverseStd,
    batchStatistics,
    dGamma,
    dBeta,
    dx,
  );
  return { mean, variance, inverseStd, xhat, y, dGamma, dBeta, dx };
}
interface Inputs {
  x: Float32Array;
  dy: Float32Array;
  gamma: Float32Array;
  beta: Float32Array;
}
function inputsFor(outer: number, channels: number, inner: number, seed: number): Inputs {
  const rng = new Rng(seed);
  const n = outer * channels * inner;
  return {
    x: uniform(n, rng, -2, 3),
    dy: uniform(n, rng),
    gamma: uniform(channels, rng, 0.5, 1.5),
    beta: uniform(channels, rng),
  };
}

describe('batch norm kernels', () => {
  it('agree with the reference on every backend, for [batch, features] and [N, C, H·W] layouts, with batch and running statistics', () => {
    for (const [outer, channels, inner] of layouts) {
      for (const batchStatistics of [true, false]) {
        const inputs = inputsFor(outer, channels, inner, outer * 100 + channels);
        const want = batchNormOnce(reference, outer, channels, inner, inputs, batchStatistics);
        for (const { label, kernels } of fast) {
          const got = batchNormOnce(kernels, outer, channels, inner, inputs, batchStatistics, want);
          const at = `${label} [${outer}, ${channels}, ${inner}] ${batchStatistics ? 'train' : 'eval'}`;
          if (inner === 1) {
            // one lane per channel adds the rows in the reference's order, in float64 as it does: the same bits
            for (const sum of ['mean', 'variance', 'dGamma', 'dBeta'] as const)
              expect(Array.from(got[sum]), `${at} ${sum}`).toEqual(Array.from(want[sum]));
          } else {
            for (const sum of ['mean', 'variance', 'dGamma', 'dBeta'] as const)
              expectClose(got[sum], want[sum], `${at} ${sum}`, 1, 0);
          }
          expectClose(got.xhat, want.xhat, `${at} xhat`);
          expectClose(got.y, want.y, `${at} y`);
          // dx = γ·s/N·(N·dy − dβ − x̂·dγ) cancels: its error is relative to the terms (|dy|·γ·s ≈ 1), not to dx
          expectClose(got.dx, want.dx, `${at} dx`, 16);
        }
      }
    }
  });

  it('computes μ and σ² per channel: x = [1, 3] and [2, 2] give μ = 2, 2 and σ² = 1, 0 (inner 1), and per channel over N·H·W', () => {
    for (const k of [reference, ...fast.map((b) => b.kernels)]) {
      const [mean, variance] = [k.alloc(2), k.alloc(2)];
      k.batchNormStatistics(2, 2, 1, place(k, [1, 2, 3, 2]), mean, variance);
      expect([...mean, ...variance]).toEqual([2, 2, 1, 0]);
      // [2, 2, 5]: channel 0 holds 0..4 and 10..14 (μ = 7, σ² = 27), channel 1 holds 5..9 and 15..19 (μ = 12)
      k.batchNormStatistics(
        2,
        2,
        5,
        place(
          k,
          Array.from({ length: 20 }, (_, i) => i),
        ),
        mean,
        variance,
      );
      expect([...mean, ...variance]).toEqual([7, 12, 27, 27]);
    }
  });

  it('keeps σ² accurate where a one-pass Σx² − Nμ² in float32 would lose it: values 1000 ± 0.001 over 2·4096 per channel', () => {
    const [outer, channels, inner] = [2, 3, 4096];
    const rng = new Rng(3);
    const x = new Float32Array(outer * channels * inner);
    for (let i = 0; i < x.length; i++) x[i] = 1000 + rng.uniformIn(-0.001, 0.001);
    // the exact statistics of the float32 values, in float64
    const exact = { mean: [] as number[], variance: [] as number[] };
    for (let c = 0; c < channels; c++) {
      const values: number[] = [];
      for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) values.push(x[(o * channels + c) * inner + i]);
      const mu = values.reduce((a, b) => a + b, 0) / values.length;
      exact.mean.push(mu);
      exact.variance.push(values.reduce((a, b) => a + (b - mu) ** 2, 0) / values.length);
    }
    for (const k of [reference, ...fast.map((b) => b.kernels)]) {
      const [mean, variance] = [k.alloc(channels), k.alloc(channels)];
      k.batchNormStatistics(outer, channels, inner, place(k, x), mean, variance);
      for (let c = 0; c < channels; c++) {
        expect(mean[c]).toBe(Math.fround(exact.mean[c]));
        expect(Math.abs(variance[c] - exact.variance[c]) / exact.variance[c]).toBeLessThan(1e-6);
      }
    }
  });

  it("propagate a NaN into its own channel's statistics and gradients only", () => {
    for (const [outer, channels, inner] of [
      [6, 5, 1],
      [2, 5, 7],
    ]) {
      const inputs = inputsFor(outer, channels, inner, 4);
      inputs.x[(1 * channels + 2) * inner] = NaN; // channel 2
      for (const k of [reference, ...fast.map((b) => b.kernels)]) {
        const got = batchNormOnce(k, outer, channels, inner, inputs, true);
        expect(Array.from(got.mean, Number.isNaN)).toEqual([false, false, true, false, false]);
        expect(Array.from(got.variance, Number.isNaN)).toEqual([false, false, true, false, false]);
        expect(Array.from(got.dGamma, Number.isNaN)).toEqual([false, false, true, false, false]);
        expect(Array.from(got.dBeta, Number.isNaN)).toEqual([false, false, false, false, false]);
      }
    }
  });

  it('leave dx alone when it is not wanted (null), still writing dγ and dβ', () => {
    for (const k of [reference, ...fast.map((b) => b.kernels)]) {
      const [dGamma, dBeta] = [k.alloc(3), k.alloc(3)];
      const ones = place(k, [1, 1, 1, 1, 1, 1]);
      k.batchNormBackward(2, 3, 1, place(k, [1, -1, 0.5, -1, 1, 0.5]), ones, ones, ones, true, dGamma, dBeta, null);
      expect([...dGamma, ...dBeta]).toEqual([0, 0, 1, 2, 2, 2]);
    }
  });
});

/** The masks the TypeScript Rng gives: mask_i = 0 if uniform() < p else f32(1/(1 − p)). */
function rngMasks(seed: number, n: number, p: number): { masks: Float32Array; rng: Rng } {
  const rng = new Rng(seed);
  const masks = new Float32Array(n);
  for (let i = 0; i < n; i++) masks[i] = rng.uniform() < p ? 0 : 1 / (1 - p);
  return { masks, rng };
}

/** A backend's dropout over x from the stream of Rng(seed): its mask, output and the stream's state after. */
function dropoutOnce(k: Kernels, seed: number, p: number, x: Float32Array, calls: readonly number[] = [x.length]) {
  const words = k.alloc(4);
  const state = new Uint32Array(words.buffer, words.byteOffset, 4);
  state.set(new Rng(seed).state().s);
  const [xs, y, mask] = [place(k, x), k.alloc(x.length), k.alloc(x.length)];
  let at = 0;
  for (const n of calls) {
    k.dropout(n, p, state, xs.subarray(at), y.subarray(at), mask.subarray(at));
    at += n;
  }
  return { mask, y, state: Array.from(state) };
}

describe('dropout kernels', () => {
  it('draw the same masks as the TypeScript Rng on every backend, leave its state where the Rng would be, and multiply y = x·m exactly', () => {
    for (const p of [0.2, 0.5, 0.9, 1e-9]) {
      for (const n of [1, 7, 64 * 256 + 3]) {
        const x = uniform(n, new Rng(n));
        const { masks, rng } = rngMasks(11, n, p);
        for (const k of [reference, ...fast.map((b) => b.kernels)]) {
          const got = dropoutOnce(k, 11, p, x);
          expect(got.mask, `${k.name} p=${p} n=${n}`).toEqual(masks);
          expect(got.state).toEqual(rng.state().s);
          expect(got.y).toEqual(Float32Array.from(x, (v, i) => Math.fround(v * masks[i])));
        }
      }
    }
  });

  it('decide u/2^32 < p exactly near p = 1: p = 1 − 2^-32 keeps only u = 2^32 − 1, p = 1 − 2^-33 drops everything', () => {
    // the stream of Rng(seed) with its first word forced: state words whose next output is 2^32 − 1
    const x = new Float32Array(3).fill(1);
    for (const k of [reference, ...fast.map((b) => b.kernels)]) {
      const words = k.alloc(4);
      const state = new Uint32Array(words.buffer, words.byteOffset, 4);
      // u = rotl(s1·5, 7)·9: with s1 = the inverse of that map at 2^32 − 1, the first draw is the largest
      state.set([1, largestDrawWord(), 3, 4]);
      const [y, mask] = [k.alloc(3), k.alloc(3)];
      k.dropout(1, 1 - 2 ** -32, state, place(k, x), y, mask);
      expect(mask[0]).toBe(Math.fround(2 ** 32)); // kept, scaled by 1/(1 − p) = 2^32
      state.set([1, largestDrawWord(), 3, 4]);
      k.dropout(1, 1 - 2 ** -33, state, place(k, x), y, mask);
      expect(mask[0]).toBe(0);
    }
  });

  it('continue the stream across calls: two calls of 5 and 12 give the masks of one call of 17', () => {
    const x = uniform(17, new Rng(1));
    for (const k of [reference, ...fast.map((b) => b.kernels)]) {
      expect(dropoutOnce(k, 5, 0.3, x, [5, 12])).toEqual(dropoutOnce(k, 5, 0.3, x));
    }
  });

  it('pass NaN through as x·m (NaN for a dropped NaN too, as x * mask in PyTorch), and backward is dy·m', () => {
    const x = Float32Array.from({ length: 9 }, (_, i) => (i % 4 === 1 ? NaN : i));
    for (const k of [reference, ...fast.map((b) => b.kernels)]) {
      const { mask, y } = dropoutOnce(k, 2, 0.5, x);
      expect(mask.some((m) => m === 0)).toBe(true);
      for (let i = 0; i < 9; i++) expect(Object.is(y[i], Math.fround(x[i] * mask[i])), `${k.name} ${i}`).toBe(true);
      const dy = place(k, uniform(9, new Rng(3)));
      const dx = k.alloc(9);
      k.dropoutBackward(9, mask, dy, dx);
      expect(dx).toEqual(Float32Array.from(dy, (g, i) => Math.fround(g * mask[i])));
    }
  });
});

/** s1 such that xoshiro128**'s output rotl(s1·5, 7)·9 is 2^32 − 1 (5 and 9 are odd, so invertible mod 2^32). */
function largestDrawWord(): number {
  const inverse = (a: number) => {
    let v = a; // Newton's iteration for the inverse mod 2^32
    for (let i = 0; i < 5; i++) v = Math.imul(v, 2 - Math.imul(a, v)) >>> 0;
    return v >>> 0;
  };
  const rotated = Math.imul(0xffffffff, inverse(9)) >>> 0;
  const product = ((rotated >>> 7) | (rotated << 25)) >>> 0;
  return Math.imul(product, inverse(5)) >>> 0;
}

/** Builds with `k` active (so the layer's buffers live in its memory), then puts the reference back. */
function withKernels<T>(k: Kernels, make: () => T): T {
  setKernels(k);
  try {
    return make();
  } finally {
    setKernels(reference);
  }
}

describe('the layers on every backend', () => {
  it('BatchNorm trains as on js over three batches: outputs, running statistics, dγ, dβ and dx agree; then eval', () => {
    const rng = new Rng(21);
    const batches = [0, 1, 2].map(() => randomTensor([32, 19], rng, -1, 4));
    const dy = randomTensor([32, 19], rng);
    const run = (k: Kernels) =>
      withKernels(k, () => {
        const bn = new BatchNorm(19);
        const seen: Float32Array[] = [];
        for (const x of batches) {
          const input = new Tensor(place(k, x.data), x.shape);
          seen.push(Float32Array.from(bn.forward(input, 'train').data));
          seen.push(Float32Array.from(bn.backward(new Tensor(place(k, dy.data), dy.shape))!.data));
          seen.push(Float32Array.from(bn.weight.grad.data), Float32Array.from(bn.bias.grad.data));
        }
        seen.push(Float32Array.from(bn.runningMean.data), Float32Array.from(bn.runningVar.data));
        seen.push(Float32Array.from(bn.forward(new Tensor(place(k, batches[0].data), [32, 19]), 'eval').data));
        return seen;
      });
    const want = run(reference);
    for (const { label, kernels } of fast) run(kernels).forEach((got, i) => expectClose(got, want[i], `${label} #${i}`, 16));
  });

  it('Dropout draws the same masks on every backend, and a random state saved on one resumes bit for bit on another', () => {
    const x = new Tensor(uniform(6 * 2 * 3 * 3, new Rng(1)), [6, 2, 3, 3]);
    const make = (k: Kernels) => withKernels(k, () => new Dropout(0.3, new Rng(8)));
    const forward = (k: Kernels, dropout: Dropout) => withKernels(k, () => Float32Array.from(dropout.forward(x, 'train').data));
    const js = make(reference);
    const first = forward(reference, js);
    const saved = js.randomState();
    const second = forward(reference, js);
    for (const { label, kernels } of fast) {
      const layer = make(kernels);
      expect(forward(kernels, layer), label).toEqual(first);
      expect(layer.randomState(), label).toEqual(saved);
      const resumed = make(kernels);
      resumed.setRandomState(saved);
      expect(forward(kernels, resumed), label).toEqual(second);
      expect(resumed.randomState()).toEqual(js.randomState());
      const back = make(reference); // saved on this backend, resumed on js
      back.setRandomState(layer.randomState());
      expect(forward(reference, back), label).toEqual(second);
    }
  });

  it('activations work on any sample shape: ReLU, leaky ReLU, sigmoid and tanh on [4, 2, 3, 3] equal their formulas', () => {
    const x = new Tensor(uniform(4 * 18, new Rng(2), -3, 3), [4, 2, 3, 3]);
    const dy = new Tensor(uniform(4 * 18, new Rng(3)), [4, 2, 3, 3]);
    const cases: [() => Layer, (v: number) => number, (v: number) => number][] = [
      [() => new ReLU(), (v) => Math.max(0, v), (v) => (v > 0 ? 1 : 0)],
      [() => new LeakyReLU(0.1), (v) => (v > 0 ? v : 0.1 * v), (v) => (v > 0 ? 1 : 0.1)],
      [() => new Sigmoid(), (v) => 1 / (1 + Math.exp(-v)), (v) => Math.exp(-v) / (1 + Math.exp(-v)) ** 2],
      [() => new Tanh(), Math.tanh, (v) => 1 - Math.tanh(v) ** 2],
    ];
    for (const k of [reference, ...fast.map((b) => b.kernels)]) {
      for (const [make, f, derivative] of cases) {
        withKernels(k, () => {
          const layer = make();
          const input = new Tensor(place(k, x.data), x.shape);
          const y = layer.forward(input, 'train');
          expect(y.shape).toEqual([4, 2, 3, 3]);
          expectClose(y.data, Float32Array.from(x.data, f), `${k.name} ${layer.type} y`, 4, 1e-3);
          const dx = layer.backward(new Tensor(place(k, dy.data), dy.shape), true)!;
          expect(dx.shape).toEqual([4, 2, 3, 3]);
          expectClose(
            dx.data,
            Float32Array.from(x.data, (v, i) => dy.data[i] * derivative(v)),
            `${k.name} ${layer.type} dx`,
            8, // tanh' = 1 − y² from the float32 y: its error is relative to 1, not to a small derivative
          );
        });
      }
    }
  });
});
