import { describe, expect, it } from 'vitest';
import { loadBuiltinMnist } from '../data/builtin.js';
import { trainValidationSplit } from '../data/split.js';
import { Rng } from '../tensor/rng.js';
import { evaluate } from '../network/evaluate.js';
import type { BatchEnd, EpochEnd, FitState } from './callbacks.js';
import { fit } from './fit.js';
import { Sequential } from '../network/sequential.js';

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
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5]); // counted from 1, as the CLI prints them
    expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(batches[0].batch).toBe(1);
    expect(batches.at(-1)!.batch).toBe(batchesPerEpoch);
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

describe('fit resume', () => {
  it('a run stopped mid-epoch and resumed from its state ends with the same weights, bit for bit', () => {
    const { train } = loadBuiltinMnist();
    const options = { subset: 300, epochs: 3, batchSize: 32 };
    const uninterrupted = Sequential.mlp({ rng: new Rng(1) });
    const full = fit(uninterrupted, train, { ...options, rng: new Rng(5) });

    const interrupted = Sequential.mlp({ rng: new Rng(1) });
    let saved: FitState | null = null;
    fit(interrupted, train, {
      ...options,
      rng: new Rng(5),
      callbacks: {
        onBatchEnd: (e) => {
          if (e.epoch === 2 && e.batch === 4) e.stop(); // after the 4th batch of the 2nd epoch
        },
        onTrainEnd: (e) => {
          saved = e.state;
        },
      },
    });
    expect(saved!.epoch).toBe(1); // epochs finished
    expect(saved!.batch).toBe(4); // batches finished of the next
    // Resume into a network rebuilt with the saved weights, with a fresh Rng (its state comes from `saved`).
    const resumed = Sequential.mlp({ rng: new Rng(99) });
    resumed.params().forEach((p, i) => p.value.data.set(interrupted.params()[i].value.data));
    const history = fit(resumed, train, { ...options, rng: new Rng(12345), resume: saved! });
    expect(history.batchLoss).toEqual(full.batchLoss);
    resumed
      .params()
      .forEach((p, i) => expect(Array.from(p.value.data)).toEqual(Array.from(uninterrupted.params()[i].value.data)));
  });
});
