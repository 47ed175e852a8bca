import { describe, expect, it } from 'vitest';
import { spiral } from '../../test/helpers.js';
import { fit } from './fit.js';
import { Sequential } from '../network/sequential.js';
import { Rng } from '../tensor/rng.js';
import { LearningRateSchedule, type ScheduleOptions } from './schedules.js';
import { SGD } from '../optimizers/sgd.js';

const at = (options: ScheduleOptions, points: Array<[number, number]>, lr = 0.1) => {
  const schedule = new LearningRateSchedule(new SGD(lr), options);
  return points.map(([epoch, step]) => schedule.learningRateAt(epoch, step));
};

/** Feeds validation losses to a plateau schedule, one epoch each, and returns the lr after each. */
function plateau(options: ScheduleOptions, losses: number[]): number[] {
  const optimizer = new SGD(1);
  const schedule = new LearningRateSchedule(optimizer, { schedule: 'plateau', ...options });
  return losses.map((valLoss, i) => {
    schedule.onEpochEnd({ valLoss, epoch: i + 1 } as never);
    return schedule.learningRateAt(i + 2, 1000); // the next epoch's rate
  });
}

describe('learning-rate schedules', () => {
  it('constant keeps the base rate', () => {
    expect(
      at({}, [
        [1, 1],
        [8, 501],
      ]),
    ).toEqual([0.1, 0.1]);
  });

  it('step decay multiplies by γ every stepSize epochs: epochs 1…5 run at 0.1, 0.1, 0.01, 0.01, 0.001', () => {
    const lrs = at({ schedule: 'step', stepSize: 2, gamma: 0.1 }, [
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
      [5, 1],
    ]);
    [0.1, 0.1, 0.01, 0.01, 0.001].forEach((v, i) => expect(lrs[i]).toBeCloseTo(v, 12));
  });

  it('exponential multiplies by γ every epoch: 0.1·0.5³ = 0.0125 in epoch 4', () => {
    expect(
      at({ schedule: 'exponential', gamma: 0.5 }, [
        [1, 1],
        [2, 1],
        [4, 1],
      ]),
    ).toEqual([0.1, 0.05, 0.0125]);
  });

  it('cosine falls from lr₀ to minLr over T epochs: half-way after T/2 epochs, then stays at minLr', () => {
    const lrs = at({ schedule: 'cosine', epochs: 10, minLr: 0.001 }, [
      [1, 1],
      [6, 1],
      [11, 1],
      [13, 1],
      [3, 1],
    ]);
    expect(lrs[0]).toBeCloseTo(0.1, 12);
    expect(lrs[1]).toBeCloseTo((0.1 + 0.001) / 2, 12);
    expect(lrs[2]).toBeCloseTo(0.001, 12);
    expect(lrs[3]).toBeCloseTo(0.001, 12);
    expect(lrs[4]).toBeCloseTo(0.001 + (0.099 * (1 + Math.cos(Math.PI / 5))) / 2, 12);
  });

  it('linear warm-up over N batches: batch n runs at n/N of the scheduled rate, composed with the schedule', () => {
    expect(
      at({ warmup: 4 }, [
        [1, 1],
        [1, 2],
        [1, 4],
        [1, 5],
        [2, 101],
      ]),
    ).toEqual([0.025, 0.05, 0.1, 0.1, 0.1]);
    const cosine = at({ schedule: 'cosine', epochs: 4, warmup: 10 }, [[3, 5]]);
    expect(cosine[0]).toBeCloseTo(0.5 * 0.1 * 0.5, 12); // warm-up factor 5/10 × cosine half-way
  });

  it('reduce-on-plateau multiplies by factor after more than `patience` epochs without improvement', () => {
    // best 1.0 in epoch 1; epochs 2, 3 are not better (bad = 1, 2 > patience 1) → reduce after epoch 3
    const lrs = plateau({ patience: 1, factor: 0.5 }, [1.0, 1.0, 1.2, 0.9, 0.95, 0.95, 0.95]);
    expect(lrs).toEqual([1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]);
  });

  it('reduce-on-plateau ignores improvements below the relative threshold and respects minLr', () => {
    const lrs = plateau({ patience: 0, factor: 0.1, threshold: 0.01, minLr: 0.05 }, [1.0, 0.995, 0.5, 0.5]);
    expect(lrs).toEqual([1, 0.1, 0.1, 0.05]);
  });

  it('plateau state survives a checkpoint', () => {
    const optimizer = new SGD(1);
    const a = new LearningRateSchedule(optimizer, { schedule: 'plateau', patience: 0, factor: 0.5 });
    for (const [i, valLoss] of [1, 1, 1].entries()) a.onEpochEnd({ valLoss, epoch: i + 1 } as never);
    const b = new LearningRateSchedule(optimizer, { schedule: 'plateau', patience: 0, factor: 0.5 });
    b.loadState(JSON.parse(JSON.stringify(a.state())));
    expect(b.learningRateAt(4, 1)).toBe(a.learningRateAt(4, 1));
    expect(b.learningRateAt(4, 1)).toBe(0.25);
  });

  it("a checkpointed schedule keeps its base rate lr₀, whatever the optimizer's rate when the new one is made", () => {
    const a = new LearningRateSchedule(new SGD(0.1), { schedule: 'step', stepSize: 1, gamma: 0.5 });
    const b = new LearningRateSchedule(new SGD(0.025), { schedule: 'step', stepSize: 1, gamma: 0.5 });
    b.loadState(JSON.parse(JSON.stringify(a.state())));
    expect(b.baseLr).toBe(0.1);
    expect(b.learningRateAt(3, 1)).toBe(0.025); // 0.1 · 0.5²
  });

  it('as a fit callback it sets the optimizer rate of every batch, and the history records it', () => {
    const data = spiral(20, 3, new Rng(1)); // 60 rows, batch 20: 3 batches per epoch
    const net = Sequential.mlp({ inputs: 2, hidden: [8], classes: 3 });
    const optimizer = new SGD(0.2);
    const seen: number[] = [];
    const epochStart: number[] = [];
    const schedule = new LearningRateSchedule(optimizer, { schedule: 'step', stepSize: 1, gamma: 0.5, warmup: 2 });
    const history = fit(net, data, {
      epochs: 3,
      batchSize: 20,
      optimizer,
      callbacks: [
        schedule,
        { onEpochBegin: () => epochStart.push(optimizer.learningRate), onBatchEnd: () => seen.push(optimizer.learningRate) },
      ],
    });
    // the very first batch runs at half the rate (warm-up step 1 of 2)
    expect(epochStart).toEqual([0.1, 0.1, 0.05]);
    // the rate of batch s is read after it (already the next batch's rate during warm-up): 0.2 at step 1 and 2
    expect(seen.map((v) => +v.toFixed(6))).toEqual([0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05]);
    expect(history.epochs.map((e) => e.learningRate)).toEqual([0.2, 0.1, 0.05]);
  });

  it('rejects bad settings with the schedule named', () => {
    expect(() => new LearningRateSchedule(new SGD(0.1), { schedule: 'cosine' })).toThrow(/'cosine'.*epochs/);
    expect(() => new LearningRateSchedule(new SGD(0.1), { schedule: 'linear' as never })).toThrow(/unknown schedule/);
  });
});
