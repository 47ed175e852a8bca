import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findPython } from '../../test/python.js';
import type { Param } from '../layers/layer.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { type OptimizerOptions, makeOptimizer } from './make-optimizer.js';

// Every optimizer runs 25 steps on the same problem here and in PyTorch (scripts/compare-optimizers-torch.py);
// the trajectories and the final state buffers must agree to 1e-6 relative to the largest magnitude
// among the values compared (elementwise relative error is meaningless for entries passing near zero,
// where float32 cancellation of O(1) terms leaves O(1e-8) differences). The gradient
// g = (θ − target)·curvature + noise_t is computed in float32 on both sides, one rounding per operation,
// so the two runs see identical gradients while θ agrees.
const script = fileURLToPath(new URL('../../scripts/compare-optimizers-torch.py', import.meta.url));
const { python, reason } = findPython(['torch']);
if (!python)
  console.warn(`skipped: optimizer trajectories vs PyTorch (no Python with torch: ${reason}; install Debian python3-torch)`);

const shapes: Record<string, number[]> = { '0.weight': [3, 2], '0.bias': [2] };
const steps = 25;

interface Case {
  label: string;
  optimizer: string;
  options: OptimizerOptions & { lr: number };
  clipNorm?: number;
}

const cases: Case[] = [
  { label: 'sgd', optimizer: 'sgd', options: { lr: 0.1 } },
  { label: 'sgd + weight decay + clipping', optimizer: 'sgd', options: { lr: 0.1, weightDecay: 0.05 }, clipNorm: 0.5 },
  { label: 'momentum', optimizer: 'momentum', options: { lr: 0.05, momentum: 0.9, weightDecay: 0.01 } },
  { label: 'momentum with dampening', optimizer: 'momentum', options: { lr: 0.05, momentum: 0.8, dampening: 0.3 } },
  { label: 'nesterov', optimizer: 'nesterov', options: { lr: 0.05, momentum: 0.9, weightDecay: 0.01 }, clipNorm: 1 },
  { label: 'rmsprop', optimizer: 'rmsprop', options: { lr: 0.01, weightDecay: 0.01 } },
  {
    label: 'rmsprop centered with momentum',
    optimizer: 'rmsprop',
    options: { lr: 0.01, alpha: 0.9, momentum: 0.5, centered: true },
  },
  { label: 'adagrad', optimizer: 'adagrad', options: { lr: 0.1, weightDecay: 0.01, initialAccumulator: 0.1 } },
  { label: 'adam', optimizer: 'adam', options: { lr: 0.01, weightDecay: 0.01 }, clipNorm: 1 },
  { label: 'adam betas', optimizer: 'adam', options: { lr: 0.02, beta1: 0.8, beta2: 0.99, eps: 1e-6 } },
  { label: 'adamw', optimizer: 'adamw', options: { lr: 0.01, weightDecay: 0.1 } },
];

function problem() {
  const rng = new Rng(11);
  const draw = (scale: number, offset = 0) =>
    Object.fromEntries(
      Object.entries(shapes).map(([n, s]) => [
        n,
        Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => Math.fround(offset + scale * rng.uniformIn(-1, 1))),
      ]),
    );
  const initial = draw(1);
  return {
    params: Object.fromEntries(Object.entries(shapes).map(([n, shape]) => [n, { value: initial[n], shape }])),
    target: draw(0.5),
    curvature: draw(0.9, 1.1),
    noise: Array.from({ length: steps }, () => draw(0.3)),
    steps,
  };
}

function runScratchnet(spec: ReturnType<typeof problem>, c: Case) {
  const params: Param[] = Object.entries(shapes).map(([name, shape]) => ({
    name,
    value: new Tensor(Float32Array.from(spec.params[name].value), shape),
    grad: Tensor.zeros(shape),
  }));
  const optimizer = makeOptimizer(c.optimizer, { ...c.options, clipNorm: c.clipNorm });
  const trajectory: Array<Record<string, number[]>> = [];
  for (let t = 0; t < steps; t++) {
    for (const p of params) {
      const target = spec.target[p.name];
      const curvature = spec.curvature[p.name];
      const noise = spec.noise[t][p.name];
      for (let i = 0; i < p.value.size; i++)
        p.grad.data[i] = Math.fround(Math.fround(p.value.data[i] - target[i]) * curvature[i]) + noise[i];
    }
    optimizer.step(params);
    trajectory.push(Object.fromEntries(params.map((p) => [p.name, Array.from(p.value.data)])));
  }
  return { trajectory, state: optimizer.state().buffers };
}

function largest(...tensors: Array<ArrayLike<number>>): number {
  let scale = 0;
  for (const t of tensors) for (let i = 0; i < t.length; i++) scale = Math.max(scale, Math.abs(t[i]));
  return scale;
}

function expectAgreement(what: string, ours: ArrayLike<number>, theirs: ArrayLike<number>, scale = largest(theirs)): void {
  expect(ours.length, what).toBe(theirs.length);
  const tolerance = 1e-6 * scale;
  for (let i = 0; i < ours.length; i++) {
    expect(Math.abs(ours[i] - theirs[i]), `${what}[${i}]: scratchnet ${ours[i]}, PyTorch ${theirs[i]}`).toBeLessThanOrEqual(
      tolerance,
    );
  }
}

describe.skipIf(!python)('optimizers agree with PyTorch step by step', () => {
  const spec = problem();
  let torch: Record<string, { trajectory: Array<Record<string, number[]>>; state: Record<string, number[]> }> = {};
  if (python) {
    const run = spawnSync(python, [script], {
      input: JSON.stringify({ ...spec, configs: cases }),
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (run.status !== 0) throw new Error(`compare-optimizers-torch.py failed: ${run.stderr}`);
    torch = JSON.parse(run.stdout);
  }

  for (const c of cases) {
    it(`${c.label}: ${steps} steps and the final state match torch.optim to 1e-6`, () => {
      const ours = runScratchnet(spec, c);
      const theirs = torch[c.label];
      for (let t = 0; t < steps; t++) {
        const scale = largest(...Object.values(theirs.trajectory[t]));
        for (const name of Object.keys(shapes))
          expectAgreement(`step ${t + 1} ${name}`, ours.trajectory[t][name], theirs.trajectory[t][name], scale);
      }
      expect(Object.keys(ours.state).sort()).toEqual(Object.keys(theirs.state).sort());
      for (const [key, buffer] of Object.entries(ours.state)) expectAgreement(`state ${key}`, buffer, theirs.state[key]);
    });
  }
});
