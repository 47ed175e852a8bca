import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Rng } from '../src/tensor/rng.js';
import type { BenchData } from './datasets.js';
import type { BenchSpec, Measured } from './measure.js';

/**
 * TensorFlow.js (@tensorflow/tfjs with its cpu backend or @tensorflow/tfjs-backend-wasm, dev dependencies): the same network as
 * variables, matMul + add + relu, tf.losses.softmaxCrossEntropy and tf.train.sgd(0.1), written as a
 * TF.js user would. Returns why not, when the packages are missing.
 */
export async function benchTfjs(
  backend: 'wasm' | 'cpu',
  data: BenchData,
  spec: BenchSpec,
  maxTrainSamples: number,
): Promise<Measured | string> {
  let tf: typeof import('@tensorflow/tfjs');
  try {
    tf = await import('@tensorflow/tfjs'); // the union package: core, gradients, cpu backend
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    wasm.setWasmPaths(`${wasmDir}/dist/`);
  } catch (error) {
    return `@tensorflow/tfjs and @tensorflow/tfjs-backend-wasm are not installed (${(error as Error).message.split('\n')[0]})`;
  }
  tf.env().set('PROD', true); // production mode, as a deployed app runs (also silences the tfjs-node advertisement)
  const ready = await tf.setBackend(backend);
  if (!ready) return `TF.js backend '${backend}' failed to initialise`;
  await tf.ready();

  const size = 784;
  const trainCount = Math.min(data.train.count, maxTrainSamples);
  const xTrain = Float32Array.from(data.train.features.subarray(0, trainCount * size), (v) => v / 255);
  const yTrain = data.train.labels.subarray(0, trainCount);
  const xTest = Float32Array.from(data.test.features, (v) => v / 255);

  const rng = new Rng(42);
  const build = (hidden: number[]) => {
    const sizes = [size, ...hidden, 10];
    return sizes.slice(1).map((units, i) => ({
      w: tf.variable(tf.mul(tf.randomNormal([sizes[i], units], 0, 1, 'float32', 42 + i), Math.sqrt(2 / sizes[i]))),
      b: tf.variable(tf.zeros([units])),
    }));
  };
  type Net = ReturnType<typeof build>;
  const logits = (net: Net, x: import('@tensorflow/tfjs').Tensor2D) => {
    let h = x;
    net.forEach(({ w, b }, i) => {
      const z = tf.add<import('@tensorflow/tfjs').Tensor2D>(tf.matMul(h, w), b);
      h = i < net.length - 1 ? tf.relu(z) : z;
    });
    return h;
  };
  const trainEpoch = (net: Net, optimizer: import('@tensorflow/tfjs').Optimizer, batch: number, count: number) => {
    const order = rng.permutation(count);
    const xb = new Float32Array(batch * size);
    const yb = new Int32Array(batch);
    for (let start = 0; start < count; start += batch) {
      const rows = Math.min(batch, count - start);
      for (let r = 0; r < rows; r++) {
        xb.set(xTrain.subarray(order[start + r] * size, (order[start + r] + 1) * size), r * size);
        yb[r] = yTrain[order[start + r]];
      }
      tf.tidy(() => {
        const x = tf.tensor2d(xb.subarray(0, rows * size), [rows, size]);
        const y = tf.oneHot(tf.tensor1d(yb.subarray(0, rows), 'int32'), 10);
        optimizer.minimize(() =>
          tf.losses.softmaxCrossEntropy<import('@tensorflow/tfjs').Tensor, import('@tensorflow/tfjs').Scalar>(y, logits(net, x)),
        );
      });
    }
  };

  const result: Measured = { train: [], infer: null, latencyMicroseconds: null };
  for (const { hidden, batch } of spec.train) {
    const net = build(hidden);
    const optimizer = tf.train.sgd(0.1);
    trainEpoch(net, optimizer, batch, Math.min(trainCount, 40 * batch)); // warm-up
    const rates: number[] = [];
    for (let rep = 0; rep < spec.reps; rep++) {
      const start = performance.now();
      trainEpoch(net, optimizer, batch, trainCount);
      rates.push(trainCount / ((performance.now() - start) / 1000));
    }
    // Test accuracy only after full epochs: a run capped to a few thousand images says nothing about it.
    let accuracy = Number.NaN;
    if (trainCount === data.train.count) {
      const predicted = tf.tidy(() => tf.argMax(logits(net, tf.tensor2d(xTest, [data.test.count, size])), 1).dataSync());
      let correct = 0;
      for (let i = 0; i < data.test.count; i++) if (predicted[i] === data.test.labels[i]) correct++;
      accuracy = correct / data.test.count;
    }
    result.train.push({ samplesPerSecond: rates, testAccuracy: accuracy });
    net.forEach(({ w, b }) => (w.dispose(), b.dispose()));
  }

  const { hidden, batch } = spec.infer;
  const net = build(hidden);
  const predict = (from: number, rows: number) =>
    tf.tidy(() =>
      tf.argMax(logits(net, tf.tensor2d(xTest.subarray(from * size, (from + rows) * size), [rows, size])), 1).dataSync(),
    );
  for (let from = 0; from < data.test.count; from += batch) predict(from, Math.min(batch, data.test.count - from)); // warm-up pass
  const rates: number[] = [];
  const latencies: number[] = [];
  for (let rep = 0; rep < spec.inferReps; rep++) {
    // batch passes back to back, then single images
    const start = performance.now();
    for (let from = 0; from < data.test.count; from += batch) predict(from, Math.min(batch, data.test.count - from));
    rates.push(data.test.count / ((performance.now() - start) / 1000));
  }
  for (let rep = 0; rep < spec.inferReps; rep++) {
    const start = performance.now();
    for (let i = 0; i < 500; i++) predict(0, 1);
    latencies.push(((performance.now() - start) * 1000) / 500);
  }
  result.infer = { samplesPerSecond: rates };
  result.latencyMicroseconds = latencies;
  net.forEach(({ w, b }) => (w.dispose(), b.dispose()));
  return result;
}
