import { describe, expect, it } from 'vitest';
import { spiral } from '../../test/helpers.js';
import { SGD } from '../optimizers/sgd.js';
import { Rng } from '../tensor/rng.js';
import { EarlyStopping } from './early-stopping.js';
import { evaluate } from '../network/evaluate.js';
import type { EpochEnd } from './callbacks.js';
import { fit } from './fit.js';
import { Sequential } from '../network/sequential.js';

/** Drives the callback with a given sequence of validation losses (epochs 1, 2, …), changing the weights every epoch. */
function drive(net: Sequential, stopper: EarlyStopping, losses: number[]): { stoppedAfter: number; weightsAt: number[][] } {
  const weightsAt: number[][] = [];
  let stopped = false;
  let epoch = 1;
  for (; epoch <= losses.length && !stopped; epoch++) {
    const w = net.params()[0].value.data;
    w.fill(epoch); // the "training" of this epoch: weights tagged with the epoch number
    weightsAt.push(Array.from(w));
    stopper.onEpochEnd({ epoch, valLoss: losses[epoch - 1], stop: () => (stopped = true) } as unknown as EpochEnd);
  }
  stopper.onTrainEnd({} as never);
  return { stoppedAfter: epoch - 1, weightsAt };
}

describe('EarlyStopping', () => {
  it('stops after `patience` epochs without improvement and restores the best epoch’s weights', () => {
    const net = Sequential.mlp({ inputs: 2, hidden: [3], classes: 2, batchNorm: true });
    const stopper = new EarlyStopping(net, { patience: 2 });
    const bn = net.layers[1];
    const { stoppedAfter } = drive(net, stopper, [0.9, 0.5, 0.6, 0.55, 0.4]);
    expect(stoppedAfter).toBe(4); // best in epoch 2; epochs 3 and 4 are worse → stop after epoch 4
    expect(stopper.bestEpoch).toBe(2);
    expect(stopper.stoppedEpoch).toBe(4);
    expect(Array.from(net.params()[0].value.data)).toEqual(new Array(6).fill(2)); // epoch 2's weights
    expect(bn.buffers!().map((b) => b.name)).toEqual(['running_mean', 'running_var', 'num_batches_tracked']);
  });

  it('minDelta: improvements smaller than it do not count', () => {
    const net = Sequential.mlp({ inputs: 2, hidden: [3], classes: 2 });
    const stopper = new EarlyStopping(net, { patience: 2, minDelta: 0.1 });
    const { stoppedAfter } = drive(net, stopper, [1.0, 0.95, 0.92, 0.5]);
    expect(stoppedAfter).toBe(3);
    expect(stopper.bestEpoch).toBe(1);
  });

  it('in fit: training stops early and the network ends with the best validation loss seen', () => {
    const data = spiral(40, 3, new Rng(3));
    const validation = spiral(20, 3, new Rng(4));
    const net = Sequential.mlp({ inputs: 2, hidden: [32], classes: 3, rng: new Rng(3) });
    // An lr this large makes the validation loss jump around, so there is a best epoch to go back to.
    const stopper = new EarlyStopping(net, { patience: 3 });
    const history = fit(net, data, {
      epochs: 200,
      batchSize: 8,
      optimizer: new SGD(2),
      validation,
      callbacks: stopper,
      rng: new Rng(3),
    });
    expect(history.epochs.length).toBeLessThan(200);
    const losses = history.epochs.map((e) => e.valLoss!);
    const best = Math.min(...losses);
    expect(stopper.bestEpoch).toBe(history.epochs[losses.indexOf(best)].epoch);
    expect(history.epochs.length).toBe(stopper.bestEpoch! + 3);
    // the restored weights give back the best epoch's validation loss
    expect(evaluate(net, validation).loss).toBeCloseTo(best, 6);
  });

  it('checkpoint state round-trips the snapshot', () => {
    const net = Sequential.mlp({ inputs: 2, hidden: [3], classes: 2 });
    const a = new EarlyStopping(net, { patience: 5 });
    drive(net, a, [0.5, 0.7]);
    const b = new EarlyStopping(net, { patience: 5 });
    b.loadState(a.state());
    net.params()[0].value.data.fill(42);
    b.restore();
    expect(Array.from(net.params()[0].value.data)).toEqual(new Array(6).fill(1));
    expect(b.bestEpoch).toBe(1);
  });

  it('reads the best epoch of checkpoints written when it was counted from 0 (bestEpoch 0 is epoch 1)', () => {
    const net = Sequential.mlp({ inputs: 2, hidden: [3], classes: 2 });
    const stopper = new EarlyStopping(net, { patience: 5 });
    const snapshot = Object.fromEntries([...net.params(), ...net.buffers()].map((t) => [t.name, t.value.data.slice()]));
    stopper.loadState({ scalars: { wait: 1, bestEpoch: 0, bestLoss: 0.5 }, buffers: snapshot });
    expect(stopper.bestEpoch).toBe(1);
  });

  it('needs a validation set', () => {
    const net = Sequential.mlp({ inputs: 2, hidden: [3], classes: 2 });
    expect(() => fit(net, spiral(5, 2, new Rng(1)), { epochs: 1, callbacks: new EarlyStopping(net, { patience: 1 }) })).toThrow(
      /validation/,
    );
  });
});
