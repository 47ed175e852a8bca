import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findPython } from '../../test/python.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import './activations.js';
import { Conv2d } from './conv2d.js';
import { Dense } from './dense.js';
import { Flatten } from './flatten.js';
import { GlobalAvgPool2d } from './global-avg-pool2d.js';
import type { Layer } from './layer.js';
import { ReLU } from './activations.js';
import { AvgPool2d, MaxPool2d } from './pooling.js';
import { BatchNorm } from './batch-norm.js';

// Each case runs here and in PyTorch (scripts/compare-layers-torch.py) with the same weights, input and
// upstream gradient: the outputs and the input, weight and bias gradients must agree to 1e-5, relative to
// the largest magnitude among the values compared (float32 sums in another order differ by a few ulps of
// the largest terms; an element near zero has no meaningful relative error of its own).
const script = fileURLToPath(new URL('../../scripts/compare-layers-torch.py', import.meta.url));
const { python, reason } = findPython(['torch']);
if (!python) console.warn(`skipped: layers vs PyTorch (no Python with torch: ${reason}; install Debian python3-torch)`);

interface Case {
  label: string;
  layers: () => Layer[];
  input: number[];
}

const cases: Case[] = [
  { label: 'conv2d 3×3, stride 1, no padding', layers: () => [new Conv2d(2, 3, 3, { rng: new Rng(1) })], input: [2, 2, 6, 7] },
  {
    label: 'conv2d 3×3, stride 2, padding 1, odd sizes',
    layers: () => [new Conv2d(3, 4, 3, { stride: 2, padding: 1, rng: new Rng(2) })],
    input: [2, 3, 9, 7],
  },
  { label: "conv2d 5×5, 'same'", layers: () => [new Conv2d(2, 2, 5, { padding: 'same', rng: new Rng(3) })], input: [2, 2, 8, 8] },
  {
    label: "conv2d 4×4 'same' (even kernel), no bias",
    layers: () => [new Conv2d(1, 3, 4, { padding: 'same', bias: false, rng: new Rng(4) })],
    input: [3, 1, 6, 5],
  },
  { label: 'maxpool2d 2', layers: () => [new MaxPool2d(2)], input: [2, 3, 8, 7] },
  { label: 'maxpool2d 3, stride 2', layers: () => [new MaxPool2d(3, 2)], input: [2, 2, 9, 9] },
  { label: 'avgpool2d 2', layers: () => [new AvgPool2d(2)], input: [2, 3, 6, 6] },
  { label: 'avgpool2d 3, stride 1', layers: () => [new AvgPool2d(3, 1)], input: [1, 2, 7, 5] },
  { label: 'global average pool', layers: () => [new GlobalAvgPool2d()], input: [3, 4, 5, 5] },
  { label: 'batch norm over features (BatchNorm1d), training mode', layers: () => [new BatchNorm(6)], input: [5, 6] },
  { label: 'batch norm over channels (BatchNorm2d), training mode', layers: () => [new BatchNorm(3, 0.2)], input: [4, 3, 5, 6] },
  {
    label: 'a small convnet: conv, relu, maxpool, conv, batch norm, relu, maxpool, flatten, dense, relu, dense',
    layers: () => {
      const rng = new Rng(5);
      return [
        new Conv2d(1, 4, 3, { rng }),
        new ReLU(),
        new MaxPool2d(2),
        new Conv2d(4, 6, 3, { rng }),
        new BatchNorm(6),
        new ReLU(),
        new MaxPool2d(2),
        new Flatten(),
        new Dense(6 * 5 * 5, 16, rng),
        new ReLU(),
        new Dense(16, 10, rng),
      ];
    },
    input: [4, 1, 28, 28],
  },
];

function runScratchnet(layers: Layer[], x: Tensor, upstream: Tensor) {
  let y = x;
  for (const layer of layers) y = layer.forward(y, 'train');
  const output = Array.from(y.data);
  let grad: Tensor = upstream;
  for (let i = layers.length - 1; i >= 0; i--) grad = layers[i].backward(grad, true)!;
  const grads: Record<string, number[]> = {};
  layers.forEach((layer, i) => layer.params().forEach((p) => (grads[`${i}.${p.name}`] = Array.from(p.grad.data))));
  const buffers: Record<string, number[]> = {};
  layers.forEach((layer, i) => layer.buffers?.().forEach((b) => (buffers[`${i}.${b.name}`] = Array.from(b.value.data))));
  return { output, inputGrad: Array.from(grad.data), grads, buffers };
}

/**
 * max |a − b| over max |b|. A tensor that is zero in exact arithmetic (the bias of a convolution followed by
 * batch norm, whose shift the normalisation removes) holds only rounding noise on both sides: there the
 * noise itself is compared, in units of 1e-6 absolute.
 */
function relativeError(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  return scale < 1e-6 ? (worst / 1e-6) * 1e-5 : worst / scale;
}

describe.skipIf(!python)('layers against PyTorch (same weights, inputs and upstream gradients)', () => {
  const rng = new Rng(9);
  const prepared = cases.map((c) => {
    const layers = c.layers();
    for (const layer of layers)
      for (const p of layer.params()) if (p.name === 'bias') p.value.data.forEach((_, i, b) => (b[i] = rng.uniformIn(-0.5, 0.5)));
    const x = Tensor.zeros(c.input);
    for (let i = 0; i < x.size; i++) x.data[i] = rng.uniformIn(-1, 1);
    let shape = c.input.slice(1);
    for (const layer of layers) shape = layer.outputShape(shape);
    const upstream = Tensor.zeros([c.input[0], ...shape]);
    for (let i = 0; i < upstream.size; i++) upstream.data[i] = rng.uniformIn(-1, 1);
    return { c, layers, x, upstream };
  });
  const torchRun = () => {
    const input = {
      cases: prepared.map(({ c, layers, x, upstream }) => ({
        label: c.label,
        layers: layers.map((l) => l.config()),
        params: Object.fromEntries(layers.flatMap((l, i) => l.params().map((p) => [`${i}.${p.name}`, Array.from(p.value.data)]))),
        input: { shape: c.input, values: Array.from(x.data) },
        upstream: Array.from(upstream.data),
      })),
    };
    const run = spawnSync(python!, [script], {
      input: JSON.stringify(input),
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      timeout: 300_000,
    });
    if (run.status !== 0) throw new Error(`compare-layers-torch.py failed: ${run.stderr}`);
    return JSON.parse(run.stdout) as Record<string, ReturnType<typeof runScratchnet>>;
  };
  let torch: ReturnType<typeof torchRun> | null = null;

  it.each(prepared.map((p) => [p.c.label, p] as const))(
    '%s: output, input gradient, parameter gradients and running statistics to 1e-5',
    (_, p) => {
      torch ??= torchRun();
      const theirs = torch[p.c.label];
      const ours = runScratchnet(p.layers, p.x, p.upstream);
      expect(relativeError(ours.output, theirs.output)).toBeLessThan(1e-5);
      expect(relativeError(ours.inputGrad, theirs.inputGrad)).toBeLessThan(1e-5);
      expect(Object.keys(ours.grads).sort()).toEqual(Object.keys(theirs.grads).sort());
      for (const name of Object.keys(ours.grads))
        expect(relativeError(ours.grads[name], theirs.grads[name]), name).toBeLessThan(1e-5);
    },
  );
});
