import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spiral } from '../../test/helpers.js';
import { ScratchnetError } from '../errors.js';
import { loadCheckpoint } from '../io/checkpoint.js';
import { Sequential } from '../network/sequential.js';
import { Adam } from '../optimizers/adam.js';
import { SGD } from '../optimizers/sgd.js';
import { Rng } from '../tensor/rng.js';
import type { Callbacks, FitState } from './callbacks.js';
import { EarlyStopping } from './early-stopping.js';
import { fit } from './fit.js';
import { Checkpointing, type RunParts, restoreRun, saveRun } from './resume.js';
import { LearningRateSchedule } from './schedules.js';

// 3 classes × 40 points = 120 rows, batch 16: 8 batches per epoch (the last one of 8 rows).
const train = spiral(40, 3, new Rng(1));
const validation = spiral(15, 3, new Rng(2));
const FIT = { epochs: 5, batchSize: 16, validation } as const;

/** A fresh run's parts: dropout and batch norm in the network, Adam, a stepped schedule with warm-up, early stopping. */
function makeRun(
  network = Sequential.mlp({ inputs: 2, hidden: [16], classes: 3, dropout: 0.2, batchNorm: true, rng: new Rng(3) }),
) {
  const optimizer = new Adam({ lr: 0.02 });
  const schedule = new LearningRateSchedule(optimizer, { schedule: 'step', stepSize: 2, gamma: 0.5, warmup: 5 });
  const earlyStopping = new EarlyStopping(network, { patience: 10 });
  const parts: RunParts = { network, optimizer, callbacks: { schedule, earlyStopping } };
  return { network, optimizer, schedule, earlyStopping, parts, callbacks: [schedule, earlyStopping] };
}

/** Every bit of every weight and buffer. */
function bits(network: Sequential): number[][] {
  return [...network.params(), ...network.buffers()].map((t) => Array.from(new Uint32Array(t.value.data.buffer)));
}

/** Runs the recipe until the 3rd batch of epoch 4, saving (as Ctrl-C would) there and after every epoch. */
function interruptedRun(dir: string): FitState {
  const run = makeRun();
  let saved: FitState | null = null;
  const interrupt: Callbacks = {
    onBatchEnd: (e) => {
      if (e.epoch === 4 && e.batch === 3) {
        saved = e.state();
        saveRun(dir, run.parts, saved);
        e.stop();
      }
    },
  };
  fit(run.network, train, { ...FIT, optimizer: run.optimizer, rng: new Rng(4), callbacks: [...run.callbacks, interrupt] });
  return saved!;
}

describe('restoreRun', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scratchnet-resume-'));
  const reference = makeRun();
  const full = fit(reference.network, train, {
    ...FIT,
    optimizer: reference.optimizer,
    rng: new Rng(4),
    callbacks: reference.callbacks,
  });
  const stoppedAt = interruptedRun(dir);

  it('a run stopped mid-epoch, saved and resumed through restoreRun ends bit for bit as the uninterrupted run (Adam, warm-up and step schedule, early stopping, dropout, batch norm)', () => {
    expect(stoppedAt).toMatchObject({ epoch: 3, batch: 3 }); // 3 epochs and 3 batches of the 4th done
    const checkpoint = loadCheckpoint(dir);
    const resumed = makeRun(checkpoint.network);
    const resume = restoreRun(checkpoint, resumed.parts, train);
    expect(resumed.earlyStopping.bestEpoch).not.toBeNull(); // its snapshot came back too
    // A fresh Rng: the shuffle state comes from the checkpoint.
    const history = fit(resumed.network, train, {
      ...FIT,
      optimizer: resumed.optimizer,
      rng: new Rng(999),
      callbacks: resumed.callbacks,
      resume,
    });
    expect(history.batchLoss).toEqual(full.batchLoss);
    expect(history.epochs.map((e) => [e.epoch, e.learningRate, e.valLoss])).toEqual(
      full.epochs.map((e) => [e.epoch, e.learningRate, e.valLoss]),
    );
    expect(resumed.earlyStopping.bestEpoch).toBe(reference.earlyStopping.bestEpoch);
    expect(resumed.optimizer.state()).toEqual(reference.optimizer.state());
    expect(bits(resumed.network)).toEqual(bits(reference.network));
  });

  it('restores into a network of the same architecture built anew, copying the weights', () => {
    const checkpoint = loadCheckpoint(dir);
    const resumed = makeRun(
      Sequential.mlp({ inputs: 2, hidden: [16], classes: 3, dropout: 0.2, batchNorm: true, rng: new Rng(77) }),
    );
    const resume = restoreRun(checkpoint, resumed.parts, train);
    expect(bits(resumed.network)).toEqual(bits(checkpoint.network));
    fit(resumed.network, train, { ...FIT, optimizer: resumed.optimizer, callbacks: resumed.callbacks, resume });
    expect(bits(resumed.network)).toEqual(bits(reference.network));
  });

  it('Checkpointing saves after every epoch; a finished epoch resumes to the same end', () => {
    const epochDir = mkdtempSync(join(tmpdir(), 'scratchnet-resume-'));
    const run = makeRun();
    const saves: number[] = [];
    const checkpointing = new Checkpointing(epochDir, run.parts, { onSave: (_path, e) => saves.push(e.epoch) });
    fit(run.network, train, {
      ...FIT,
      epochs: 2,
      optimizer: run.optimizer,
      rng: new Rng(4),
      callbacks: [...run.callbacks, checkpointing],
    });
    expect(saves).toEqual([1, 2]);
    const checkpoint = loadCheckpoint(epochDir);
    expect(checkpoint.fit).toMatchObject({ epoch: 2, batch: 0 });
    expect(checkpoint.fit.history.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    const resumed = makeRun(checkpoint.network);
    const resume = restoreRun(checkpoint, resumed.parts, train);
    fit(resumed.network, train, { ...FIT, optimizer: resumed.optimizer, callbacks: resumed.callbacks, resume });
    expect(bits(resumed.network)).toEqual(bits(reference.network));
  });

  /** The error restoreRun throws for this change to the run, as text; it must be a ScratchnetError. */
  function refusal(change: (run: ReturnType<typeof makeRun>) => { parts: RunParts; data?: typeof train }): string {
    const checkpoint = loadCheckpoint(dir);
    const { parts, data = train } = change(makeRun(checkpoint.network));
    try {
      restoreRun(checkpoint, parts, data);
    } catch (error) {
      expect(error).toBeInstanceOf(ScratchnetError);
      return (error as Error).message;
    }
    throw new Error('restoreRun accepted the changed run');
  }

  it('refuses another optimizer, naming both', () => {
    expect(refusal((run) => ({ parts: { ...run.parts, optimizer: new SGD(0.1) } }))).toBe(
      `${dir}: the checkpoint's optimizer is adam, this run's sgd`,
    );
  });

  it('refuses training data with another number of rows', () => {
    expect(refusal((run) => ({ parts: run.parts, data: spiral(41, 3, new Rng(1)) }))).toBe(
      `${dir}: the checkpoint was trained on 120 rows, the data now gives 123: not the same data`,
    );
  });

  it('refuses a run without a stateful callback the checkpoint has, and one with a callback it lacks', () => {
    expect(refusal((run) => ({ parts: { ...run.parts, callbacks: { schedule: run.schedule } } }))).toBe(
      `${dir}: the checkpoint has the state of callback 'earlyStopping', which this run does not have`,
    );
    const extra = new LearningRateSchedule(new SGD(0.1), { schedule: 'plateau' });
    expect(refusal((run) => ({ parts: { ...run.parts, callbacks: { ...run.parts.callbacks, plateau: extra } } }))).toBe(
      `${dir}: this run's callback 'plateau' has no state in the checkpoint`,
    );
  });

  it('refuses a network of another architecture', () => {
    const other = Sequential.mlp({ inputs: 2, hidden: [8], classes: 3 });
    expect(refusal((run) => ({ parts: { ...run.parts, network: other } }))).toMatch(
      new RegExp(`^${dir}: the checkpoint's network is Sequential\\(.*16.*\\), this run's Sequential\\(.*8.*\\)$`),
    );
  });

  it('refuses a subset that reaches past the rows the data now has', () => {
    const subsetDir = mkdtempSync(join(tmpdir(), 'scratchnet-resume-'));
    const run = makeRun();
    fit(run.network, train, {
      ...FIT,
      epochs: 1,
      subset: 100,
      optimizer: run.optimizer,
      callbacks: [...run.callbacks, new Checkpointing(subsetDir, run.parts)],
    });
    const checkpoint = loadCheckpoint(subsetDir);
    const fewer = spiral(30, 3, new Rng(1)); // 90 rows: the subset's 100 still fit in count, not in range
    expect(() => restoreRun(checkpoint, makeRun(checkpoint.network).parts, fewer)).toThrow(
      new RegExp(`^${subsetDir}: the checkpoint's subset takes rows up to \\d+, the data now has 90: not the same data$`),
    );
  });
});
