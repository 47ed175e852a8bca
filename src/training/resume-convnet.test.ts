import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../data/dataset.js';
import { loadCheckpoint } from '../io/checkpoint.js';
import { layersFromSpec } from '../network/from-spec.js';
import { parseLayerSpec } from '../network/layer-spec.js';
import { Sequential } from '../network/sequential.js';
import { Adam } from '../optimizers/adam.js';
import { Rng } from '../tensor/rng.js';
import type { Callbacks, FitState } from './callbacks.js';
import { EarlyStopping } from './early-stopping.js';
import { fit } from './fit.js';
import { type RunParts, restoreRun, saveRun } from './resume.js';
import { LearningRateSchedule } from './schedules.js';

/**
 * 90 images [1, 7, 7] of 3 classes as bytes (scale 1/255, as MNIST is stored): a bright bar, horizontal,
 * vertical or diagonal, at a random place, on noise.
 */
function bars(count: number, rng: Rng): Dataset {
  const features = new Uint8Array(count * 49);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % 3;
    const at = 1 + Math.floor(rng.uniform() * 5);
    for (let i = 0; i < 7; i++)
      for (let j = 0; j < 7; j++) {
        const on = label === 0 ? i === at : label === 1 ? j === at : i === j;
        features[n * 49 + i * 7 + j] = on ? 200 + Math.floor(rng.uniform() * 55) : Math.floor(rng.uniform() * 60);
      }
    labels[n] = label;
  }
  return { name: 'bars', features, labels, count, sampleShape: [1, 7, 7], classes: 3, scale: 1 / 255 };
}

const train = bars(90, new Rng(1));
const validation = bars(30, new Rng(2));
const FIT = { epochs: 4, batchSize: 16, validation } as const; // 6 batches per epoch, the last of 10 rows
const SPEC = 'conv2d(4,3,1,same),batchnorm,relu,maxpool2d(2),conv2d(6,2),relu,flatten,dropout(0.2),dense(3)';

/** A fresh run: a convnet with batch norm 2d and dropout, Adam, a stepped schedule with warm-up, early stopping. */
function makeRun(network = convnet(3)) {
  const optimizer = new Adam({ lr: 0.01 });
  const schedule = new LearningRateSchedule(optimizer, { schedule: 'step', stepSize: 2, gamma: 0.5, warmup: 4 });
  const earlyStopping = new EarlyStopping(network, { patience: 10 });
  const parts: RunParts = { network, optimizer, callbacks: { schedule, earlyStopping } };
  return { network, optimizer, earlyStopping, parts, callbacks: [schedule, earlyStopping] };
}

function convnet(seed: number): Sequential {
  const { layers, inputShape } = layersFromSpec(parseLayerSpec(SPEC), train.sampleShape, 3, new Rng(seed));
  return new Sequential(layers, inputShape);
}

/** Every bit of every weight and buffer (batch norm's running statistics and batch count included). */
function bits(network: Sequential): number[][] {
  return [...network.params(), ...network.buffers()].map((t) => Array.from(new Uint32Array(t.value.data.slice().buffer)));
}

describe('restoreRun with a convnet', () => {
  const reference = makeRun();
  const full = fit(reference.network, train, {
    ...FIT,
    optimizer: reference.optimizer,
    rng: new Rng(4),
    callbacks: reference.callbacks,
  });

  it('a convnet stopped mid-epoch, saved and resumed ends bit for bit as the uninterrupted run (conv, batch norm 2d, pooling, dropout, Adam, schedule, early stopping)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scratchnet-resume-convnet-'));
    const run = makeRun();
    let saved: FitState | null = null;
    const interrupt: Callbacks = {
      onBatchEnd: (e) => {
        if (e.epoch === 3 && e.batch === 2) {
          saved = e.state();
          saveRun(dir, run.parts, saved);
          e.stop();
        }
      },
    };
    fit(run.network, train, { ...FIT, optimizer: run.optimizer, rng: new Rng(4), callbacks: [...run.callbacks, interrupt] });
    expect(saved).toMatchObject({ epoch: 2, batch: 2 });

    const checkpoint = loadCheckpoint(dir);
    expect(String(checkpoint.network)).toBe(String(reference.network));
    const resumed = makeRun(checkpoint.network);
    const resume = restoreRun(checkpoint, resumed.parts, train);
    const history = fit(resumed.network, train, {
      ...FIT,
      optimizer: resumed.optimizer,
      rng: new Rng(999), // the shuffle state comes from the checkpoint
      callbacks: resumed.callbacks,
      resume,
    });
    expect(history.batchLoss).toEqual(full.batchLoss);
    expect(history.epochs.map((e) => e.valLoss)).toEqual(full.epochs.map((e) => e.valLoss));
    expect(resumed.optimizer.state()).toEqual(reference.optimizer.state());
    expect(bits(resumed.network)).toEqual(bits(reference.network));
    // 4 epochs of 6 batches, counted by the batch norm across the interruption
    expect(resumed.network.buffers().find((b) => b.name.endsWith('num_batches_tracked'))!.value.data[0]).toBe(24);
  });
});
