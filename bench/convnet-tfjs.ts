import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Rng } from '../src/tensor/rng.js';
import type { ConvnetMeasured, ConvnetSpec, Timing } from './convnet-spec.js';
import type { BenchData } from './datasets.js';
import { busyFrom } from './measure.js';

type Tf = typeof import('@tensorflow/tfjs');

/**
 * The convnet in TF.js's layers API, as its MNIST tutorial writes it: NHWC images [n, 28, 28, 1], the same
 * layers, a softmax output with categorical cross-entropy on one-hot labels (the same loss as softmax
 * cross-entropy on logits), Adam, trainOnBatch on shuffled batches.
 */
function convnet(tf: Tf, lr: number) {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dropout({ rate: 0.25 }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(lr), loss: 'categoricalCrossentropy' });
  return model;
}

/** Trains on `count` images from `order`, in batches. */
async function trainPass(
  tf: Tf,
  model: ReturnType<typeof convnet>,
  data: BenchData,
  order: Int32Array,
  count: number,
  batch: number,
) {
  const size = 784;
  const xb = new Float32Array(batch * size);
  const yb = new Int32Array(batch);
  for (let start = 0; start < count; start += batch) {
    const rows = Math.min(batch, count - start);
    for (let r = 0; r < rows; r++) {
      const row = order[start + r];
      for (let i = 0; i < size; i++) xb[r * size + i] = data.train.features[row * size + i] * data.train.scale;
      yb[r] = data.train.labels[row];
    }
    const x = tf.tensor4d(xb.subarray(0, rows * size), [rows, 28, 28, 1]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d(yb.subarray(0, rows), 'int32'), 10));
    await model.trainOnBatch(x, y);
    x.dispose();
    y.dispose();
  }
}

/**
 * TF.js (dev dependencies): training on its cpu backend — the wasm backend cannot train a convnet, its
 * Conv2DBackpropFilter (a convolution's weight gradient) has no wasm kernel; one trainOnBatch on it checks
 * that this is still so and reports its error — and inference on the wasm backend. Training runs
 * `spec.slowTrainSamples` images per repetition, within `spec.slowSeconds`: the cpu backend's convolution
 * gradients are plain JavaScript loops through TensorBuffer.get, tens of seconds per batch of 64.
 */
export async function benchConvnetTfjs(data: BenchData, spec: ConvnetSpec): Promise<ConvnetMeasured & { wasmTraining: string }> {
  let tf: Tf;
  try {
    tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(`${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`);
  } catch (error) {
    const why = `@tensorflow/tfjs and @tensorflow/tfjs-backend-wasm are not installed (${(error as Error).message.split('\n')[0]})`;
    return { train: why, infer: why, wasmTraining: why };
  }
  tf.env().set('PROD', true);
  const rng = new Rng(42);

  let train: Timing | string = "TF.js backend 'cpu' failed to initialise";
  if (await tf.setBackend('cpu')) {
    const model = convnet(tf, spec.lr);
    const count = Math.min(spec.slowTrainSamples, data.train.count);
    await trainPass(tf, model, data, rng.permutation(count), Math.min(count, spec.batch), spec.batch);
    const rates: number[] = [];
    const busy = busyFrom();
    const started = performance.now();
    for (let rep = 0; rep < spec.reps && (rep === 0 || performance.now() - started < spec.slowSeconds * 1000); rep++) {
      const order = rng.permutation(count);
      const start = performance.now();
      await trainPass(tf, model, data, order, count, spec.batch);
      rates.push(count / ((performance.now() - start) / 1000));
    }
    // No test accuracy: a few batches of training say nothing about it.
    train = { samplesPerSecond: rates, images: count, testAccuracy: Number.NaN, coresBusy: busy() };
    model.dispose();
  }

  if (!(await tf.setBackend('wasm'))) return { train, infer: "TF.js backend 'wasm' failed to initialise", wasmTraining: '—' };
  await tf.ready();
  let wasmTraining = 'trains (Conv2DBackpropFilter is registered now)';
  const probe = convnet(tf, spec.lr);
  try {
    await trainPass(tf, probe, data, rng.permutation(spec.batch), spec.batch, spec.batch);
  } catch (error) {
    wasmTraining = (error as Error).message.split('\n')[0];
  }
  probe.dispose();

  const model = convnet(tf, spec.lr);
  const size = 784;
  const images = Math.min(spec.inferSamples, data.test.count);
  const pixels = Float32Array.from(data.test.features.subarray(0, images * size), (v) => v * data.test.scale);
  const pass = () => {
    for (let from = 0; from < images; from += spec.inferBatch) {
      const rows = Math.min(spec.inferBatch, images - from);
      tf.tidy(() => {
        const x = tf.tensor4d(pixels.subarray(from * size, (from + rows) * size), [rows, 28, 28, 1]);
        return tf.argMax(model.predict(x) as import('@tensorflow/tfjs').Tensor, 1).dataSync();
      });
    }
  };
  pass(); // warm-up
  const rates: number[] = [];
  const busy = busyFrom();
  for (let rep = 0; rep < spec.inferReps; rep++) {
    const start = performance.now();
    pass();
    rates.push(images / ((performance.now() - start) / 1000));
  }
  const infer: Timing = { samplesPerSecond: rates, images, coresBusy: busy() };
  model.dispose();
  return { train, infer, wasmTraining };
}
