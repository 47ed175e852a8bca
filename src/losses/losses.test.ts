import { describe, expect, it } from 'vitest';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { randomTensor } from '../../test/helpers.js';
import { meanSquaredError } from './mse.js';
import { SoftmaxCrossEntropy, softmaxCrossEntropyWithLogits } from './softmax-cross-entropy.js';

describe('softmax cross-entropy', () => {
  it('matches a hand computation', () => {
    // p = softmax([1, 2, 3]) = [0.09003057, 0.24472847, 0.66524096]; L = −ln p₂
    const { loss, grad } = softmaxCrossEntropyWithLogits(Tensor.from([[1, 2, 3]]), [2]);
    expect(loss).toBeCloseTo(0.40760596, 6);
    [0.09003057, 0.24472847, -0.33475904].forEach((v, i) => expect(grad.data[i]).toBeCloseTo(v, 6));
  });

  it('averages loss and gradient over the batch', () => {
    const { loss, grad } = softmaxCrossEntropyWithLogits(
      Tensor.from([
        [1, 2, 3],
        [0, 0, 0],
      ]),
      [2, 0],
    );
    expect(loss).toBeCloseTo((0.40760596 + Math.log(3)) / 2, 6);
    expect(grad.data[2]).toBeCloseTo(-0.33475904 / 2, 6);
    expect(grad.data[3]).toBeCloseTo((1 / 3 - 1) / 2, 6);
  });

  it('stays finite and exact for logits of ±1e4', () => {
    const { loss, grad } = softmaxCrossEntropyWithLogits(
      Tensor.from([
        [1e4, -1e4, 0],
        [1e4, -1e4, 0],
      ]),
      [0, 1],
    );
    // row 0 is certain and right: loss 0; row 1 is certain and wrong by 2e4: loss 2e4.
    expect(loss).toBeCloseTo((0 + 2e4) / 2, 3);
    expect(Array.from(grad.data)).toEqual([0, 0, 0, 0.5, -0.5, 0]);
  });

  it('gradient matches finite differences', () => {
    const rng = new Rng(5);
    const logits = randomTensor([4, 5], rng, -3, 3);
    const labels = Int32Array.from([0, 4, 2, 2]);
    const loss = new SoftmaxCrossEntropy(5);
    loss.forward(logits, labels);
    const grad = loss.lastGrad!.clone();
    const h = 1e-2;
    for (let i = 0; i < logits.size; i++) {
      const original = logits.data[i];
      logits.data[i] = original + h;
      const up = loss.forward(logits, labels);
      logits.data[i] = original - h;
      const down = loss.forward(logits, labels);
      logits.data[i] = original;
      expect(grad.data[i]).toBeCloseTo((up - down) / (2 * h), 3);
    }
  });

  it('rejects labels outside the class range', () => {
    expect(() => new SoftmaxCrossEntropy(3).forward(Tensor.zeros([1, 3]), Int32Array.from([3]))).toThrow(
      /label 3 at row 0 is outside 0..2/,
    );
  });
});

describe('mean squared error', () => {
  it('matches a hand computation and its gradient 2(ŷ − y)/N', () => {
    const grad = Tensor.zeros([2, 2]);
    const loss = meanSquaredError(
      Tensor.from([
        [1, 2],
        [3, 4],
      ]),
      Tensor.from([
        [1, 0],
        [5, 4],
      ]),
      grad,
    );
    expect(loss).toBeCloseTo((0 + 4 + 4 + 0) / 4, 6);
    expect(Array.from(grad.data)).toEqual([0, 1, -1, 0]);
  });

  it('gradient matches finite differences', () => {
    const rng = new Rng(8);
    const p = randomTensor([3, 2], rng);
    const t = randomTensor([3, 2], rng);
    const grad = Tensor.zeros([3, 2]);
    meanSquaredError(p, t, grad);
    for (let i = 0; i < p.size; i++) {
      const original = p.data[i];
      p.data[i] = original + 1e-2;
      const up = meanSquaredError(p, t);
      p.data[i] = original - 1e-2;
      const down = meanSquaredError(p, t);
      p.data[i] = original;
      expect(grad.data[i]).toBeCloseTo((up - down) / 2e-2, 3);
    }
  });
});
