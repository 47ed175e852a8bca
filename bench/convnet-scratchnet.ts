import { performance } from 'node:perf_hooks';
import { selectRows } from '../src/data/dataset.js';
import { kernels, useBackend } from '../src/kernels/index.js';
import { evaluate } from '../src/network/evaluate.js';
import { fit } from '../src/training/fit.js';
import { layersFromSpec } from '../src/network/from-spec.js';
import { parseLayerSpec } from '../src/network/layer-spec.js';
import { Sequential } from '../src/network/sequential.js';
import { Adam } from '../src/optimizers/adam.js';
import { Rng } from '../src/tensor/rng.js';
import { Tensor } from '../src/tensor/tensor.js';
import { CONVNET_LAYERS, type ConvnetMeasured, type ConvnetSpec, type Timing } from './convnet-spec.js';
import type { BenchData } from './datasets.js';
import { busyFrom } from './measure.js';

/** The convnet as a library user builds it: the `--layers` string through parseLayerSpec and layersFromSpec. */
function convnet(data: BenchData, seed: number): Sequential {
  const { layers, inputShape } = layersFromSpec(
    parseLayerSpec(CONVNET_LAYERS),
    data.train.sampleShape,
    data.train.classes,
    new Rng(seed),
  );
  return new Sequential(layers, inputShape);
}

/**
 * scratchnet on one backend (with its threads): fit() with Adam, one epoch over the first
 * `spec.trainSamples` images per repetition (shuffle, batch gathering and the optimizer included) after a
 * warm-up pass; then predict() on batches of test images already in the backend's memory (as a Batcher
 * places them), with a freshly initialised network, as the competitors' inference runs.
 */
export async function benchConvnetScratchnet(
  backend: 'native' | 'wasm',
  data: BenchData,
  spec: ConvnetSpec,
): Promise<ConvnetMeasured> {
  await useBackend(backend);
  const count = Math.min(spec.trainSamples, data.train.count);
  const train =
    count < data.train.count
      ? selectRows(
          data.train,
          Array.from({ length: count }, (_, i) => i),
        )
      : data.train;
  const net = convnet(data, 42);
  const options = { epochs: 1, batchSize: spec.batch, optimizer: new Adam({ lr: spec.lr }), rng: new Rng(42) };
  fit(net, train, { ...options, subset: Math.min(count, spec.warmupSamples) });
  const rates: number[] = [];
  let busy = busyFrom();
  for (let rep = 0; rep < spec.reps; rep++) {
    const start = performance.now();
    fit(net, train, options);
    rates.push(count / ((performance.now() - start) / 1000));
  }
  const trainBusy = busy();
  const trained: Timing = {
    samplesPerSecond: rates,
    images: count,
    testAccuracy: evaluate(net, data.test).accuracy,
    coresBusy: trainBusy,
  };

  const inference = convnet(data, 42);
  const test = data.test;
  const size = 784;
  const images = Math.min(spec.inferSamples, test.count);
  const pixels = kernels().alloc(images * size);
  for (let i = 0; i < pixels.length; i++) pixels[i] = test.features[i] * test.scale;
  const batches: Tensor[] = [];
  for (let start = 0; start < images; start += spec.inferBatch) {
    const rows = Math.min(spec.inferBatch, images - start);
    batches.push(new Tensor(pixels.subarray(start * size, (start + rows) * size), [rows, size]));
  }
  for (const x of batches) inference.predict(x); // warm-up pass
  const inferRates: number[] = [];
  busy = busyFrom();
  for (let rep = 0; rep < spec.inferReps; rep++) {
    const start = performance.now();
    for (const x of batches) inference.predict(x);
    inferRates.push(images / ((performance.now() - start) / 1000));
  }
  return { train: trained, infer: { samplesPerSecond: inferRates, images, coresBusy: busy() } };
}
