import { describe, expect, it } from 'vitest';
import { randomTensor } from '../../test/helpers.js';
import { checkLayerGradients } from '../network/gradcheck.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { BatchNorm } from './batch-norm.js';
import { layerFromConfig } from './layer.js';

describe('BatchNorm', () => {
  it('normalises each feature over the batch in training: [1, 3] → [−1, 1] (σ² = 1)', () => {
    const bn = new BatchNorm(2);
    // feature 0: values 1, 3 → μ = 2, σ² = 1;  feature 1: values 10, 10 → μ = 10, σ² = 0
    const y = bn.forward(
      Tensor.from([
        [1, 10],
        [3, 10],
      ]),
      'train',
    );
    const s = 1 / Math.sqrt(1 + 1e-5);
    expect(Array.from(y.data)).toEqual([-s, 0, s, 0].map(Math.fround));
  });

  it('updates running averages with momentum 0.1 and the unbiased variance', () => {
    const bn = new BatchNorm(2);
    bn.forward(
      Tensor.from([
        [1, 10],
        [3, 10],
      ]),
      'train',
    );
    // running_mean = 0.9·0 + 0.1·μ;  running_var = 0.9·1 + 0.1·σ²·N/(N − 1) = 0.9 + 0.1·2 for feature 0
    expect(Array.from(bn.runningMean.data)).toEqual([0.2, 1].map(Math.fround));
    expect(Array.from(bn.runningVar.data)).toEqual([1.1, 0.9].map(Math.fround));
  });

  it('uses the running statistics in eval mode, so train and eval outputs differ', () => {
    const bn = new BatchNorm(2);
    bn.weight.value.data.set([2, 1]);
    bn.bias.value.data.set([0.5, -1]);
    const x = Tensor.from([
      [1, 10],
      [3, 10],
    ]);
    const train = Array.from(bn.forward(x, 'train').data);
    const evalOut = Array.from(bn.forward(x, 'eval').data);
    // eval: y = γ·(x − running_mean)/√(running_var + ε) + β with running_mean [0.2, 1], running_var [1.1, 0.9]
    const expected = [
      [1, 10],
      [3, 10],
    ].flatMap(([a, b]) => [(2 * (a - 0.2)) / Math.sqrt(1.1 + 1e-5) + 0.5, (b - 1) / Math.sqrt(0.9 + 1e-5) - 1]);
    evalOut.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    expect(train).not.toEqual(evalOut);
    // eval mode leaves the running statistics alone
    expect(Array.from(bn.runningMean.data)).toEqual([0.2, 1].map(Math.fround));
  });

  it('gradients match finite differences in training mode (input, γ and β)', () => {
    const rng = new Rng(3);
    const bn = new BatchNorm(4);
    for (let j = 0; j < 4; j++) {
      bn.weight.value.data[j] = rng.uniformIn(0.5, 1.5);
      bn.bias.value.data[j] = rng.uniformIn(-0.5, 0.5);
    }
    const result = checkLayerGradients(bn, randomTensor([6, 4], rng, -2, 2), { maxChecksPerTensor: 100 });
    expect(result.failures).toEqual([]);
    expect(result.checked).toBe(24 + 4 + 4);
  });

  it('in eval mode the input gradient is γ·dy/√(running_var + ε)', () => {
    const rng = new Rng(4);
    const bn = new BatchNorm(3);
    bn.runningMean.data.set([0.1, -0.2, 0.3]);
    bn.runningVar.data.set([0.5, 2, 1.5]);
    bn.weight.value.data.set([1.2, 0.7, -0.4]);
    const x = randomTensor([5, 3], rng);
    const y = bn.forward(x, 'eval');
    const dy = randomTensor([5, 3], rng);
    const dx = bn.backward(dy, true)!;
    for (let i = 0; i < 15; i++) {
      const j = i % 3;
      expect(dx.data[i]).toBeCloseTo((dy.data[i] * bn.weight.value.data[j]) / Math.sqrt(bn.runningVar.data[j] + 1e-5), 6);
    }
    expect(y.shape).toEqual([5, 3]);
  });

  it('names its params and buffers as PyTorch does and rebuilds from its config', () => {
    const bn = new BatchNorm(3, 0.2, 1e-3);
    expect(bn.params().map((p) => p.name)).toEqual(['weight', 'bias']);
    expect(bn.buffers().map((b) => b.name)).toEqual(['running_mean', 'running_var', 'num_batches_tracked']);
    const copy = layerFromConfig(JSON.parse(JSON.stringify(bn.config())), new Rng(1)) as BatchNorm;
    expect(copy.config()).toEqual({ type: 'batch-norm', features: 3, momentum: 0.2, eps: 1e-3 });
  });

  it('refuses to train on a batch of one row (no variance), naming the shape', () => {
    expect(() => new BatchNorm(3).forward(Tensor.zeros([1, 3]), 'train')).toThrow(/at least 2 values per feature.*\[1, 3\]/);
    expect(new BatchNorm(3).forward(Tensor.zeros([1, 3]), 'eval').shape).toEqual([1, 3]);
  });
});

describe('BatchNorm over channels (BatchNorm2d)', () => {
  it('normalises each channel over the batch and every position', () => {
    const bn = new BatchNorm(2);
    // channel 0 holds 1, 2, 3, 4 (two samples × two positions): μ = 2.5, σ² = 1.25; channel 1 holds 7 everywhere
    const x = new Tensor(Float32Array.from([1, 2, 7, 7, 3, 4, 7, 7]), [2, 2, 1, 2]);
    const y = bn.forward(x, 'train');
    expect(y.shape).toEqual([2, 2, 1, 2]);
    const s = 1 / Math.sqrt(1.25 + 1e-5);
    expect(Array.from(y.data)).toEqual([-1.5 * s, -0.5 * s, 0, 0, 0.5 * s, 1.5 * s, 0, 0].map(Math.fround));
    // running_var takes the unbiased σ² over the N = 4 values of the channel: 1.25 · 4/3
    expect(bn.runningVar.data[0]).toBeCloseTo(0.9 + (0.1 * (1.25 * 4)) / 3, 6);
    expect(bn.outputShape([2, 1, 2])).toEqual([2, 1, 2]);
  });

  it('backward matches finite differences on [3, 2, 3, 4]', () => {
    const rng = new Rng(8);
    const bn = new BatchNorm(2);
    bn.weight.value.data.set([1.5, -0.7]);
    bn.bias.value.data.set([0.2, 0.1]);
    const result = checkLayerGradients(bn, randomTensor([3, 2, 3, 4], rng));
    expect(result.failures).toEqual([]);
  });
});
