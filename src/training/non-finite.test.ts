import { describe, expect, it } from 'vitest';
import type { Dataset } from '../data/dataset.js';
import type { Loss } from '../losses/loss.js';
import { Sequential } from '../network/sequential.js';
import { SGD } from '../optimizers/sgd.js';
import { NonFiniteError } from '../tensor/finite.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { spiral } from '../../test/helpers.js';
import { fit } from './fit.js';

const weights = (network: Sequential) => network.params().map((p) => Array.from(p.value.data));

describe('training stops at the first NaN or ±Inf', () => {
  it('a learning rate of 1e30 makes batch 2 of epoch 1 NaN: fit throws naming it, and no step was taken on that batch', () => {
    const network = Sequential.mlp({ inputs: 2, hidden: [16], classes: 3, rng: new Rng(1) });
    const batches: number[] = [];
    let afterFirst: number[][] = [];
    const run = () =>
      fit(network, spiral(20, 3, new Rng(2)), {
        epochs: 3,
        batchSize: 8,
        optimizer: new SGD(1e30),
        callbacks: {
          onBatchEnd: (e) => {
            batches.push(e.batch);
            afterFirst = weights(network);
          },
        },
      });
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NonFiniteError);
    expect(error).toMatchObject({ epoch: 1, batch: 2, detail: 'the loss is NaN' });
    expect((error as Error).message).toBe('training stopped at epoch 1, batch 2: the loss is NaN');
    expect(batches).toEqual([1]);
    expect(weights(network)).toEqual(afterFirst); // batch 2 took no step
  });

  it('a NaN feature stops training at the batch that holds its row, naming epoch and batch, with the weights untouched', () => {
    const data: Dataset = spiral(10, 3, new Rng(3));
    data.features[2 * 13 + 1] = NaN; // row 13: the fourth batch of 4, unshuffled
    const network = Sequential.mlp({ inputs: 2, hidden: [8], classes: 3, rng: new Rng(4) });
    let before: number[][] = [];
    const run = () =>
      fit(network, data, {
        epochs: 1,
        batchSize: 4,
        shuffle: false,
        callbacks: { onBatchEnd: () => (before = weights(network)) },
      });
    expect(run).toThrow(/^training stopped at epoch 1, batch 4: the loss is NaN$/);
    expect(weights(network)).toEqual(before);
    expect(weights(network).flat().every(Number.isFinite)).toBe(true);
  });

  it('with clipping, a NaN gradient under a finite loss stops before the step, naming the parameter and the index', () => {
    // A loss that reports 1 but hands back a NaN gradient in one place.
    let gradient: Tensor | null = null;
    const broken: Loss = {
      type: 'broken',
      forward(output) {
        gradient = Tensor.zeros(output.shape);
        gradient.data[3 + 1] = NaN; // row 1 (row 0 is the spiral's centre, (0, 0), which the product skips)
        return 1;
      },
      backward: () => gradient!,
      config: () => ({ type: 'broken' }),
      toString: () => 'Broken',
    };
    const network = Sequential.mlp({ inputs: 2, hidden: [], classes: 3, rng: new Rng(5) });
    const before = weights(network);
    const run = () =>
      fit(network, spiral(4, 3, new Rng(6)), {
        epochs: 1,
        batchSize: 4,
        loss: broken,
        optimizer: new SGD({ lr: 0.1, clipNorm: 1 }),
      });
    // dW = Xᵀ·dY: column 1 of the [2, 3] weight is NaN, first at index 1; the bias gradient db = Σ dY
    expect(run).toThrow("training stopped at epoch 1, batch 1: the gradient of '0.weight' is NaN at index 1");
    expect(weights(network)).toEqual(before);
  });

  it('trainStep outside fit throws the same error without a position', () => {
    const network = Sequential.mlp({ inputs: 2, hidden: [], classes: 2, rng: new Rng(7) });
    const x = new Tensor(Float32Array.from([1, Infinity]), [1, 2]);
    expect(() => network.trainStep(x, Int32Array.from([0]), new SGD(0.1))).toThrow(/^training stopped: the loss is NaN$/);
  });
});
