import { performance } from 'node:perf_hooks';
import { type Kernels, kernels, setKernels, useBackend } from '../src/kernels/index.js';
import { createWasmKernels } from '../src/kernels/wasm/backend.js';
import { selectRows } from '../src/data/dataset.js';
import { evaluate } from '../src/network/evaluate.js';
import { fit } from '../src/training/fit.js';
import { Sequential } from '../src/network/sequential.js';
import { SGD } from '../src/optimizers/sgd.js';
import { Rng } from '../src/tensor/rng.js';
import { Tensor } from '../src/tensor/tensor.js';
import type { BenchData } from './datasets.js';
import type { BenchSpec, Measured } from './measure.js';

export type ScratchnetVariant = 'native' | 'native-1-thread' | 'wasm' | 'wasm-1-thread' | 'js';

/** Makes the variant's kernels active: the native or wasm backend with its threads, a single-threaded one, or the reference. */
async function activate(variant: ScratchnetVariant): Promise<Kernels & { close?(): Promise<void> }> {
  if (variant === 'wasm-1-thread' || variant === 'native-1-thread') {
    const single = await createWasmKernels({ threads: 0, native: variant === 'native-1-thread' });
    setKernels(single);
    return single;
  }
  return useBackend(variant);
}

/**
 * scratchnet as a user runs it: Sequential.mlp, fit() for one epoch per repetition (shuffle, batch
 * gathering and SGD included), predict() on batches of the test set, and predict() on one image.
 */
export async function benchScratchnet(
  variant: ScratchnetVariant,
  data: BenchData,
  spec: BenchSpec,
  maxTrainSamples = Infinity,
): Promise<Measured> {
  const backend = await activate(variant);
  const train =
    data.train.count > maxTrainSamples
      ? selectRows(
          data.train,
          Array.from({ length: maxTrainSamples }, (_, i) => i),
        )
      : data.train;
  const result: Measured = { train: [], infer: null, latencyMicroseconds: null };
  for (const { hidden, batch } of spec.train) {
    const net = Sequential.mlp({ hidden, rng: new Rng(42) });
    const options = { epochs: 1, batchSize: batch, optimizer: new SGD(0.1), rng: new Rng(42) };
    fit(net, train, { ...options, subset: Math.min(train.count, 10000) }); // warm-up: JIT tiers (JS and wasm), buffers
    const rates: number[] = [];
    for (let rep = 0; rep < spec.reps; rep++) {
      const start = performance.now();
      fit(net, train, options);
      rates.push(train.count / ((performance.now() - start) / 1000));
    }
    result.train.push({ samplesPerSecond: rates, testAccuracy: evaluate(net, data.test).accuracy });
  }

  // Inference: the test images as floats in the backend's memory (as a Batcher would place them), then
  // predict() on consecutive batches; and predict() on a single image, the browser page's case.
  const { hidden, batch } = spec.infer;
  const net = Sequential.mlp({ hidden, rng: new Rng(42) });
  const test = data.test;
  const size = 784;
  const images = kernels().alloc(test.count * size);
  for (let i = 0; i < images.length; i++) images[i] = test.features[i] * test.scale;
  const batches: Tensor[] = [];
  for (let start = 0; start < test.count; start += batch) {
    const rows = Math.min(batch, test.count - start);
    batches.push(new Tensor(images.subarray(start * size, (start + rows) * size), [rows, size]));
  }
  const one = new Tensor(images.subarray(0, size), [1, size]);
  // Warm-up, ending (as NumPy's does) on batch passes: three of them, because the worker thread's
  // WebAssembly is still being tiered up during the first (its first timed pass ran at 820k–844k/s, the
  // others at 1.16M–1.25M).
  for (let i = 0; i < 1000; i++) net.predict(one);
  for (let pass = 0; pass < 3; pass++) for (const x of batches) net.predict(x);
  // The batch passes back to back, then the single-image ones, as the NumPy script does: in between,
  // thousands of one-image calls (one thread) let the worker threads fall asleep.
  const rates: number[] = [];
  const latencies: number[] = [];
  for (let rep = 0; rep < spec.inferReps; rep++) {
    const start = performance.now();
    for (const x of batches) net.predict(x);
    rates.push(test.count / ((performance.now() - start) / 1000));
  }
  for (let rep = 0; rep < spec.inferReps; rep++) {
    const calls = 5000;
    const start = performance.now();
    for (let i = 0; i < calls; i++) net.predict(one);
    latencies.push(((performance.now() - start) * 1000) / calls);
  }
  result.infer = { samplesPerSecond: rates };
  result.latencyMicroseconds = latencies;
  if (variant.endsWith('-1-thread')) await backend.close?.(); // made here; the others are the process's shared backends
  return result;
}
