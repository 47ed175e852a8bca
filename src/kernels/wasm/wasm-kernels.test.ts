import { readdirSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kernels } from '../kernels.js';
import { reference } from '../reference.js';
import { Rng } from '../../tensor/rng.js';
import { loadNativeAddon, NATIVE_ISAS } from '../native/native.js';
import * as rowJob from './row-job.js';
import { createWasmKernels, type WasmKernels } from './backend.js';
import { SPLIT_THRESHOLD } from './threads.js';

let single: WasmKernels; // the build the backend picks: fused multiply-add (relaxed SIMD) on Node
let plain: WasmKernels; // the build for engines without relaxed SIMD: separate multiply and add
let threaded: WasmKernels;
// The native backend (its matrix products in the C addon, src/kernels/native), one thread and two, with
// every instruction set the addon has and the CPU runs (AVX-512 and AVX2 where both do, the AVX2 ones
// forced as SCRATCHNET_NATIVE_ISA=avx2 would): every product test below runs on each.
const native = await loadNativeAddon();
const nativeMissing = 'reason' in native ? native.reason : null;
const nativeIsas = 'reason' in native ? [] : native.addon.isas();
const natives: WasmKernels[] = [];
const nativesThreaded: WasmKernels[] = [];

beforeAll(async () => {
  single = await createWasmKernels({ threads: 0 });
  plain = await createWasmKernels({ threads: 0, relaxedSimd: false });
  threaded = await createWasmKernels({ threads: 1 });
  if (!nativeMissing) {
    for (const nativeIsa of nativeIsas) {
      natives.push(await createWasmKernels({ threads: 0, native: true, nativeIsa }));
      nativesThreaded.push(await createWasmKernels({ threads: 1, native: true, nativeIsa }));
    }
  }
});
afterAll(async () => {
  for (const backend of [single, plain, threaded, ...natives, ...nativesThreaded]) await backend.close();
});

describe('native kernels', () => {
  // CI sets SCRATCHNET_REQUIRE_NATIVE=1: there the addon must have been built and must run.
  it.skipIf(nativeMissing !== null && process.env.SCRATCHNET_REQUIRE_NATIVE !== '1')(
    `are built and run here, so the product tests below cover them${nativeMissing ? ` (skipped: ${nativeMissing})` : ''}`,
    async () => {
      expect(nativeMissing).toBeNull();
      expect(nativeIsas).toContain('avx2'); // every CPU that runs AVX-512 runs AVX2
      expect(natives.map((b) => [b.name, b.isa])).toEqual(nativeIsas.map((isa) => ['native', isa]));
      expect(single.isa).toBeNull();
    },
  );

  it.skipIf(nativeMissing !== null)('were built with the job layout of row-job.ts (row-job.h is generated from it)', () => {
    if ('reason' in native) return;
    expect(native.addon.layout()).toEqual({ ...rowJob });
  });

  it.skipIf(nativeMissing !== null)(
    "count subnormal operands and results as zero inside a product, and leave JavaScript's subnormals alone after it",
    () => {
      for (const backend of [...natives, ...nativesThreaded]) {
        const [a, b, c] = [backend.alloc(8 * 8), backend.alloc(8 * 8), backend.alloc(8 * 8)];
        a.fill(1e-39); // a subnormal float32 operand: 1e-39 · 1 → 0
        b.fill(1);
        backend.gemm(false, false, 8, 8, 8, a, b, c, false);
        expect(Array.from(c)).toEqual(new Array<number>(64).fill(0));
        a.fill(1e-20); // normal operands whose products (1e-40) are subnormal → 0
        b.fill(1e-20);
        backend.gemm(false, false, 8, 8, 8, a, b, c, false);
        expect(Array.from(c)).toEqual(new Array<number>(64).fill(0));
        a.fill(0.5); // and normal values are untouched
        b.fill(2);
        backend.gemm(false, false, 8, 8, 8, a, b, c, false);
        expect(c[0]).toBe(8);
      }
      // The thread's float mode is restored: JavaScript still computes with subnormals (DAZ would give 0).
      const tiny = Number.MIN_VALUE * (Math.random() + 1);
      expect(tiny).toBeGreaterThan(0);
      expect(new Float32Array([1e-39])[0] * 2).toBeCloseTo(2e-39, 45);
      const wasmResult = single.alloc(64);
      const [a, b] = [single.alloc(64).fill(1e-39), single.alloc(64).fill(1)];
      single.gemm(false, false, 8, 8, 8, a, b, wasmResult, false);
      expect(wasmResult[0]).toBe(8 * Math.fround(1e-39)); // WebAssembly has no flush mode: the wasm product keeps them
    },
  );

  it.skipIf(nativeMissing !== null)('refuse an instruction set this CPU lacks, naming it, and an unknown one', async () => {
    for (const isa of NATIVE_ISAS.filter((i) => !nativeIsas.includes(i))) {
      expect(await loadNativeAddon(isa)).toEqual({
        reason: expect.stringMatching(/^SCRATCHNET_NATIVE_ISA=avx512, but this CPU lacks AVX-512/),
      });
      await expect(createWasmKernels({ threads: 0, native: true, nativeIsa: isa })).rejects.toThrow(/lacks AVX-512/);
    }
    expect(await loadNativeAddon('sse2' as 'avx2')).toEqual({ reason: 'SCRATCHNET_NATIVE_ISA=sse2 is not one of avx512, avx2' });
  });
});

/** `length` uniform values in [−1, 1), a fraction `zeros` of them exactly 0 (blank pixels, dead ReLUs). */
function values(length: number, rng: Rng, zeros = 0): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.uniform() < zeros ? 0 : rng.uniformIn(-1, 1);
  return out;
}

/** Like images: columns blank in every row (a shared border), plus scattered zeros — rows share most zeros. */
function imageLike(rows: number, cols: number, rng: Rng): Float32Array {
  const blank = Array.from({ length: cols }, () => rng.uniform() < 0.6);
  const out = values(rows * cols, rng, 0.1);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (blank[c]) out[r * cols + c] = 0;
  return out;
}

/** The same values in a buffer of `backend` (its own memory) — or a plain copy when `inMemory` is false. */
function place(backend: Kernels, data: Float32Array, inMemory = true): Float32Array {
  const out = inMemory ? backend.alloc(data.length) : new Float32Array(data.length);
  out.set(data);
  return out;
}

/** |a − b| ≤ tolerance · (1 + |b|) elementwise, reporting the first index that differs. */
function expectClose(actual: Float32Array, expected: Float32Array, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance * (1 + Math.abs(expected[i])))) {
      expect.fail(`index ${i}: ${actual[i]} vs reference ${expected[i]}`);
    }
  }
}

/** Runs one product on `backend` (operands placed in its memory) and on the reference; they must agree. */
function expectGemmMatchesReference(
  backend: Kernels,
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  b: Float32Array,
  c0: Float32Array,
  accumulate: boolean,
  tolerance = 1e-5,
): void {
  const expected = c0.slice();
  reference.gemm(transA, transB, m, n, k, a, b, expected, accumulate);
  const c = place(backend, c0);
  backend.gemm(transA, transB, m, n, k, place(backend, a), place(backend, b), c, accumulate);
  expectClose(c, expected, tolerance);
}

const SIZES = [1, 3, 17, 785];
const PRODUCTS = ['NN', 'TN', 'NT', 'TT'] as const;

describe('wasm and native gemm match the reference kernel', () => {
  it('runs the fused multiply-add build on Node (its relaxed-SIMD flag is switched on), the plain one when asked', () => {
    expect(single.build).toBe('relaxed');
    expect(plain.build).toBe('plain');
  });

  for (const product of PRODUCTS) {
    const transA = product[0] === 'T';
    const transB = product[1] === 'T';
    it(`${product} on odd shapes (1, 3, 17, 785 in every position), overwriting and accumulating, sparse and dense A`, () => {
      const rng = new Rng(7);
      for (const m of SIZES)
        for (const n of SIZES)
          for (const k of SIZES) {
            if (m * n * k > 785 * 17 * 17) continue; // keep the reference's triple loop quick
            for (const accumulate of [false, true]) {
              const a = values(m * k, rng, accumulate ? 0.8 : 0);
              const b = values(k * n, rng);
              const c0 = values(m * n, rng);
              for (const backend of [single, plain, ...natives])
                expectGemmMatchesReference(backend, transA, transB, m, n, k, a, b, c0, accumulate);
            }
          }
    });
  }

  it('NN with 64 or more columns (rows taken in pairs): odd row counts, column tails of 4 and 1, several depth blocks, ±0 inputs', () => {
    const rng = new Rng(14);
    for (const m of [1, 2, 3, 17])
      for (const n of [64, 70, 785])
        for (const k of [5, 785]) {
          for (const accumulate of [false, true]) {
            const a = imageLike(m, k, rng);
            for (let i = 0; i < a.length; i += 7) if (a[i] === 0) a[i] = -0; // a negative zero is still a zero
            const b = values(k * n, rng);
            const c0 = values(m * n, rng);
            for (const backend of [single, plain, ...natives])
              expectGemmMatchesReference(backend, false, false, m, n, k, a, b, c0, accumulate);
          }
        }
  });

  it("NN with fewer than 16 columns (a classifier's output layer): every width 1–15, 1–7 rows, overwriting and accumulating", () => {
    const rng = new Rng(18);
    for (let n = 1; n < 16; n++)
      for (let m = 1; m <= 7; m++) {
        const k = m === 7 ? 785 : 1 + ((n * m) % 40);
        const a = values(m * k, rng, 0.5),
          b = values(k * n, rng);
        for (const accumulate of [false, true]) {
          for (const backend of [single, plain, ...natives])
            expectGemmMatchesReference(backend, false, false, m, n, k, a, b, values(m * n, rng), accumulate);
        }
      }
  });

  it('NN over runs of nonzeros: gaps of 1–5 zeros, runs across 16- and 64-column words, at the first and last column', () => {
    const rng = new Rng(16);
    for (const k of [1, 15, 16, 63, 64, 65, 127, 130, 785]) {
      const m = 9;
      const a = new Float32Array(m * k);
      for (let r = 0; r < m; r++) {
        // alternate runs (1–20 nonzeros) and gaps (1–5 zeros; gaps of 1 and 2 are the ones filled)
        let p = r % 3 === 0 ? 0 : Math.floor(rng.uniform() * 4);
        while (p < k) {
          const run = 1 + Math.floor(rng.uniform() * 20);
          for (let q = 0; q < run && p < k; q++, p++) a[r * k + p] = rng.uniformIn(-1, 1) || 0.5;
          p += 1 + Math.floor(rng.uniform() * 5);
        }
      }
      a[(m - 1) * k + k - 1] = 2; // the very last column
      for (const n of [64, 80]) {
        const b = values(k * n, rng);
        for (const accumulate of [false, true]) {
          const c0 = values(m * n, rng);
          for (const backend of [single, plain, ...natives])
            expectGemmMatchesReference(backend, false, false, m, n, k, a, b, c0, accumulate);
        }
      }
    }
  });

  it('NN over several windows of paired rows (300 rows of varied spans, all-zero rows among them): each row of C lands in its own place', () => {
    const rng = new Rng(15);
    const [m, n, k] = [301, 64, 784];
    const a = new Float32Array(m * k);
    for (let r = 0; r < m; r++) {
      if (r % 37 === 0) continue; // an empty row: an all-zero image
      const lo = Math.floor(rng.uniform() * 400),
        hi = lo + Math.floor(rng.uniform() * (k - lo));
      for (let p = lo; p <= hi; p++) if (rng.uniform() < 0.6) a[r * k + p] = rng.uniform();
    }
    const b = values(k * n, rng);
    for (const accumulate of [false, true]) {
      const c0 = values(m * n, rng);
      for (const backend of [single, plain, threaded, ...natives, ...nativesThreaded])
        expectGemmMatchesReference(backend, false, false, m, n, k, a, b, c0, accumulate);
    }
  });

  it("the dense layer's products at the tutorial's shapes on image-like inputs, batch 32 and a short final batch of 17", () => {
    const rng = new Rng(8);
    for (const batch of [32, 17]) {
      for (const [inputs, units] of [
        [784, 64],
        [64, 32],
        [32, 10],
      ]) {
        const x = inputs === 784 ? imageLike(batch, inputs, rng) : values(batch * inputs, rng, 0.5);
        const w = values(inputs * units, rng);
        const dY = values(batch * units, rng, 0.5);
        const cases: [boolean, boolean, number, number, number, Float32Array, Float32Array][] = [
          [false, false, batch, units, inputs, x, w], // Y = X·W
          [true, false, inputs, units, batch, x, dY], // dW = Xᵀ·dY
          [false, true, batch, inputs, units, dY, w], // dX = dY·Wᵀ
        ];
        for (const [transA, transB, m, n, k, a, b] of cases) {
          for (const backend of [single, plain, ...natives])
            expectGemmMatchesReference(backend, transA, transB, m, n, k, a, b, new Float32Array(m * n), false);
        }
      }
    }
  });

  it('an epilogue (bias, ReLU or leaky ReLU) finishes every row of C, in every product and split across threads', () => {
    const rng = new Rng(17);
    const epilogues = (n: number) => {
      const bias = values(n, rng);
      return [{ bias }, { bias, reluSlope: 0 }, { bias, reluSlope: 0.1 }, { reluSlope: 0 }];
    };
    for (const [transA, transB, m, n, k] of [
      [false, false, 17, 64, 785],
      [false, false, 5, 10, 32],
      [true, false, 33, 17, 5],
      [false, true, 3, 17, 33],
    ] as const) {
      const a = values(m * k, rng, 0.5),
        b = values(k * n, rng);
      for (const epilogue of epilogues(n)) {
        const expected = new Float32Array(m * n);
        reference.gemm(transA, transB, m, n, k, a, b, expected, false, epilogue);
        for (const backend of [single, plain, ...natives]) {
          const c = backend.alloc(m * n);
          const staged = { bias: epilogue.bias && place(backend, epilogue.bias, false), reluSlope: epilogue.reluSlope }; // the bias from outside
          backend.gemm(transA, transB, m, n, k, place(backend, a), place(backend, b), c, false, staged);
          expectClose(c, expected, 1e-5);
        }
      }
    }
    const [m, n, k] = [600, 64, 784]; // large enough to split
    expect(m * n * k).toBeGreaterThan(SPLIT_THRESHOLD);
    const a = imageLike(m, k, rng),
      b = values(k * n, rng);
    for (const epilogue of epilogues(n)) {
      const expected = new Float32Array(m * n);
      reference.gemm(false, false, m, n, k, a, b, expected, false, epilogue);
      for (const split of [threaded, ...nativesThreaded]) {
        const c = split.alloc(m * n);
        split.gemm(false, false, m, n, k, place(split, a), place(split, b), c, false, {
          bias: epilogue.bias && place(split, epilogue.bias),
          reluSlope: epilogue.reluSlope,
        });
        expectClose(c, expected, 1e-5);
      }
    }
  });

  it('a chain of dense layers (784-64-32-10: ReLU, leaky ReLU, none) gives what the reference gives layer by layer, on one thread, split, and staged', () => {
    const rng = new Rng(19);
    const widths = [784, 64, 32, 10];
    for (const m of [1, 7, 600]) {
      const x = imageLike(m, 784, rng);
      const layers = widths.slice(1).map((units, i) => ({
        inputs: widths[i],
        units,
        weight: values(widths[i] * units, rng),
        bias: values(units, rng),
        reluSlope: [0, 0.1, undefined][i],
      }));
      const expected = layers.map((l) => new Float32Array(m * l.units));
      const expectedClasses = new Int32Array(m);
      reference.denseChain(
        m,
        x,
        layers.map((l) => ({ ...l, epilogue: { bias: l.bias, reluSlope: l.reluSlope } })),
        expected,
        expectedClasses,
      );
      for (let r = 0; r < m; r++) {
        const row = Array.from(expected[2].subarray(r * 10, r * 10 + 10));
        expect(expectedClasses[r]).toBe(row.indexOf(Math.max(...row)));
      }
      for (const [backend, inMemory] of [
        [single, true],
        [threaded, true],
        [plain, false],
        ...natives.map((b) => [b, true] as const),
        ...nativesThreaded.map((b) => [b, true] as const),
      ] as const) {
        const steps = layers.map((l) => ({
          ...l,
          weight: place(backend, l.weight, inMemory),
          epilogue: { bias: place(backend, l.bias, inMemory), reluSlope: l.reluSlope },
        }));
        const outputs = layers.map((l) => (inMemory ? backend.alloc(m * l.units) : new Float32Array(m * l.units)));
        const classes = new Int32Array(m).fill(-1); // never in the backend's memory: staged
        backend.denseChain(m, place(backend, x, inMemory), steps, outputs, classes);
        // each layer inherits the rounding differences of the one before: sums of 784 terms of about ±1
        outputs.forEach((out, i) => expectClose(out, expected[i], [1e-5, 1e-4, 1e-4][i]));
        // the classes of the backend's own outputs (the reference's may differ where two are within rounding)
        for (let r = 0; r < m; r++) {
          const row = Array.from(outputs[2].subarray(r * 10, r * 10 + 10));
          expect(classes[r]).toBe(row.indexOf(Math.max(...row)));
        }
      }
    }
    expect(600 * (784 * 64 + 64 * 32 + 32 * 10)).toBeGreaterThan(SPLIT_THRESHOLD);
  });

  it('a chain picks the first of tied largest outputs as the class, as predict always has', () => {
    for (const backend of [threaded, ...nativesThreaded]) tiedClasses(backend);
  });

  function tiedClasses(backend: WasmKernels): void {
    const [m, units] = [5, 4];
    const x = place(backend, values(m * 3, new Rng(20)));
    const step = {
      inputs: 3,
      units,
      weight: backend.alloc(3 * units),
      epilogue: { bias: place(backend, new Float32Array([0.5, 2, 2, 1])) },
    };
    const classes = backend.alloc(m); // a buffer in the backend's memory, seen as int32
    const ids = new Int32Array(classes.buffer, classes.byteOffset, m);
    backend.denseChain(m, x, [step], [backend.alloc(m * units)], ids);
    expect(Array.from(ids)).toEqual([1, 1, 1, 1, 1]);
  }

  it('arrays outside its memory give the same results (staged copies), including the output', () => {
    const rng = new Rng(9);
    const [m, n, k] = [17, 33, 785];
    const a = values(m * k, rng, 0.5);
    const b = values(k * n, rng);
    const c0 = values(m * n, rng);
    const expected = c0.slice();
    reference.gemm(false, false, m, n, k, a, b, expected, true);
    const c = place(single, c0, false);
    single.gemm(false, false, m, n, k, a.slice(), place(single, b, false), c, true);
    expectClose(c, expected, 1e-5);
  });

  it('products large enough to split across a worker thread give the same results, overwriting and accumulating, back to back', () => {
    const rng = new Rng(10);
    const [m, n, k] = [130, 257, 785];
    expect(m * n * k).toBeGreaterThan(SPLIT_THRESHOLD);
    for (const [transA, transB, accumulate] of [
      [false, false, false],
      [true, false, false],
      [false, true, false],
      [false, false, true],
      [true, false, true],
    ] as const) {
      for (let repeat = 0; repeat < 3; repeat++) {
        const a =
          repeat === 0
            ? values(m * k, rng, 0.5)
            : repeat === 1
              ? imageLike(transA ? k : m, transA ? m : k, rng)
              : values(m * k, rng);
        const b = values(k * n, rng);
        const c0 = values(m * n, rng);
        for (const split of [threaded, ...nativesThreaded])
          expectGemmMatchesReference(split, transA, transB, m, n, k, a, b, c0, accumulate, 1e-4);
      }
    }
  });

  it('an empty inner dimension (k = 0) gives zeros, or leaves C as it was when accumulating', () => {
    for (const accumulate of [false, true]) {
      const c = place(single, Float32Array.from([1, 2, 3, 4, 5, 6]));
      single.gemm(false, false, 2, 3, 0, single.alloc(0), single.alloc(0), c, accumulate);
      expect(Array.from(c)).toEqual(accumulate ? [1, 2, 3, 4, 5, 6] : [0, 0, 0, 0, 0, 0]);
    }
  });

  it('refuses buffers too short for the shapes instead of touching other memory', () => {
    const a = single.alloc(6);
    expect(() => single.gemm(false, false, 2, 3, 4, a, single.alloc(12), single.alloc(6), false)).toThrow(
      /gemm A has 6 values, needs 8/,
    );
  });
});

describe('wasm elementwise kernels match the reference kernels', () => {
  const rng = new Rng(11);
  for (const n of [1, 3, 17, 785, 2048]) {
    it(`on ${n} values, with zeros, negatives and −0`, () => {
      const x = values(n, rng, 0.2);
      if (n > 2) x[1] = -0;
      const dy = values(n, rng);
      const check = (run: (k: Kernels, out: Float32Array) => void) => {
        const expected = new Float32Array(n);
        run(reference, expected);
        const out = single.alloc(n);
        run(single, out);
        expectClose(out, expected, 1e-6);
      };
      const [px, pdy] = [place(single, x), place(single, dy)];
      check((k, out) => k.relu(n, k === reference ? x : px, out));
      check((k, out) => k.reluBackward(n, k === reference ? x : px, k === reference ? dy : pdy, out));
      check((k, out) => k.leakyRelu(n, 0.1, k === reference ? x : px, out));
      check((k, out) => k.leakyReluBackward(n, 0.1, k === reference ? x : px, k === reference ? dy : pdy, out));
      check((k, out) => {
        out.set(k === reference ? x : px);
        k.sgdStep(n, 0.1, k === reference ? dy : pdy, out);
      });
    });
  }

  for (const [rows, cols] of [
    [1, 1],
    [3, 17],
    [17, 3],
    [32, 64],
    [5, 785],
  ]) {
    it(`column sums of a [${rows}, ${cols}] matrix (the bias gradient)`, () => {
      const x = values(rows * cols, rng);
      const sums = new Float32Array(cols);
      reference.sumRows(rows, cols, x, sums);
      const out = single.alloc(cols);
      single.sumRows(rows, cols, place(single, x), out);
      expectClose(out, sums, 1e-5);
    });

    it(`softmax cross-entropy of [${rows}, ${cols}] logits: loss, probabilities and gradient`, () => {
      const logits = values(rows * cols, rng).map((v) => v * 20);
      const labels = Int32Array.from({ length: rows }, () => rng.int(cols));
      const [probs, grad] = [new Float32Array(rows * cols), new Float32Array(rows * cols)];
      const loss = reference.softmaxCrossEntropy(rows, cols, logits, labels, probs, grad);
      const [p, g] = [single.alloc(rows * cols), single.alloc(rows * cols)];
      expect(single.softmaxCrossEntropy(rows, cols, place(single, logits), labels, p, g)).toBeCloseTo(loss, 5);
      expectClose(p, probs, 1e-6);
      expectClose(g, grad, 1e-6);
    });
  }
});

describe('wasm batch gathering matches the reference kernel', () => {
  it('copies and scales chosen rows of bytes (the dataset case), in order and shuffled, sizes 784 and 20', () => {
    const rng = new Rng(12);
    for (const size of [784, 20]) {
      const source = Uint8Array.from({ length: 50 * size + 3 }, () => (rng.uniform() < 0.5 ? 0 : rng.int(256)));
      const order = rng.permutation(50);
      for (const [count, start, rows] of [
        [32, 0, order],
        [17, 33, order],
        [5, 45, null],
      ] as const) {
        const expected = new Float32Array(count * size);
        reference.gatherRows(count, size, source, rows, start, 1 / 255, expected);
        const out = single.alloc(count * size);
        single.gatherRows(count, size, source, rows, start, 1 / 255, out);
        expectClose(out, expected, 1e-7);
      }
    }
  });

  it('takes the reference path for float sources, odd row sizes and unaligned bytes, with the same results', () => {
    const rng = new Rng(13);
    const floats = values(10 * 7, rng);
    const bytes = Uint8Array.from({ length: 10 * 7 + 1 }, () => rng.int(256));
    const cases: [Uint8Array | Float32Array, number][] = [
      [floats, 7],
      [bytes, 7],
      [bytes.subarray(1), 4],
    ];
    for (const [source, size] of cases) {
      const order = Int32Array.from([3, 1, 4, 1, 5]);
      const expected = new Float32Array(5 * size);
      reference.gatherRows(5, size, source, order, 0, 0.5, expected);
      const out = single.alloc(5 * size);
      single.gatherRows(5, size, source, order, 0, 0.5, out);
      expectClose(out, expected, 1e-7);
    }
  });

  it('refuses a row outside the source instead of reading past it', () => {
    const source = new Uint8Array(4 * 8);
    expect(() => single.gatherRows(1, 8, source, Int32Array.from([4]), 0, 1, single.alloc(8))).toThrow(
      /row 4 is outside the 4 rows/,
    );
  });
});

describe('wasm build', () => {
  it('both compiled modules are newer than every AssemblyScript source (run `npm run build` after editing them)', () => {
    const built = Math.min(
      ...['kernels.wasm', 'kernels-relaxed.wasm'].map((file) => statSync(new URL(`./build/${file}`, import.meta.url)).mtimeMs),
    );
    const sources = new URL('./assembly/', import.meta.url);
    for (const name of readdirSync(sources)) expect(statSync(new URL(name, sources)).mtimeMs, name).toBeLessThanOrEqual(built);
    expect(statSync(new URL('./row-job.ts', import.meta.url)).mtimeMs, 'row-job.ts').toBeLessThanOrEqual(built);
  });
});

describe('wasm memory', () => {
  it('hands out zero-filled buffers that stay valid while the memory grows past its initial 16 MiB', () => {
    const first = single.alloc(1000);
    first.fill(3);
    const big = single.alloc(8 << 20); // 32 MiB: forces growth
    expect(big.every((v) => v === 0)).toBe(true);
    expect(first.length).toBe(1000);
    expect(first.every((v) => v === 3)).toBe(true);
    const after = single.alloc(64);
    single.relu(64, place(single, values(64, new Rng(1))), after); // a view made after growth works in kernels
    expect(after.some((v) => v > 0)).toBe(true);
  });
});

describe(`native kernels over the WebAssembly memory${nativeMissing ? ` (skipped: ${nativeMissing})` : ''}`, () => {
  it.skipIf(nativeMissing !== null)('follow the memory as it grows past 16 MiB, from the calling thread and the worker', () => {
    for (const backend of [...natives, ...nativesThreaded]) {
      const rng = new Rng(31);
      const [m, n, k] = [600, 64, 784];
      const a = imageLike(m, k, rng),
        b = values(k * n, rng);
      const expected = new Float32Array(m * n);
      reference.gemm(false, false, m, n, k, a, b, expected, false);
      backend.alloc(6 << 20); // 24 MiB: the memory grows, and its buffer is a new one
      const c = backend.alloc(m * n);
      backend.gemm(false, false, m, n, k, place(backend, a), place(backend, b), c, false);
      expectClose(c, expected, 1e-5);
    }
  });

  it.skipIf(nativeMissing !== null)(
    "give the relaxed wasm build's chain outputs bit for bit on the tutorial's network (the same fused multiply-adds in the same order)",
    () => {
      const rng = new Rng(33);
      const widths = [784, 64, 32, 10];
      const m = 301;
      const x = imageLike(m, 784, rng);
      const layers = widths.slice(1).map((units, i) => ({
        inputs: widths[i],
        units,
        weight: values(widths[i] * units, rng),
        bias: values(units, rng),
        reluSlope: [0, 0, undefined][i],
      }));
      const run = (backend: WasmKernels) => {
        const steps = layers.map((l) => ({
          ...l,
          weight: place(backend, l.weight),
          epilogue: { bias: place(backend, l.bias), reluSlope: l.reluSlope },
        }));
        const outputs = layers.map((l) => backend.alloc(m * l.units));
        backend.denseChain(m, place(backend, x), steps, outputs);
        return outputs.map((o) => Array.from(new Uint32Array(o.buffer, o.byteOffset, o.length)));
      };
      expect(single.build).toBe('relaxed');
      const expected = run(single);
      for (const backend of natives) expect(run(backend), backend.isa!).toEqual(expected);
    },
  );

  it.skipIf(nativeMissing !== null)('refuse addresses outside the memory instead of touching other memory', () => {
    if ('reason' in native) return;
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
    const id = native.addon.attach(new Uint8Array(memory.buffer), native.isa);
    const job = new Int32Array(memory.buffer, 0, rowJob.GEMM_SLOTS);
    job.set([0, 2, 3, 4, 1 << 16, 4096, 0, 0, 0, 0, 0]); // transA, m, n, k, then A at 64 KiB: past the end
    expect(job[rowJob.GEMM_A]).toBe(1 << 16);
    expect(() => native.addon.gemmRows(id, 0, 0, 2, 8192)).toThrow(/gemmRows argument outside the WebAssembly memory/);
    expect(() => native.addon.gemmRows(id, 65532, 0, 1, 8192)).toThrow(/gemmRows job outside the WebAssembly memory/);
    const chain = new Int32Array(memory.buffer, 256, rowJob.CHAIN_SLOTS);
    chain.set([1, 4000, 0, 0]); // m, then 4000 layers: their entries run past the end
    expect(() => native.addon.chainRows(id, 256, 0, 1, 8192)).toThrow(/chainRows job or classes outside the WebAssembly memory/);
    expect(() => native.addon.gemmRows(99, 0, 0, 1, 0)).toThrow(/attached memory/);
  });
});
