/**
 * TensorFlow.js in the browser on the tutorial's network, for `npm run bench:web` (bench/web.ts): the
 * same digits as the page (its digits file and the CLI's split), the same network, optimizer and batch.
 * The driver calls `tfjsBench(backend, epochs)` through Playwright; it answers samples per second.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { fetchBuiltinDigits } from '../../src/web/digits.js';
import { trainValidationSplit } from '../../src/data/split.js';

setWasmPaths(new URL('./tfjs/', import.meta.url).href);

async function tfjsBench(
  backend: string,
  epochs: number,
  batchSize: number,
  lr: number,
  limit = Infinity,
): Promise<{ samplesPerSecond: number; backend: string }> {
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} is not available here`);
  await tf.ready();
  const { train } = await fetchBuiltinDigits(new URL('./mnist-digits.bin.gz', import.meta.url));
  const split = trainValidationSplit(train, { fraction: 0.1, seed: 42 }).train;
  const rows = { ...split, count: Math.min(split.count, limit) };
  const x = tf.tidy(() =>
    tf.tensor2d(
      Float32Array.from(rows.features.subarray(0, rows.count * 784), (v) => v / 255),
      [rows.count, 784],
    ),
  );
  const y = tf.oneHot(tf.tensor1d(rows.labels.subarray(0, rows.count), 'int32'), 10).asType('float32');
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 64, activation: 'relu' }),
      tf.layers.dense({ units: 32, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
  model.compile({
    optimizer: tf.train.sgd(lr),
    loss: (labels: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, logits),
  });
  await model.fit(x.slice(0, 512), y.slice(0, 512), { batchSize, epochs: 1, verbose: 0 }); // warm-up: compile kernels
  const started = performance.now();
  await model.fit(x, y, { batchSize, epochs, verbose: 0, shuffle: true });
  const seconds = (performance.now() - started) / 1000;
  tf.dispose([x, y]);
  model.dispose();
  return { samplesPerSecond: (rows.count * epochs) / seconds, backend: tf.getBackend() };
}

(globalThis as unknown as { tfjsBench: typeof tfjsBench }).tfjsBench = tfjsBench;
