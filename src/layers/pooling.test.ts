import { describe, expect, it } from 'vitest';
import { randomTensor } from '../../test/helpers.js';
import { checkLayerGradients } from '../network/gradcheck.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { Flatten } from './flatten.js';
import { GlobalAvgPool2d } from './global-avg-pool2d.js';
import { layerFromConfig } from './layer.js';
import { AvgPool2d, MaxPool2d } from './pooling.js';

/** The 4×4 image 1..16 as a [1, 1, 4, 4] batch. */
const sixteen = () =>
  new Tensor(
    Float32Array.from({ length: 16 }, (_, i) => i + 1),
    [1, 1, 4, 4],
  );

/** Distinct values in shuffled order, so no window has a tie within the finite-difference step. */
function distinct(shape: number[], rng: Rng): Tensor {
  const t = Tensor.zeros(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = (i - t.size / 2) * 0.05;
  rng.shuffle(t.data);
  return t;
}

describe('MaxPool2d', () => {
  it('keeps the largest value of each 2×2 block, and sends each gradient back to it alone', () => {
    const pool = new MaxPool2d(2);
    const y = pool.forward(sixteen(), 'train');
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.data)).toEqual([6, 8, 14, 16]);
    const dX = pool.backward(new Tensor(Float32Array.from([1, 2, 3, 4]), [1, 1, 2, 2]), true)!;
    expect(Array.from(dX.data)).toEqual([0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4]);
  });

  it('with overlapping windows (3×3, stride 1) adds up the gradients of every window an input wins', () => {
    const pool = new MaxPool2d(3, 1);
    expect(Array.from(pool.forward(sixteen(), 'train').data)).toEqual([11, 12, 15, 16]);
    const dX = pool.backward(new Tensor(Float32Array.from([1, 1, 1, 1]), [1, 1, 2, 2]), true)!;
    expect(dX.data[10]).toBe(1);
    expect(dX.data[15]).toBe(1);
  });

  it('passes NaN on as the largest value, and drops windows that do not fit (5×5 → 2×2)', () => {
    const x = Tensor.zeros([1, 1, 5, 5]);
    x.data[6] = NaN;
    const y = new MaxPool2d(2).forward(x, 'train');
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.data)).toEqual([NaN, 0, 0, 0]);
  });

  it('backward matches finite differences (2 channels, odd sizes, stride 2 and overlapping windows)', () => {
    const rng = new Rng(3);
    for (const pool of [new MaxPool2d(2), new MaxPool2d(3, 2)]) {
      const result = checkLayerGradients(pool, distinct([2, 2, 7, 5], rng));
      expect(result.failures).toEqual([]);
    }
  });
});

describe('AvgPool2d', () => {
  it('averages each 2×2 block and shares each gradient equally among its four inputs', () => {
    const pool = new AvgPool2d(2);
    expect(Array.from(pool.forward(sixteen(), 'train').data)).toEqual([3.5, 5.5, 11.5, 13.5]);
    const dX = pool.backward(new Tensor(Float32Array.from([4, 0, 0, 8]), [1, 1, 2, 2]), true)!;
    expect(Array.from(dX.data)).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 2, 2, 0, 0, 2, 2]);
  });

  it('backward matches finite differences with overlapping windows', () => {
    const rng = new Rng(4);
    const result = checkLayerGradients(new AvgPool2d(3, 2), randomTensor([2, 3, 7, 6], rng));
    expect(result.failures).toEqual([]);
  });
});

describe('GlobalAvgPool2d', () => {
  it('averages each channel over the image into [N, C], and spreads the gradient evenly', () => {
    const pool = new GlobalAvgPool2d();
    const x = new Tensor(Float32Array.from([1, 2, 3, 4, 10, 20, 30, 40]), [1, 2, 2, 2]);
    const y = pool.forward(x, 'train');
    expect(y.shape).toEqual([1, 2]);
    expect(Array.from(y.data)).toEqual([2.5, 25]);
    expect(Array.from(pool.backward(new Tensor(Float32Array.from([4, 8]), [1, 2]), true)!.data)).toEqual([
      1, 1, 1, 1, 2, 2, 2, 2,
    ]);
    expect(checkLayerGradients(pool, randomTensor([3, 2, 3, 5], new Rng(2))).failures).toEqual([]);
  });
});

describe('Flatten', () => {
  it('reshapes [N, C, H, W] to [N, C·H·W] in channel-major order without copying, and back for the gradient', () => {
    const flatten = new Flatten();
    const x = new Tensor(
      Float32Array.from({ length: 24 }, (_, i) => i),
      [2, 3, 2, 2],
    );
    const y = flatten.forward(x, 'train');
    expect(y.shape).toEqual([2, 12]);
    expect(y.data).toBe(x.data);
    expect(flatten.forward(x, 'train')).toBe(y); // the same view again: nothing allocated per batch
    const dX = flatten.backward(y, true)!;
    expect(dX.shape).toEqual([2, 3, 2, 2]);
    expect(flatten.outputShape([3, 2, 2])).toEqual([12]);
  });
});

describe('pooling layers', () => {
  it('rebuild from their configs and print as PyTorch would name them', () => {
    for (const layer of [new MaxPool2d(2), new AvgPool2d(3, 1), new GlobalAvgPool2d(), new Flatten()]) {
      const copy = layerFromConfig(layer.config(), new Rng(1));
      expect(copy.config()).toEqual(layer.config());
      expect(copy.toString()).toBe(layer.toString());
    }
    expect(new AvgPool2d(3, 1).toString()).toBe('AvgPool2d(3, stride 1)');
    expect(new MaxPool2d(2).outputShape([32, 26, 26])).toEqual([32, 13, 13]);
  });

  it('refuse a window larger than the image and a non-image input, naming the shapes', () => {
    expect(() => new MaxPool2d(3).outputShape([1, 2, 2])).toThrow('MaxPool2d: a 3×3 window does not fit the input [1, 2, 2]');
    expect(() => new MaxPool2d(2).forward(Tensor.zeros([4, 16]), 'train')).toThrow(/MaxPool2d.forward input/);
    expect(() => new AvgPool2d(0)).toThrow('AvgPool2d: kernel must be a positive integer, got 0');
  });
});
