import { describe, expect, it } from 'vitest';
import { randomTensor } from '../../test/helpers.js';
import { checkLayerGradients } from '../network/gradcheck.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { Dropout } from './dropout.js';
import type { Layer } from './layer.js';
import { layerFromConfig } from './layer.js';

/** The same Dropout with its random state reset before every forward: a fixed mask for finite differences. */
function withFixedMask(dropout: Dropout): Layer {
  const saved = dropout.randomState();
  return {
    type: dropout.type,
    forward: (x, mode) => {
      dropout.setRandomState(saved);
      return dropout.forward(x, mode);
    },
    backward: (dY, need) => dropout.backward(dY, need),
    params: () => dropout.params(),
    outputShape: (s) => dropout.outputShape(s),
    config: () => dropout.config(),
    flops: (s) => dropout.flops(s),
  };
}

describe('Dropout', () => {
  it('zeroes about a fraction p and scales the kept values by 1/(1 − p) in training', () => {
    const dropout = new Dropout(0.25, new Rng(1));
    const x = Tensor.zeros([100, 100]).reshape([100, 100]);
    x.data.fill(2);
    const y = dropout.forward(x, 'train');
    const values = new Set(Array.from(y.data));
    expect([...values].sort()).toEqual([0, 2 / 0.75].map(Math.fround).sort());
    const zeros = y.data.filter((v) => v === 0).length / y.size;
    expect(zeros).toBeGreaterThan(0.23);
    expect(zeros).toBeLessThan(0.27);
    // inverted scaling keeps the mean: E[y] = x
    expect(y.data.reduce((a, b) => a + b, 0) / y.size).toBeCloseTo(2, 1);
  });

  it('is the identity in eval mode', () => {
    const dropout = new Dropout(0.5, new Rng(1));
    const x = randomTensor([4, 6], new Rng(2));
    expect(Array.from(dropout.forward(x, 'eval').data)).toEqual(Array.from(x.data));
    const train = dropout.forward(x, 'train');
    expect(Array.from(train.data)).not.toEqual(Array.from(x.data));
  });

  it('backward multiplies by the same mask: dx = dy ⊙ m', () => {
    const dropout = new Dropout(0.5, new Rng(3));
    const x = Tensor.zeros([3, 4]);
    x.data.fill(1);
    const mask = Array.from(dropout.forward(x, 'train').data); // with x = 1, y is the mask itself
    const dy = randomTensor([3, 4], new Rng(4));
    const dx = dropout.backward(dy, true)!;
    for (let i = 0; i < 12; i++) expect(dx.data[i]).toBeCloseTo(dy.data[i] * mask[i], 6);
  });

  it('gradients match finite differences with a fixed mask', () => {
    const dropout = new Dropout(0.3, new Rng(5));
    const result = checkLayerGradients(withFixedMask(dropout), randomTensor([5, 7], new Rng(6)), { maxChecksPerTensor: 100 });
    expect(result.failures).toEqual([]);
    expect(result.checked).toBe(35);
  });

  it('restoring its random state replays the same masks (checkpoints resume exactly)', () => {
    const dropout = new Dropout(0.5, new Rng(7));
    const x = randomTensor([4, 8], new Rng(8));
    dropout.forward(x, 'train');
    const state = dropout.randomState();
    const next = Array.from(dropout.forward(x, 'train').data);
    const copy = layerFromConfig(dropout.config(), new Rng(99)) as Dropout;
    copy.setRandomState(state);
    expect(Array.from(copy.forward(x, 'train').data)).toEqual(next);
  });

  it('draws its masks from its own stream, seeded by the network rng', () => {
    const a = new Dropout(0.5, new Rng(9));
    const b = new Dropout(0.5, new Rng(9));
    const c = new Dropout(0.5, new Rng(10));
    const x = Tensor.zeros([1, 64]);
    x.data.fill(1);
    const ya = Array.from(a.forward(x, 'train').data);
    expect(Array.from(b.forward(x, 'train').data)).toEqual(ya);
    expect(Array.from(c.forward(x, 'train').data)).not.toEqual(ya);
  });

  it('rejects a rate outside [0, 1)', () => {
    expect(() => new Dropout(1)).toThrow(/rate/);
    expect(() => new Dropout(-0.1)).toThrow(/rate/);
  });
});
