import { describe, expect, it } from 'vitest';
import { awayFromZero, spiral } from '../../test/helpers.js';
import { initVariance } from '../layers/init.js';
import { Adam } from '../optimizers/adam.js';
import { Rng } from '../tensor/rng.js';
import { evaluate } from './evaluate.js';
import { fit } from '../training/fit.js';
import { checkNetworkGradients } from './gradcheck.js';
import { Sequential } from './sequential.js';

describe('Sequential.mlp with batch norm, dropout and per-layer init', () => {
  it('builds Dense → BatchNorm → activation → Dropout per hidden layer, named as PyTorch indexes them', () => {
    const net = Sequential.mlp({ inputs: 4, hidden: [8, 6], classes: 3, batchNorm: true, dropout: 0.2 });
    expect(net.toString()).toBe(
      'Sequential(Dense(4 → 8) → BatchNorm(8) → ReLU → Dropout(0.2) → Dense(8 → 6) → BatchNorm(6) → ReLU → Dropout(0.2) → Dense(6 → 3))',
    );
    expect(net.params().map((p) => p.name)).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '4.weight',
      '4.bias',
      '5.weight',
      '5.bias',
      '8.weight',
      '8.bias',
    ]);
    expect(net.buffers().map((b) => b.name)).toEqual([
      '1.running_mean',
      '1.running_var',
      '1.num_batches_tracked',
      '5.running_mean',
      '5.running_var',
      '5.num_batches_tracked',
    ]);
    expect(Object.keys(net.randomStates())).toEqual(['3', '7']);
    const copy = Sequential.fromConfig(JSON.parse(JSON.stringify(net.config())));
    expect(copy.toString()).toBe(net.toString());
  });

  it('takes one init per Dense layer: the empirical weight variance follows each scheme', () => {
    const net = Sequential.mlp({
      inputs: 400,
      hidden: [300],
      classes: 200,
      init: ['he-uniform', 'xavier-normal'],
      rng: new Rng(1),
    });
    const variance = (w: Float32Array) => w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance(net.params()[0].value.data) / initVariance('he-uniform', 400, 300)).toBeCloseTo(1, 1);
    expect(variance(net.params()[2].value.data) / initVariance('xavier-normal', 300, 200)).toBeCloseTo(1, 1);
    expect(
      net
        .config()
        .layers.filter((l) => l.type === 'dense')
        .map((l) => l.init),
    ).toEqual(['he-uniform', 'xavier-normal']);
    expect(() => Sequential.mlp({ hidden: [4], init: ['he-normal'] })).toThrow(/2 Dense layers/);
  });

  it('a batch-norm network’s gradients match finite differences (train mode)', () => {
    const rng = new Rng(5);
    const net = Sequential.mlp({ inputs: 5, hidden: [6], classes: 3, batchNorm: true, activation: 'tanh', rng });
    const result = checkNetworkGradients(net, awayFromZero([8, 5], rng), Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1]), {
      maxChecksPerTensor: 100,
    });
    expect(result.failures).toEqual([]);
  });

  it('predict and evaluate run in eval mode: with dropout they are deterministic, training forwards are not', () => {
    const net = Sequential.mlp({ inputs: 4, hidden: [16], classes: 3, dropout: 0.5, batchNorm: true });
    const x = awayFromZero([6, 4], new Rng(2));
    expect(Array.from(net.predictProba(x).data)).toEqual(Array.from(net.predictProba(x).data));
    const train1 = Array.from(net.logits(x, 'train').data);
    const train2 = Array.from(net.logits(x, 'train').data);
    expect(train1).not.toEqual(train2);
  });

  it('learns the spiral with batch norm, dropout and Adam', () => {
    const data = spiral(100, 3, new Rng(2));
    const net = Sequential.mlp({ inputs: 2, hidden: [64, 64], classes: 3, batchNorm: true, dropout: 0.1, rng: new Rng(2) });
    fit(net, data, { epochs: 60, batchSize: 32, optimizer: new Adam({ lr: 0.01 }), rng: new Rng(2) });
    expect(evaluate(net, data).accuracy).toBeGreaterThanOrEqual(0.95);
  });
});
