import { describe, expect, it } from 'vitest';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { randomTensor } from '../../test/helpers.js';
import { checkLossGradients } from '../network/gradcheck.js';
import { lossFromConfig } from './loss.js';
import { MeanSquaredError, meanSquaredError } from './mse.js';
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
    const grad = loss.backward().clone();
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

  it('as a Loss, its gradient passes the finite-difference check on logits of any width', () => {
    const rng = new Rng(6);
    const result = checkLossGradients(
      new SoftmaxCrossEntropy(),
      randomTensor([5, 7], rng, -3, 3),
      Int32Array.from([6, 0, 3, 3, 1]),
    );
    expect(result.failures).toEqual([]);
    expect(result.checked).toBe(35);
  });

  it('refuses logits of another width than the classes it was given, naming both shapes', () => {
    expect(() => new SoftmaxCrossEntropy(3).forward(Tensor.zeros([2, 4]), Int32Array.from([0, 1]))).toThrow(
      'softmax cross-entropy logits: expected shape [-1, 3], got [2, 4]',
    );
  });

  it('backward before any forward is a mistake it names', () => {
    expect(() => new SoftmaxCrossEntropy().backward()).toThrow(/SoftmaxCrossEntropy.backward called before forward/);
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

describe('mean squared error against one-hot labels (MeanSquaredError)', () => {
  it('matches a hand computation: outputs [[1, 2], [3, 4]], labels [0, 1] → L = (0 + 4 + 9 + 9)/4, ∂L/∂z = 2(z − t)/4', () => {
    // one-hot targets [[1, 0], [0, 1]]; z − t = [[0, 2], [3, 3]]
    const loss = new MeanSquaredError();
    const value = loss.forward(
      Tensor.from([
        [1, 2],
        [3, 4],
      ]),
      Int32Array.from([0, 1]),
    );
    expect(value).toBe(5.5);
    expect(Array.from(loss.backward().data)).toEqual([0, 1, 1.5, 1.5]);
    expect(loss.backward().shape).toEqual([2, 2]);
  });

  it('is meanSquaredError on the one-hot rows of the labels', () => {
    const rng = new Rng(9);
    const output = randomTensor([4, 3], rng);
    const labels = Int32Array.from([2, 0, 1, 2]);
    const oneHot = Tensor.zeros([4, 3]);
    labels.forEach((label, row) => (oneHot.data[row * 3 + label] = 1));
    const grad = Tensor.zeros([4, 3]);
    const expected = meanSquaredError(output, oneHot, grad);
    const loss = new MeanSquaredError();
    expect(loss.forward(output, labels)).toBe(expected);
    expect(Array.from(loss.backward().data)).toEqual(Array.from(grad.data));
  });

  it('gradient matches finite differences', () => {
    const rng = new Rng(10);
    const result = checkLossGradients(
      new MeanSquaredError(),
      randomTensor([6, 4], rng, -2, 2),
      Int32Array.from([0, 3, 1, 2, 3, 0]),
    );
    expect(result.failures).toEqual([]);
    expect(result.checked).toBe(24);
  });

  it('reuses its gradient buffer across batches of the same size', () => {
    const loss = new MeanSquaredError();
    loss.forward(Tensor.zeros([3, 2]), Int32Array.from([0, 1, 0]));
    const first = loss.backward().data;
    loss.forward(Tensor.zeros([3, 2]), Int32Array.from([1, 1, 0]));
    expect(loss.backward().data).toBe(first);
  });

  it('rejects labels outside the class range and too few labels', () => {
    expect(() => new MeanSquaredError().forward(Tensor.zeros([2, 3]), Int32Array.from([0, -1]))).toThrow(
      /mean squared error: label -1 at row 1 is outside 0..2/,
    );
    expect(() => new MeanSquaredError().forward(Tensor.zeros([2, 3]), Int32Array.from([0]))).toThrow(
      /mean squared error: 2 output rows but 1 labels/,
    );
  });
});

describe('loss configs', () => {
  it('each loss rebuilds from its saved config', () => {
    for (const loss of [new SoftmaxCrossEntropy(), new MeanSquaredError()]) {
      const copy = lossFromConfig(JSON.parse(JSON.stringify(loss.config())));
      expect(copy.constructor).toBe(loss.constructor);
      expect(String(copy)).toBe(String(loss));
    }
    expect(new MeanSquaredError().config()).toEqual({ type: 'mean-squared-error' });
  });

  it('an unknown loss type names the known ones', () => {
    expect(() => lossFromConfig({ type: 'hinge' })).toThrow(
      "unknown loss type 'hinge' (known: softmax-cross-entropy, mean-squared-error)",
    );
  });
});
