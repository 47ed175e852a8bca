// `npm run bench:conv [-- --backends native,wasm --batches 40 --profile]`: issue 15's convnet
// (conv2d(32,3),relu,maxpool2d(2),conv2d(64,3),relu,maxpool2d(2),flatten,dropout(0.25),dense(128),relu,
// dropout(0.5),dense(10)) on Fashion-MNIST, Adam, batch 64: training samples/s through fit() and inference
// samples/s through evaluate() (batches of 1000), per backend. With --profile, the time of each layer's
// forward and backward in training steps, so the slow parts show. The kernels' own numbers; the comparison
// with PyTorch and onnxruntime-web is bench/convnet*.ts.
import { availableParallelism, loadavg } from 'node:os';
import { loadIdx } from '../src/data/idx.js';
import { selectRows } from '../src/data/dataset.js';
import { useBackend, type BackendName } from '../src/kernels/index.js';
import { layersFromSpec } from '../src/network/from-spec.js';
import { parseLayerSpec } from '../src/network/layer-spec.js';
import { Sequential } from '../src/network/sequential.js';
import { evaluate } from '../src/network/evaluate.js';
import { fit } from '../src/training/fit.js';
import { Adam } from '../src/optimizers/adam.js';
import { Rng } from '../src/tensor/rng.js';
import type { Layer } from '../src/layers/layer.js';
import type { Tensor } from '../src/tensor/tensor.js';

const SPEC =
  'conv2d(32,3),relu,maxpool2d(2),conv2d(64,3),relu,maxpool2d(2),flatten,dropout(0.25),dense(128),relu,dropout(0.5),dense(10)';
const DIR = '/usr/share/datasets/fashion-mnist';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const backends = option('backends', 'native,wasm').split(',') as BackendName[];
const trainBatches = Number(option('batches', '40'));
const threads = option('threads', '');
const profile = args.includes('--profile');
const batchSize = 64;

const train = await loadIdx(`${DIR}/train-images-idx3-ubyte.gz`, `${DIR}/train-labels-idx1-ubyte.gz`);
const test = await loadIdx(`${DIR}/t10k-images-idx3-ubyte.gz`, `${DIR}/t10k-labels-idx1-ubyte.gz`);
const trainRows = selectRows(
  train,
  Int32Array.from({ length: trainBatches * batchSize }, (_, i) => i),
  'bench rows',
);
const testRows = selectRows(
  test,
  Int32Array.from({ length: 5000 }, (_, i) => i),
  'bench test rows',
);

/** Wraps each layer's forward and backward with a timer, adding milliseconds into `times`. */
function timeLayers(layers: Layer[], times: Map<string, number>): void {
  layers.forEach((layer, i) => {
    const name = `${i} ${layer.type}`;
    const forward = layer.forward.bind(layer);
    const backward = layer.backward.bind(layer);
    layer.forward = (x: Tensor, mode) => {
      const start = performance.now();
      const y = forward(x, mode);
      times.set(`${name} forward`, (times.get(`${name} forward`) ?? 0) + performance.now() - start);
      return y;
    };
    layer.backward = (dY: Tensor, needInputGrad) => {
      const start = performance.now();
      const dX = backward(dY, needInputGrad);
      times.set(`${name} backward`, (times.get(`${name} backward`) ?? 0) + performance.now() - start);
      return dX;
    };
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

console.log(`convnet bench: ${SPEC}`);
console.log(
  `batch ${batchSize}, Adam; ${availableParallelism()} cores; load average ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')}`,
);
for (const name of backends) {
  await useBackend(name, threads === '' ? {} : { threads: Number(threads) });
  const { layers, inputShape } = layersFromSpec(parseLayerSpec(SPEC), train.sampleShape, 10, new Rng(1));
  const network = new Sequential(layers, inputShape);
  const optimizer = new Adam({ lr: 1e-3 });
  fit(network, trainRows, { epochs: 1, batchSize, optimizer, subset: 4 * batchSize }); // warm-up: buffers, JIT
  const trainRates: number[] = [];
  const inferRates: number[] = [];
  const trainCpu: number[] = []; // CPU milliseconds per batch, all threads: what a busy machine's wall clock hides
  const times = new Map<string, number>();
  for (let trial = 0; trial < 3; trial++) {
    let start = performance.now();
    const cpu = process.cpuUsage();
    fit(network, trainRows, { epochs: 1, batchSize, optimizer, rng: new Rng(trial) });
    trainRates.push(trainRows.count / ((performance.now() - start) / 1000));
    const used = process.cpuUsage(cpu);
    trainCpu.push((used.user + used.system) / 1000 / trainBatches);
    start = performance.now();
    evaluate(network, testRows, 1000);
    inferRates.push(testRows.count / ((performance.now() - start) / 1000));
  }
  console.log(
    `${name.padEnd(7)} training ${median(trainRates).toFixed(0).padStart(6)} samples/s   inference ${median(inferRates).toFixed(0).padStart(6)} samples/s` +
      `   training CPU ${median(trainCpu).toFixed(1)} ms/batch   (trials: ${trainRates.map((r) => r.toFixed(0)).join(', ')} / ${inferRates.map((r) => r.toFixed(0)).join(', ')})`,
  );
  if (profile) {
    timeLayers(layers, times);
    const start = performance.now();
    fit(network, trainRows, { epochs: 1, batchSize, optimizer });
    const total = performance.now() - start;
    const batches = Math.ceil(trainRows.count / batchSize);
    let inLayers = 0;
    for (const [what, ms] of times) {
      inLayers += ms;
      console.log(
        `  ${what.padEnd(22)} ${(ms / batches).toFixed(3).padStart(8)} ms/batch  ${((100 * ms) / total).toFixed(1).padStart(5)}%`,
      );
    }
    console.log(`  ${'rest (loss, Adam, data)'.padEnd(22)} ${((total - inLayers) / batches).toFixed(3).padStart(8)} ms/batch`);
  }
}
process.exit(0);
