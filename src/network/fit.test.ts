import { describe, expect, it } from 'vitest';
import { loadBuiltinMnist } from '../data/builtin.js';
import { trainValidationSplit } from '../data/split.js';
import { Rng } from '../tensor/rng.js';
import { evaluate } from './evaluate.js';
import { type BatchEnd, type EpochEnd, fit } from './fit.js';
import { Sequential } from './sequential.js';

describe('fit on real digits (built-in MNIST)', () => {
  it("the tutorial's network and settings reach at least 90% test accuracy, with callbacks and history", () => {
    const { train, test } = loadBuiltinMnist();
    const { train: trainPart, validation } = trainValidationSplit(train, { fraction: 0.1, seed: 42 });
    const net = Sequential.mlp({ rng: new Rng(42) });
    const batches: BatchEnd[] = [];
    const epochs: EpochEnd[] = [];
    const history = fit(net, trainPart, {
      validation,
      rng: new Rng(42),
      callbacks: { onBatchEnd: (e) => batches.push(e), onEpochEnd: (e) => epochs.push(e) },
    });
    const batchesPerEpoch = Math.ceil(trainPart.count / 32);
    expect(history.batchLoss.length).toBe(5 * batchesPerEpoch);
    expect(batches.length).toBe(5 * batchesPerEpoch);
    expect(batches.at(-1)!.samples).toBe(trainPart.count);
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4]);
    expect(epochs[4].trainLoss).toBeLessThan(epochs[0].trainLoss);
    expect(epochs[4].valAccuracy!).toBeGreaterThan(0.9);
    expect(evaluate(net, test).accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('trains on a subset of the given size and stops when asked', () => {
    const { train } = loadBuiltinMnist();
    let seen = 0;
    const history = fit(Sequential.mlp(), train, {
      subset: 320,
      epochs: 3,
      callbacks: { onBatchEnd: () => seen++ },
      shouldStop: () => seen === 15,
    });
    expect(history.batchLoss.length).toBe(15); // 10 batches in epoch 1, then 5 of epoch 2
    expect(history.epochs.length).toBe(1);
  });
});
