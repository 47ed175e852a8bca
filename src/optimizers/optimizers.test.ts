import { describe, expect, it } from 'vitest';
import type { Param } from '../layers/layer.js';
import { NonFiniteError } from '../tensor/finite.js';
import { Tensor } from '../tensor/tensor.js';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { AdamW } from './adamw.js';
import { clipGradients, globalGradNorm } from './base.js';
import { makeOptimizer, optimizerFromConfig } from './make-optimizer.js';
import type { Optimizer } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

/** θ = [1, −2] on the quadratic L = ½‖θ‖², whose gradient is θ itself. */
function quadratic(): Param {
  return { name: '0.weight', value: Tensor.from([1, -2]), grad: Tensor.zeros([2]) };
}

/** Takes `steps` steps on the quadratic and returns θ after each. */
function trajectory(optimizer: Optimizer, steps = 3, p = quadratic()): number[][] {
  const out: number[][] = [];
  for (let t = 0; t < steps; t++) {
    p.grad.data.set(p.value.data);
    optimizer.step([p]);
    out.push(Array.from(p.value.data));
  }
  return out;
}

function expectClose(actual: number[][], expected: number[][], digits = 6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, t) => row.forEach((v, i) => expect(v, `step ${t + 1}, θ[${i}]`).toBeCloseTo(expected[t][i], digits)));
}

describe('optimizers: first steps computed by hand on ½‖θ‖² from θ = [1, −2]', () => {
  it('SGD: θ ← θ − lr·g shrinks θ by (1 − lr) per step', () => {
    expectClose(trajectory(new SGD(0.1)), [
      [0.9, -1.8],
      [0.81, -1.62],
      [0.729, -1.458],
    ]);
  });

  it('SGD with coupled weight decay λ = 0.5: g = θ + 0.5·θ', () => {
    expectClose(trajectory(new SGD({ lr: 0.1, weightDecay: 0.5 }), 1), [[0.85, -1.7]]);
  });

  it('momentum μ = 0.9: b₁ = g₁ = 1, b₂ = 0.9·1 + 0.9 = 1.8, b₃ = 0.9·1.8 + 0.72 = 2.34', () => {
    expectClose(trajectory(new SGD({ lr: 0.1, momentum: 0.9 })), [
      [0.9, -1.8],
      [0.72, -1.44],
      [0.486, -0.972],
    ]);
  });

  it('Nesterov μ = 0.9: step d = g + μ·b, so θ₁ = 1 − 0.1·(1 + 0.9) = 0.81', () => {
    expectClose(trajectory(new SGD({ lr: 0.1, momentum: 0.9, nesterov: true })), [
      [0.81, -1.62],
      [0.5751, -1.1502],
      [0.327321, -0.654642],
    ]);
  });

  it('RMSprop α = 0.99: s₁ = 0.01·1, θ₁ = 1 − 0.01·1/√0.01 = 0.9', () => {
    expectClose(trajectory(new RMSprop({ lr: 0.01 })), [
      [0.9, -1.9],
      [0.832918, -1.8309433],
      [0.7799823, -1.7753495],
    ]);
  });

  it('Adagrad: s₂ = 1 + 0.81, θ₂ = 0.9 − 0.1·0.9/√1.81', () => {
    expectClose(trajectory(new Adagrad({ lr: 0.1 })), [
      [0.9, -1.9],
      [0.8331035, -1.8311251],
      [0.7804562, -1.7758215],
    ]);
  });

  // Step 1: m = 0.1, v = 0.001, m̂ = m/(1 − 0.9) = 1, v̂ = v/(1 − 0.999) = 1 → θ = 1 − 0.1·1/(1 + 1e-8) = 0.9
  // Step 2: g = 0.9, m = 0.09 + 0.09 = 0.18, v = 0.000999 + 0.00081 = 0.001809,
  //         m̂ = 0.18/0.19 = 0.947368, v̂ = 0.001809/0.001999 = 0.904952 → θ = 0.9 − 0.1·0.947368/0.951290 = 0.800412
  // Without bias correction step 1 would move θ by 0.1·0.1/√0.001 = 0.316 instead of 0.1.
  it('Adam: three steps with bias correction', () => {
    expectClose(trajectory(new Adam({ lr: 0.1 })), [
      [0.9, -1.9],
      [0.8004122, -1.8001665],
      [0.7015863, -1.7006234],
    ]);
  });

  it('AdamW decays θ by (1 − lr·λ) before the Adam step: θ₁ = 0.99 − 0.1', () => {
    expectClose(trajectory(new AdamW({ lr: 0.1, weightDecay: 0.1 })), [
      [0.89, -1.88],
      [0.7815719, -1.761409],
      [0.6751012, -1.6443687],
    ]);
  });

  it('Adam with coupled L2 differs from AdamW: the decay term passes through the moment estimates', () => {
    const coupled = trajectory(new Adam({ lr: 0.1, weightDecay: 0.1 }), 1);
    // g = θ + 0.1·θ = 1.1·θ; the first Adam step is lr·sign(g) whatever g's size, so θ₁ = 0.9 (not 0.89)
    expectClose(coupled, [[0.9, -1.9]]);
  });

  it('clipping by global norm scales every gradient by maxNorm/‖g‖ across all params', () => {
    const a: Param = { name: 'a', value: Tensor.zeros([1]), grad: Tensor.from([3]) };
    const b: Param = { name: 'b', value: Tensor.zeros([1]), grad: Tensor.from([4]) };
    expect(globalGradNorm([a, b])).toBe(5);
    clipGradients([a, b], 1);
    expect(a.grad.data[0]).toBeCloseTo(0.6, 6);
    expect(b.grad.data[0]).toBeCloseTo(0.8, 6);
    clipGradients([a, b], 2); // already below the threshold: unchanged
    expect(b.grad.data[0]).toBeCloseTo(0.8, 6);
    const sgd = new SGD({ lr: 1, clipNorm: 1 });
    const c: Param = { name: 'c', value: Tensor.from([0, 0]), grad: Tensor.from([3, 4]) };
    sgd.step([c]);
    expect(Array.from(c.value.data).map((v) => +v.toFixed(6))).toEqual([-0.6, -0.8]);
    expect(sgd.lastGradNorm).toBe(5);
  });

  for (const name of ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adagrad', 'adam', 'adamw'] as const) {
    it(`${name}: state() → loadState() continues the run bit for bit`, () => {
      const options = { lr: 0.05, weightDecay: 0.01, momentum: name === 'rmsprop' ? 0.5 : undefined };
      const whole = makeOptimizer(name, options);
      const full = trajectory(whole, 6);
      const first = makeOptimizer(name, options);
      const p = quadratic();
      trajectory(first, 3, p);
      const saved = JSON.parse(JSON.stringify(first.state(), (_k, v) => (v instanceof Float32Array ? Array.from(v) : v)));
      for (const key of Object.keys(saved.buffers)) saved.buffers[key] = Float32Array.from(saved.buffers[key]);
      const resumed = optimizerFromConfig(JSON.parse(JSON.stringify(first.config())));
      expect(resumed.name).toBe(name);
      resumed.loadState(saved);
      expect(trajectory(resumed, 3, p)).toEqual(full.slice(3));
    });
  }

  it('state buffers are keyed <param name>/<slot> with PyTorch slot names', () => {
    const adam = new Adam();
    trajectory(adam, 1);
    expect(Object.keys(adam.state().buffers)).toEqual(['0.weight/exp_avg', '0.weight/exp_avg_sq']);
    expect(adam.state().scalars.step).toBe(1);
    expect(() => adam.loadState({ scalars: { step: 1 }, buffers: { '0.weight/momentum': new Float32Array(2) } })).toThrow(/slot/);
  });

  it('rejects impossible settings with a message naming them', () => {
    expect(() => new SGD({ lr: -1 })).toThrow(/learning rate/);
    expect(() => new SGD({ lr: 0.1, nesterov: true })).toThrow(/Nesterov/);
    expect(() => new Adam({ beta1: 1 })).toThrow(/beta1/);
    expect(() => makeOptimizer('lbfgs')).toThrow(/unknown optimizer 'lbfgs'/);
  });
});

describe('a non-finite gradient stops the step, with or without clipping', () => {
  it.each([null, 1])('clip norm %s: Infinity in a gradient is named with its index, and no value changes', (clipNorm) => {
    const value = Tensor.from([1, 2, 3]);
    const grad = Tensor.from([0.5, Infinity, NaN]);
    const optimizer = new SGD({ lr: 0.1, ...(clipNorm === null ? {} : { clipNorm }) });
    expect(() => optimizer.step([{ name: '0.weight', value, grad }])).toThrow(
      new NonFiniteError("the gradient of '0.weight' is Infinity at index 1"),
    );
    expect(Array.from(value.data)).toEqual([1, 2, 3]);
  });
});
