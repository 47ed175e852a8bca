import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spiral } from '../../test/helpers.js';
import { ScratchnetError } from '../errors.js';
import { Sequential } from '../network/sequential.js';
import { Adam } from '../optimizers/adam.js';
import { Rng } from '../tensor/rng.js';
import type { FitState } from '../training/callbacks.js';
import { fit } from '../training/fit.js';
import { saveRun } from '../training/resume.js';
import { checkpointPath, loadCheckpoint } from './checkpoint.js';
import { validateCheckpointFields } from './checkpoint-fields.js';
import { type StoredTensor } from './safetensors.js';
import { readSafetensorsFile } from './safetensors-file.js';

// A real checkpoint: 60 spiral rows, batch 16 (4 batches), stopped after batch 2 of epoch 2, with dropout's random state.
const dir = mkdtempSync(join(tmpdir(), 'scratchnet-fields-'));
const network = Sequential.mlp({ inputs: 2, hidden: [8], classes: 3, dropout: 0.2, rng: new Rng(3) });
const optimizer = new Adam({ lr: 0.01 });
let stoppedAt: FitState | null = null;
fit(network, spiral(20, 3, new Rng(1)), {
  epochs: 3,
  batchSize: 16,
  optimizer,
  callbacks: {
    onBatchEnd: (e) => {
      if (e.epoch === 2 && e.batch === 2) {
        stoppedAt = e.state();
        e.stop();
      }
    },
  },
});
saveRun(dir, { network, optimizer }, stoppedAt!, { epochs: 3 });
const { tensors, metadata } = readSafetensorsFile(checkpointPath(dir));
const parsed = {
  optimizer: JSON.parse(metadata.optimizer) as Record<string, unknown>,
  fit: JSON.parse(metadata.fit) as Record<string, unknown>,
  random_states: JSON.parse(metadata.random_states) as Record<string, unknown>,
  run: JSON.parse(metadata.run) as Record<string, unknown>,
  callbacks: JSON.parse(metadata.callbacks) as Record<string, unknown>,
};

/** The validator's message for the checkpoint with `change` applied to a deep copy of its fields. */
function problem(change: (fields: typeof parsed, tensors: Map<string, StoredTensor>) => void): string | null {
  const fields = structuredClone(parsed);
  const copy = new Map(tensors);
  change(fields, copy);
  try {
    validateCheckpointFields(fields, copy, 'run/checkpoint.safetensors');
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(ScratchnetError);
    return (error as Error).message;
  }
}

const order = (values: number[]): StoredTensor => ({ dtype: 'I32', shape: [values.length], data: Int32Array.from(values) });
/** The parsed `__metadata__.fit`, loosely typed so a test can break any field. */
interface FitJson {
  epoch: unknown;
  batch: unknown;
  rng: { s: unknown; spareNormal: unknown };
  history?: { epochs: unknown[] };
}
const fitOf = (f: typeof parsed): FitJson => f.fit as unknown as FitJson;

describe('validateCheckpointFields', () => {
  it('accepts the checkpoint a run wrote, and loadCheckpoint returns its position: epoch 1 done, batch 2 of the next', () => {
    expect(problem(() => {})).toBeNull();
    const loaded = loadCheckpoint(dir);
    expect([loaded.fit.epoch, loaded.fit.batch, loaded.fit.order.length]).toEqual([1, 2, 60]);
    expect(Object.keys(loaded.randomStates)).toEqual(['2']); // the dropout layer
  });

  it.each([
    ['fit.batch −1', (f: typeof parsed) => (fitOf(f).batch = -1), '__metadata__.fit.batch is -1, expected a whole number ≥ 0'],
    ['fit.batch 2.5', (f: typeof parsed) => (fitOf(f).batch = 2.5), '__metadata__.fit.batch is 2.5, expected a whole number ≥ 0'],
    [
      'fit.batch past the rows',
      (f: typeof parsed) => (fitOf(f).batch = 60),
      '__metadata__.fit.batch is 60, but an epoch of 60 rows',
    ],
    [
      'fit.epoch 99 of 1 finished',
      (f: typeof parsed) => (fitOf(f).epoch = 99),
      '__metadata__.fit.epoch is 99, but fit.history has 1',
    ],
    [
      'fit.epoch past run.epochs',
      (f: typeof parsed) => {
        fitOf(f).epoch = 4;
        const history = fitOf(f).history!;
        history.epochs = [history.epochs[0], history.epochs[0], history.epochs[0], history.epochs[0]];
      },
      "__metadata__.fit.epoch is 4, past the run's 3 epochs",
    ],
    ['fit.rng all zero', (f: typeof parsed) => (fitOf(f).rng.s = [0, 0, 0, 0]), '__metadata__.fit.rng.s is all zero'],
    [
      'fit.rng three words',
      (f: typeof parsed) => (fitOf(f).rng.s = [1, 2, 3]),
      '__metadata__.fit.rng.s is [1,2,3], expected four',
    ],
    [
      'fit.rng a word past 2^32',
      (f: typeof parsed) => (fitOf(f).rng.s = [1, 2, 3, 2 ** 32]),
      '__metadata__.fit.rng.s is [1,2,3,4294967296], expected four whole numbers in 0…4294967295',
    ],
    [
      'fit.rng.spareNormal a string',
      (f: typeof parsed) => (fitOf(f).rng.spareNormal = 'x'),
      '__metadata__.fit.rng.spareNormal is "x"',
    ],
    [
      'fit.history missing',
      (f: typeof parsed) => delete fitOf(f).history,
      '__metadata__.fit.history is undefined, expected an object',
    ],
    [
      'optimizer.learningRate "NaN"',
      (f: typeof parsed) => (f.optimizer.learningRate = 'NaN'),
      '__metadata__.optimizer.learningRate is "NaN"',
    ],
    [
      'optimizer.learningRate −1',
      (f: typeof parsed) => (f.optimizer.learningRate = -1),
      '__metadata__.optimizer.learningRate is -1, expected a finite number ≥ 0',
    ],
    ['optimizer.name empty', (f: typeof parsed) => (f.optimizer.name = ''), '__metadata__.optimizer.name is ""'],
    [
      'optimizer.scalars.step a string',
      (f: typeof parsed) => ((f.optimizer.scalars as Record<string, unknown>).step = '3'),
      '__metadata__.optimizer.scalars.step is "3"',
    ],
    [
      'random_states of a layer all zero',
      (f: typeof parsed) => ((f.random_states['2'] as { s: unknown }).s = [0, 0, 0, 0]),
      '__metadata__.random_states.2.s is all zero',
    ],
    [
      'run not an object',
      (f: typeof parsed) => ((f as Record<string, unknown>).run = [1]),
      '__metadata__.run is [1], expected an object',
    ],
    [
      'callbacks scalar a string',
      (f: typeof parsed) => (f.callbacks = { schedule: { best: 'low' } }),
      '__metadata__.callbacks.schedule.best is "low"',
    ],
  ])('refuses %s, naming the field', (_, change, message) => {
    expect(problem(change)).toContain(`run/checkpoint.safetensors: ${message}`);
  });

  it.each([
    ['all zero', Array<number>(60).fill(0), "tensor 'fit/order'[1] repeats row 0"],
    [
      'with a row out of range',
      [999999, ...Array.from({ length: 59 }, (_, i) => i + 1)],
      "tensor 'fit/order'[0] is 999999, outside 0…59",
    ],
    ['with a negative row', [-1, ...Array.from({ length: 59 }, (_, i) => i + 1)], "tensor 'fit/order'[0] is -1, outside 0…59"],
    ['empty', [], "tensor 'fit/order' is empty"],
  ])('refuses a fit/order %s: it must be a permutation of its rows', (_, values, message) => {
    expect(problem((_f, t) => t.set('fit/order', order(values)))).toContain(message);
  });

  it('refuses a fit/order of another dtype or missing, and a fit/subset with a repeated row or another length', () => {
    const asFloat: StoredTensor = { dtype: 'F32', shape: [60], data: new Float32Array(60) };
    expect(problem((_f, t) => t.set('fit/order', asFloat))).toContain("tensor 'fit/order' is F32 [60], expected I32 [rows]");
    expect(problem((_f, t) => t.delete('fit/order'))).toContain("tensor 'fit/order' (I32) is missing");
    const range = Array.from({ length: 60 }, (_, i) => i);
    expect(problem((_f, t) => t.set('fit/subset', order([0, ...range.slice(0, 59)])))).toContain(
      "tensor 'fit/subset'[1] repeats row 0",
    );
    expect(problem((_f, t) => t.set('fit/subset', order(range.slice(0, 10))))).toContain(
      "tensor 'fit/subset' has 10 rows, but 'fit/order' has 60",
    );
  });
});
