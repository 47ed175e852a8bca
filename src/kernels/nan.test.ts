import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kernels } from './kernels.js';
import { reference } from './reference.js';
import { loadNativeAddon } from './native/native.js';
import { createWasmKernels, type WasmKernels } from './wasm/backend.js';

// NaN and ±Inf go through every kernel as they go through PyTorch's: relu(NaN) = NaN, a NaN logit gives a
// NaN loss, argmax takes the first NaN. Each backend is checked on its own: js (the reference), wasm (the
// fused multiply-add build and the plain one) and native with every instruction set this CPU runs.
const native = await loadNativeAddon();
const nativeIsas = 'reason' in native ? [] : native.addon.isas();
const backends: { label: string; kernels: Kernels }[] = [{ label: 'js', kernels: reference }];
const owned: WasmKernels[] = [];

beforeAll(async () => {
  owned.push(await createWasmKernels({ threads: 0 }), await createWasmKernels({ threads: 0, relaxedSimd: false }));
  for (const nativeIsa of nativeIsas) owned.push(await createWasmKernels({ threads: 0, native: true, nativeIsa }));
  for (const k of owned) backends.push({ label: k.isa ? `native ${k.isa}` : `wasm ${k.build}`, kernels: k });
});
afterAll(async () => {
  for (const k of owned) await k.close();
});

/** `values` in a buffer of the backend's own memory, so its fast kernels (not a staged copy) run. */
function place(k: Kernels, values: ArrayLike<number>): Float32Array {
  const out = k.alloc(values.length);
  out.set(values);
  return out;
}

/** NaN and ±Inf exactly where expected; finite values to float32 rounding (js multiplies by a float64 slope). */
function expectValues(actual: Float32Array, expected: number[], label: string): void {
  expect(actual.length, label).toBe(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i];
    if (Number.isFinite(e)) expect(Math.abs(a - e), `${label} [${i}]: ${a} vs ${e}`).toBeLessThanOrEqual(1e-6 * Math.abs(e));
    else expect(a, `${label} [${i}]`).toBe(e); // toBe is Object.is: NaN is NaN
  });
}
// Nine values: two vectors of four and a scalar tail, NaN in both the vector part and the tail.
const X = [NaN, -1, 2, -0, Infinity, -Infinity, 0.5, -2, NaN];
const DY = [5, 6, 7, 8, 9, 10, 11, 12, 13];

describe('NaN passes through every kernel as in PyTorch, on every backend', () => {
  it('relu(NaN) = NaN (torch.relu), relu(±Inf) = Inf and 0, relu(−0) = +0; its gradient passes dy at NaN (threshold_backward: x ≤ 0 ? 0 : dy)', () => {
    for (const { label, kernels: k } of backends) {
      const y = k.alloc(X.length);
      k.relu(X.length, place(k, X), y);
      expect(Array.from(y), label).toEqual([NaN, 0, 2, 0, Infinity, 0, 0.5, 0, NaN]);
      expect(Object.is(y[3], 0), `${label}: relu(−0) is +0`).toBe(true);
      const dx = k.alloc(X.length);
      k.reluBackward(X.length, place(k, X), place(k, DY), dx);
      expect(Array.from(dx), label).toEqual([5, 0, 7, 0, 9, 0, 11, 0, 13]);
    }
  });

  it('leaky ReLU (slope 0.1) gives NaN for NaN, and slope·dy as its gradient there (torch leaky_relu_backward: x > 0 ? dy : slope·dy)', () => {
    for (const { label, kernels: k } of backends) {
      const y = k.alloc(X.length);
      k.leakyRelu(X.length, 0.1, place(k, X), y);
      expectValues(y, [NaN, -0.1, 2, -0, Infinity, -Infinity, 0.5, -0.2, NaN], label);
      const dx = k.alloc(X.length);
      k.leakyReluBackward(X.length, 0.1, place(k, X), place(k, DY), dx);
      expectValues(dx, [0.5, 0.6, 7, 0.8, 9, 1, 11, 1.2, 1.3], label);
    }
  });

  it('sigmoid and tanh give NaN for NaN', () => {
    for (const { label, kernels: k } of backends) {
      const y = k.alloc(3);
      k.sigmoid(3, place(k, [NaN, 0, Infinity]), y);
      expect(Array.from(y), label).toEqual([NaN, 0.5, 1]);
      k.tanh(3, place(k, [NaN, 0, -Infinity]), y);
      expect(Array.from(y), label).toEqual([NaN, 0, -1]);
    }
  });

  // Column 2 of the bias is NaN, and row 1 of A holds a NaN: C = act(A·B + bias) is NaN in column 2 and in
  // row 1 whatever the activation, on the wide path (64 columns), the narrow one (5) and the transposed ones.
  it('the product epilogue act(A·B + bias) keeps NaN for ReLU, leaky ReLU and none, in every product', () => {
    for (const [transA, transB, n] of [
      [false, false, 64],
      [false, false, 5],
      [true, false, 17],
      [false, true, 17],
    ] as const) {
      const [m, k] = [3, 8];
      const a = Array.from({ length: m * k }, (_, i) => (i % 3 === 0 ? 0 : ((i % 7) - 3) / 4));
      a[transA ? 2 * m + 1 : 1 * k + 2] = NaN; // A[1, 2]
      const b = Array.from({ length: k * n }, (_, i) => ((i % 5) - 2) / 3);
      const bias = Array.from({ length: n }, (_, j) => (j === 2 ? NaN : -0.25));
      for (const reluSlope of [0, 0.1, undefined]) {
        for (const { label, kernels: kk } of backends) {
          const c = kk.alloc(m * n);
          kk.gemm(transA, transB, m, n, k, place(kk, a), place(kk, b), c, false, { bias: place(kk, bias), reluSlope });
          for (let r = 0; r < m; r++) {
            for (let j = 0; j < n; j++) {
              const nan = r === 1 || j === 2;
              expect(
                Number.isNaN(c[r * n + j]),
                `${label} ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} slope ${reluSlope} C[${r},${j}]`,
              ).toBe(nan);
            }
          }
        }
      }
    }
  });

  it('the evaluation chain carries a NaN input row through ReLU layers to NaN outputs, and classes it as its first NaN (0)', () => {
    const widths = [20, 16, 4];
    const m = 3;
    const x = Array.from({ length: m * 20 }, (_, i) => ((i % 9) - 4) / 4);
    x[1 * 20 + 7] = NaN;
    const weights = widths.slice(1).map((units, i) => Array.from({ length: widths[i] * units }, (_, j) => ((j % 11) - 5) / 10));
    for (const { label, kernels: k } of backends) {
      const steps = widths.slice(1).map((units, i) => ({
        inputs: widths[i],
        units,
        weight: place(k, weights[i]),
        epilogue: { bias: k.alloc(units), reluSlope: i === 0 ? 0 : undefined },
      }));
      const outputs = steps.map((s) => k.alloc(m * s.units));
      const classes = new Int32Array(m).fill(-1);
      k.denseChain(m, place(k, x), steps, outputs, classes);
      for (const [i, out] of outputs.entries()) {
        const units = widths[i + 1];
        expect(out.subarray(units, 2 * units).every(Number.isNaN), `${label} layer ${i}: row 1 all NaN`).toBe(true);
        expect([...out.subarray(0, units), ...out.subarray(2 * units)].some(Number.isNaN), `${label} layer ${i}: rows 0, 2`).toBe(
          false,
        );
      }
      expect(classes[1], label).toBe(0);
    }
  });

  it('argmax counts NaN as the largest value, the first NaN winning (torch.argmax), in argmaxRows and at the end of a chain', () => {
    const rows = [1, NaN, 3, NaN, /* */ 4, 2, 4, 1, /* */ NaN, 9, 9, 9, /* */ 0, 1, 2, Infinity];
    for (const { label, kernels: k } of backends) {
      const classes = new Int32Array(4);
      k.argmaxRows(4, 4, place(k, rows), classes);
      expect(Array.from(classes), label).toEqual([1, 0, 0, 3]);
      // the chain's own arg-max: a zero weight and the bias [0.5, 2, NaN, 3] make every row's class 2
      const step = { inputs: 3, units: 4, weight: k.alloc(12), epilogue: { bias: place(k, [0.5, 2, NaN, 3]) } };
      const chained = new Int32Array(5);
      k.denseChain(5, place(k, new Array<number>(15).fill(1)), [step], [k.alloc(20)], chained);
      expect(Array.from(chained), label).toEqual([2, 2, 2, 2, 2]);
    }
  });

  it('softmax cross-entropy of a row with a NaN or +Inf logit is NaN (loss, probabilities, gradient); other rows stay finite', () => {
    const logits = [1, 2, 3, /* */ 1, NaN, 3, /* */ 0.5, 0, -1, /* */ Infinity, 0, 0];
    const labels = Int32Array.from([2, 0, 1, 1]);
    for (const { label, kernels: k } of backends) {
      const [probs, grad] = [k.alloc(12), k.alloc(12)];
      const loss = k.softmaxCrossEntropy(4, 3, place(k, logits), labels, probs, grad);
      expect(loss, label).toBeNaN();
      for (const r of [0, 2]) expect(Array.from(probs.subarray(3 * r, 3 * r + 3)).every(Number.isFinite), label).toBe(true);
      expect(Array.from(probs.subarray(3, 6)).every(Number.isNaN), label).toBe(true);
      expect(Array.from(grad.subarray(3, 6)).every(Number.isNaN), label).toBe(true);
      const softmax = k.alloc(12);
      k.softmax(4, 3, place(k, logits), softmax);
      expect(Array.from(softmax.subarray(3, 6)).every(Number.isNaN), label).toBe(true);
    }
  });

  it('firstNonFinite finds the first NaN or ±Inf at any position (SIMD groups and the tail), or gives −1', () => {
    for (const { label, kernels: k } of backends) {
      for (const n of [0, 1, 3, 4, 7, 8, 33]) {
        const x = k.alloc(n);
        for (let i = 0; i < n; i++) x[i] = (i % 5) - 2.5 + 1e30 * (i % 3); // large but finite
        expect(k.firstNonFinite(n, x), `${label} n=${n}`).toBe(-1);
        for (const bad of [NaN, Infinity, -Infinity]) {
          for (const at of [0, n >> 1, n - 1].filter((i) => i >= 0 && i < n)) {
            const saved = x[at];
            x[at] = bad;
            if (at + 1 < n) x[n - 1] = NaN; // a later one must not win
            expect(k.firstNonFinite(n, x), `${label} n=${n} ${bad} at ${at}`).toBe(at);
            x[at] = saved;
            if (at + 1 < n) x[n - 1] = ((n - 1) % 5) - 2.5 + 1e30 * ((n - 1) % 3);
          }
        }
      }
    }
  });

  it('runs on js, both wasm builds and (where the addon loads) native', () => {
    const labels = backends.map((b) => b.label);
    expect(labels.slice(0, 3)).toEqual(['js', 'wasm relaxed', 'wasm plain']);
    expect(labels.slice(3)).toEqual(nativeIsas.map((isa) => `native ${isa}`));
  });
});
