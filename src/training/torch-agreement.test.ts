import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { findPython } from '../../test/python.js';
import { Batcher } from '../data/batches.js';
import { useBackend } from '../kernels/index.js';
import { loadBuiltinMnist } from '../data/builtin.js';
import { layersFromSpec } from '../network/from-spec.js';
import { parseLayerSpec } from '../network/layer-spec.js';
import { Sequential } from '../network/sequential.js';
import { type OptimizerOptions, makeOptimizer } from '../optimizers/make-optimizer.js';
import { Rng } from '../tensor/rng.js';

// 50 training steps of a convnet here and in PyTorch (scripts/compare-training-torch.py), from the same
// initial weights on the same batches of the built-in digits: every step's loss must agree to 1e-4
// relative. Forward, backward and the optimizer all feed the next step, so this checks them together
// and that their float32 rounding differences do not grow into another trajectory. No dropout: its masks
// come from different random streams on the two sides. On the fastest backend here (the js reference
// kernels take most of a minute for the first network on a loaded machine; every backend is checked
// against them by the kernel tests). Measured: at most 1.4e-6 relative over the 50 steps of either case.
// Adam is paired with the network without batch norm on purpose: a bias just before batch norm has a
// gradient of exactly 0 in exact arithmetic (the normalisation removes any shift), so both sides
// compute rounding noise there, and Adam's step m/(√v + ε) turns noise of 1e-9 into steps of lr·0.1 in
// random directions; the two trajectories then part at the 1e-4 level after ~20 steps (measured 5e-4),
// while with SGD those steps are as tiny as the noise.
const script = fileURLToPath(new URL('../../scripts/compare-training-torch.py', import.meta.url));
const { python, reason } = findPython(['torch']);
if (!python)
  console.warn(`skipped: training trajectories vs PyTorch (no Python with torch: ${reason}; install Debian python3-torch)`);

await useBackend('auto');
const STEPS = 50;
const BATCH = 16;

interface Case {
  label: string;
  spec: string;
  optimizer: { name: string; options: OptimizerOptions };
}

const cases: Case[] = [
  {
    label: "the issue's convnet without dropout, Adam",
    spec: 'conv2d(32,3),relu,maxpool2d(2),conv2d(64,3),relu,maxpool2d(2),flatten,dense(128),relu,dense(10)',
    optimizer: { name: 'adam', options: { lr: 0.001 } },
  },
  {
    label: 'a convnet with batch norm 2d and 1d, padding, stride and average pooling, SGD with momentum',
    spec: 'conv2d(8,3,1,same),batchnorm,relu,avgpool2d(2),conv2d(16,3,2,1),relu,maxpool2d(2),flatten,dense(32),batchnorm,relu,dense(10)',
    optimizer: { name: 'momentum', options: { lr: 0.05, momentum: 0.9 } },
  },
];

describe.skipIf(!python)('training against PyTorch (same initial weights, same batches)', () => {
  const { train } = loadBuiltinMnist();
  const batcher = new Batcher(train);
  const batches = Array.from({ length: STEPS }, (_, step) => {
    const { x, y } = batcher.gather(null, step * BATCH, (step + 1) * BATCH);
    return { shape: [...x.shape], x: Array.from(x.data), y: Array.from(y) };
  });
  const prepared = cases.map((c) => {
    const { layers, inputShape } = layersFromSpec(parseLayerSpec(c.spec), train.sampleShape, 10, new Rng(7));
    const network = new Sequential(layers, inputShape);
    const initial = Object.fromEntries(network.params().map((p) => [p.name, Array.from(p.value.data)]));
    return { c, network, initial };
  });
  // PyTorch runs while the test worker stays responsive (a minute of spawnSync starves vitest's RPC).
  let torch: Record<string, { losses: number[] }> = {};
  beforeAll(async () => {
    const input = {
      cases: prepared.map(({ c, network, initial }) => ({
        label: c.label,
        layers: network.layers.map((l) => l.config()),
        params: initial,
        optimizer: c.optimizer,
        batches,
      })),
    };
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = execFile(python!, [script], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 600_000 }, (error, out, err) =>
        error ? reject(new Error(`compare-training-torch.py failed: ${error.message}\n${err}`)) : resolve(out),
      );
      child.stdin!.end(JSON.stringify(input));
    });
    torch = JSON.parse(stdout) as typeof torch;
  }, 600_000);

  it.each(prepared.map((p) => [p.c.label, p] as const))(`%s: ${STEPS} steps' losses to 1e-4 relative`, (_, p) => {
    const theirs = torch[p.c.label].losses;
    const optimizer = makeOptimizer(p.c.optimizer.name, p.c.optimizer.options);
    const ours = batches.map((_b, step) => {
      const { x, y } = batcher.gather(null, step * BATCH, (step + 1) * BATCH);
      return p.network.trainStep(x, y, optimizer);
    });
    expect(theirs.length).toBe(STEPS);
    expect(ours.at(-1)!).toBeLessThan(ours[0] * 0.7); // it learns: the trajectory is not a flat line
    const worst = Math.max(...ours.map((loss, i) => Math.abs(loss - theirs[i]) / Math.abs(theirs[i])));
    expect(worst).toBeLessThan(1e-4);
  });
});
