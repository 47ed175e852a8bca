import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Param } from '../layers/layer.js';
import { makeOptimizer, type OptimizerOptions } from '../optimizers/make-optimizer.js';
import { NonFiniteError } from '../tensor/finite.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { setKernels } from './index.js';
import type { Kernels } from './kernels.js';
import { loadNativeAddon } from './native/native.js';
import { reference } from './reference.js';
import { createWasmKernels, type WasmKernels } from './wasm/backend.js';

// The optimizers' kernels on every backend against the reference: js, wasm (relaxed and plain builds)
// and native (its optimizer kernels are the wasm ones, run from its own memory).
const native = await loadNativeAddon();
const fast: { label: string; kernels: WasmKernels }[] = [];

beforeAll(async () => {
  const made = [await createWasmKernels({ threads: 0 }), await createWasmKernels({ threads: 0, relaxedSimd: false })];
  if (!('reason' in native)) made.push(await createWasmKernels({ threads: 0, native: true }));
  for (const k of made) fast.push({ label: k.isa ? `native ${k.isa}` : `wasm ${k.build}`, kernels: k });
});
afterAll(async () => {
  setKernels(reference);
  for (const { kernels: k } of fast) await k.close();
});

/** Sizes with every tail length after whole groups of four lanes. */
const SIZES = [1, 3, 4, 6, 33, 1001];
const TINY = 2 ** -126; // the smallest normal float32
const SMALLEST = 2 ** -149; // the smallest subnormal

/** n floats uniform in [lo, hi). */
function draw(rng: Rng, n: number, lo = -1, hi = 1): number[] {
  return Array.from({ length: n }, () => rng.uniformIn(lo, hi));
}

/** `values` in a buffer of k's own memory (or a plain array for the reference). */
function place(k: Kernels, values: ArrayLike<number>): Float32Array {
  const out = k.alloc(values.length);
  out.set(values);
  return out;
}

/** Float32 rounding of separate operations against the reference's float64: within 2e-6 of the largest magnitude. */
function expectNear(actual: Float32Array, expected: Float32Array, label: string): void {
  const scale = Math.max(1e-30, ...Array.from(expected, Math.abs));
  expected.forEach((e, i) =>
    expect(Math.abs(actual[i] - e), `${label} [${i}]: ${actual[i]} vs ${e}`).toBeLessThanOrEqual(2e-6 * scale),
  );
}

/** One kernel call, given the backend and its buffers (grad, value, then the state), on a problem of size n. */
interface Update {
  name: string;
  /** Buffer contents: grad, value, then each state buffer. */
  inputs: (rng: Rng, n: number) => number[][];
  run: (k: Kernels, n: number, buffers: Float32Array[]) => void;
}

const positive = (rng: Rng, n: number) => draw(rng, n, 0, 2);
const updates: Update[] = [
  {
    name: 'sgdDecayStep: θ ← θ − lr·(g + λθ)',
    inputs: (rng, n) => [draw(rng, n), draw(rng, n)],
    run: (k, n, [g, v]) => k.sgdDecayStep(n, 0.1, 0.01, g, v),
  },
  {
    name: 'momentumStep (classical, dampening 0.3, decay): b ← μb + (1 − τ)g',
    inputs: (rng, n) => [draw(rng, n), draw(rng, n), draw(rng, n)],
    run: (k, n, [g, v, b]) => k.momentumStep(n, 0.05, 0.01, 0.8, 0.3, false, false, g, v, b),
  },
  {
    name: 'momentumStep (Nesterov): d = g + μb',
    inputs: (rng, n) => [draw(rng, n), draw(rng, n), draw(rng, n)],
    run: (k, n, [g, v, b]) => k.momentumStep(n, 0.05, 0, 0.9, 0, true, false, g, v, b),
  },
  {
    name: 'momentumStep, first step: b ← g whatever the buffer held',
    inputs: (rng, n) => [draw(rng, n), draw(rng, n), draw(rng, n, 5, 9)],
    run: (k, n, [g, v, b]) => k.momentumStep(n, 0.05, 0.01, 0.9, 0.5, true, true, g, v, b),
  },
  {
    name: 'adamStep (coupled decay, step 3)',
    inputs: (rng, n) => [draw(rng, n), draw(rng, n), draw(rng, n, -0.1, 0.1), positive(rng, n)],
    run: (k, n, [g, v, m, s]) =>
      k.adamStep(n, 0.01 / (1 - 0.9 ** 3), Math.sqrt(1 - 0.999 ** 3), 0.9, 0.999, 1e-8, 0.01, 1, g, v, m, s),
  },
  {
    name: 'adamStep (AdamW: shrink 1 − lr·λ, no coupled decay)',
    inputs: (rng, n) => [draw(rng, n), draw(rng, n), draw(rng, n, -0.1, 0.1), positive(rng, n)],
    run: (k, n, [g, v, m, s]) => k.adamStep(n, 0.02 / 0.2, Math.sqrt(0.01), 0.8, 0.99, 1e-6, 0, 1 - 0.02 * 0.1, g, v, m, s),
  },
  {
    name: 'rmspropStep (plain, decay)',
    inputs: (rng, n) => [draw(rng, n), draw(rng, n), positive(rng, n)],
    run: (k, n, [g, v, s]) => k.rmspropStep(n, 0.01, 0.99, 1e-8, 0.01, 0, g, v, s, null, null),
  },
  {
    name: 'rmspropStep (centered, momentum 0.5)',
    // s ≥ a² + margin, so the centered variance s − a² stays positive
    inputs: (rng, n) => [draw(rng, n), draw(rng, n), draw(rng, n, 1, 2), draw(rng, n, -0.5, 0.5), draw(rng, n)],
    run: (k, n, [g, v, s, a, b]) => k.rmspropStep(n, 0.01, 0.9, 1e-8, 0, 0.5, g, v, s, a, b),
  },
  {
    name: 'adagradStep (decay)',
    inputs: (rng, n) => [draw(rng, n), draw(rng, n), positive(rng, n)],
    run: (k, n, [g, v, s]) => k.adagradStep(n, 0.1, 1e-10, 0.01, g, v, s),
  },
  {
    name: 'scaleInPlace: x ← 0.3·x',
    inputs: (rng, n) => [draw(rng, n)],
    run: (k, n, [x]) => k.scaleInPlace(n, 0.3, x),
  },
];

describe('optimizer kernels: every backend writes what the reference writes', () => {
  for (const update of updates) {
    it(`${update.name}, at sizes ${SIZES.join(', ')}`, () => {
      for (const n of SIZES) {
        const inputs = update.inputs(new Rng(n), n);
        const expected = inputs.map((values) => Float32Array.from(values));
        update.run(reference, n, expected);
        for (const { label, kernels: k } of fast) {
          const buffers = inputs.map((values) => place(k, values));
          update.run(k, n, buffers);
          buffers.forEach((buffer, i) => expectNear(buffer, expected[i], `${label} n=${n} buffer ${i}`));
        }
      }
    });
  }

  it('sumOfSquares sums in float64: 1001 squares of 1024·(1 + 2⁻²⁰) to 1e-15 (float32 lanes would lose their 2⁻²⁰ terms), NaN and Inf propagate', () => {
    for (const n of SIZES) {
      const x = draw(new Rng(n), n);
      const expected = reference.sumOfSquares(n, Float32Array.from(x));
      for (const { label, kernels: k } of fast) {
        expect(Math.abs(k.sumOfSquares(n, place(k, x)) - expected), `${label} n=${n}`).toBeLessThanOrEqual(1e-15 * expected);
      }
    }
    const value = 1024 * (1 + 2 ** -20); // a float32 whose square, 2^20 + 2 + 2^-20, needs 41 bits
    for (const { label, kernels: k } of [{ label: 'js', kernels: reference }, ...fast]) {
      const sum = k.sumOfSquares(1001, place(k, new Array<number>(1001).fill(value)));
      expect(Math.abs(sum - 1001 * value * value), label).toBeLessThanOrEqual(1e-15 * sum);
      expect(k.sumOfSquares(5, place(k, [1, 2, NaN, 3, 4])), `${label}: NaN`).toBeNaN();
      expect(k.sumOfSquares(6, place(k, [1, 2, 3, 4, 5, -Infinity])), `${label}: −Inf in the tail`).toBe(Infinity);
    }
  });
});

describe('optimizer kernels flush subnormals: |v| < 2^-126 is written as +0, on every backend', () => {
  it('without the flush a decaying buffer sticks: 0.9·2^-149 rounds back to 2^-149', () => {
    expect(Math.fround(0.9 * SMALLEST)).toBe(SMALLEST);
  });

  // Nine entries (two groups of four and a tail); the gradient is 0, so b ← 0.9·b and θ ← θ − 0.1·b.
  // 0.9·2^-126 is subnormal: flushed; 2^-100 decays to a normal number: kept; NaN: kept.
  const buffer = [SMALLEST, -SMALLEST, TINY, -TINY, 2 ** -100, NaN, 1e-39, 4 * TINY, SMALLEST];
  const flushedBuffer = [0, 0, 0, 0, Math.fround(0.9 * 2 ** -100), NaN, 0, Math.fround(3.6 * TINY), 0];
  const value = [1, 1, 1, 1, 1, 1, 1e-39, 1, -SMALLEST];
  it('momentum: b and θ (decaying state, subnormal weights) become +0; normal values and NaN are kept', () => {
    for (const { label, kernels: k } of [{ label: 'js', kernels: reference }, ...fast]) {
      const b = place(k, buffer);
      const v = place(k, value);
      k.momentumStep(9, 0.1, 0, 0.9, 0, false, false, place(k, new Array<number>(9).fill(0)), v, b);
      expect(Array.from(b), label).toEqual(flushedBuffer);
      expect(Object.is(b[1], 0), `${label}: +0, not −0`).toBe(true);
      expect(v[6], `${label}: a subnormal weight`).toBe(0);
      expect(v[8], `${label}: a subnormal weight in the tail`).toBe(0);
      expect(v[5], `${label}: NaN momentum`).toBeNaN();
    }
  });

  it("Adam's moments: m and v decaying below 2^-126 become +0 (powers of two, so float32 and float64 products agree)", () => {
    const decayed = (beta: number, x: number) => Math.fround(beta) * x;
    for (const { label, kernels: k } of [{ label: 'js', kernels: reference }, ...fast]) {
      const m = place(k, [SMALLEST, TINY, 2 ** -120, -(2 ** -120), 1, SMALLEST]);
      const v = place(k, [SMALLEST, TINY, 2 ** -120, 2 ** -120, 1, SMALLEST]);
      const theta = place(k, [1, 1, 1, 1, 1, 1]);
      k.adamStep(6, 0.001, 1, 0.9, 0.999, 1e-8, 0, 1, place(k, [0, 0, 0, 0, 0, 0]), theta, m, v);
      expect(Array.from(m), label).toEqual([0, 0, decayed(0.9, 2 ** -120), -decayed(0.9, 2 ** -120), decayed(0.9, 1), 0]);
      expect(Array.from(v), label).toEqual([0, 0, decayed(0.999, 2 ** -120), decayed(0.999, 2 ** -120), decayed(0.999, 1), 0]);
      expect(theta[0], `${label}: m = 0 leaves θ`).toBe(1);
    }
  });
});

// ---- The optimizers on the fast backend, against the same optimizers on the reference ----

const configs: { label: string; optimizer: string; options: OptimizerOptions }[] = [
  { label: 'sgd', optimizer: 'sgd', options: { lr: 0.1 } },
  { label: 'sgd + weight decay + clipping', optimizer: 'sgd', options: { lr: 0.1, weightDecay: 0.05, clipNorm: 0.5 } },
  { label: 'momentum with dampening', optimizer: 'momentum', options: { lr: 0.05, momentum: 0.8, dampening: 0.3 } },
  { label: 'nesterov + clipping', optimizer: 'nesterov', options: { lr: 0.05, momentum: 0.9, weightDecay: 0.01, clipNorm: 1 } },
  { label: 'adam', optimizer: 'adam', options: { lr: 0.01, weightDecay: 0.01 } },
  { label: 'adamw', optimizer: 'adamw', options: { lr: 0.01, weightDecay: 0.1 } },
  { label: 'rmsprop centered with momentum', optimizer: 'rmsprop', options: { lr: 0.01, momentum: 0.5, centered: true } },
  { label: 'adagrad', optimizer: 'adagrad', options: { lr: 0.1, weightDecay: 0.01, initialAccumulator: 0.1 } },
];

/** Two parameters (odd sizes) in the active backend's memory, from seeded values. */
function params(k: Kernels): Param[] {
  const rng = new Rng(7);
  return [
    { name: '0.weight', shape: [7, 5] },
    { name: '0.bias', shape: [5] },
  ].map(({ name, shape }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    return { name, value: new Tensor(place(k, draw(rng, size)), shape), grad: new Tensor(k.alloc(size), shape) };
  });
}

/** `steps` steps of g = 2·(θ − 0.3) + noise_t (the noise seeded, the same on every backend); returns θ after each. */
function train(k: Kernels, optimizer: ReturnType<typeof makeOptimizer>, ps: Param[], steps: number, from = 0): number[][] {
  setKernels(k);
  const out: number[][] = [];
  for (let t = from; t < from + steps; t++) {
    const noise = new Rng(100 + t);
    for (const p of ps)
      for (let i = 0; i < p.value.size; i++) p.grad.data[i] = 2 * (p.value.data[i] - 0.3) + noise.uniformIn(-0.5, 0.5);
    optimizer.step(ps);
    out.push(ps.flatMap((p) => Array.from(p.value.data)));
  }
  return out;
}

describe('every optimizer on the fast backends follows its reference trajectory', () => {
  for (const { label, optimizer, options } of configs) {
    it(`${label}: 20 steps agree to 1e-5, and a run resumed from state() at step 8 continues bit for bit`, () => {
      const expected = train(reference, makeOptimizer(optimizer, options), params(reference), 20);
      for (const { label: backend, kernels: k } of fast) {
        setKernels(k);
        const ps = params(k);
        const first = makeOptimizer(optimizer, options);
        const whole = train(k, first, ps, 20);
        whole.forEach((row, t) =>
          row.forEach((v, i) =>
            expect(Math.abs(v - expected[t][i]), `${backend} step ${t + 1} θ[${i}]`).toBeLessThanOrEqual(1e-5),
          ),
        );
        // resumed: 8 steps, state() into a fresh optimizer, 12 more
        const again = params(k);
        const before = makeOptimizer(optimizer, options);
        train(k, before, again, 8);
        const after = makeOptimizer(optimizer, options);
        after.loadState(before.state());
        const resumed = train(k, after, again, 12, 8);
        expect(resumed, `${backend}: resumed`).toEqual(whole.slice(8));
      }
    });
  }

  it('a NaN or ±Inf gradient is refused on the fast backend before anything changes (without clipping and with it)', () => {
    for (const { label, kernels: k } of fast) {
      for (const clipNorm of [undefined, 1]) {
        setKernels(k);
        const ps = params(k);
        const optimizer = makeOptimizer('adam', { lr: 0.01, clipNorm });
        train(k, optimizer, ps, 2);
        const state = optimizer.state();
        const values = ps.map((p) => Array.from(p.value.data));
        ps[1].grad.data[3] = Infinity;
        expect(() => optimizer.step(ps), `${label} clip ${clipNorm}`).toThrow(
          new NonFiniteError("the gradient of '0.bias' is Infinity at index 3"),
        );
        expect(ps.map((p) => Array.from(p.value.data))).toEqual(values);
        expect(optimizer.state()).toEqual(state);
      }
    }
  });
});

describe('optimizer kernels shared between threads', () => {
  it('an update of 100,003 values (above UPDATE_SPLIT) runs across the threads and writes the single thread’s bits, on wasm and native', async () => {
    const threaded = [await createWasmKernels({ threads: 1 })];
    if (!('reason' in native)) threaded.push(await createWasmKernels({ threads: 1, native: true }));
    const single = fast[0].kernels;
    const n = 100_003; // past the split, with a tail that is not a whole chunk or a multiple of four
    try {
      for (const update of updates.filter((u) => !u.name.startsWith('scaleInPlace'))) {
        const inputs = update.inputs(new Rng(7), n);
        const expected = inputs.map((values) => place(single, values));
        update.run(single, n, expected);
        for (const k of threaded) {
          const buffers = inputs.map((values) => place(k, values));
          update.run(k, n, buffers);
          buffers.forEach((buffer, i) => expect(buffer, `${k.name} ${update.name} buffer ${i}`).toEqual(expected[i]));
        }
      }
    } finally {
      for (const k of threaded) await k.close();
    }
  });
});
