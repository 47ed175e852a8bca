import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageAugmentation } from '../data/augment.js';
import { loadBuiltinMnist } from '../data/builtin.js';
import { selectRows } from '../data/dataset.js';
import { loadCheckpoint } from '../io/checkpoint.js';
import { layersFromSpec } from '../network/from-spec.js';
import { parseLayerSpec } from '../network/layer-spec.js';
import { Sequential } from '../network/sequential.js';
import { Adam } from '../optimizers/adam.js';
import { Rng } from '../tensor/rng.js';
import type { FitState } from './callbacks.js';
import { fit } from './fit.js';
import { restoreRun, saveRun } from './resume.js';

// 160 built-in digits, batch 32: 5 batches an epoch. A small convnet with dropout, so two streams run.
const digits = loadBuiltinMnist().train;
const train = selectRows(
  digits,
  Array.from({ length: 160 }, (_, i) => i * 50),
  'digits (160)',
);
const FIT = { epochs: 3, batchSize: 32 } as const;

function convnet(): Sequential {
  const rng = new Rng(7);
  const { layers, inputShape } = layersFromSpec(
    parseLayerSpec('conv2d(4,3),relu,maxpool2d(2),flatten,dropout(0.2),dense(10)'),
    train.sampleShape,
    train.classes,
    rng,
  );
  return new Sequential(layers, inputShape);
}

function bits(network: Sequential): number[][] {
  return [...network.params(), ...network.buffers()].map((t) => Array.from(new Uint32Array(t.value.data.buffer)));
}

describe('fit with augment', () => {
  const augment = (): ImageAugmentation => new ImageAugmentation({ shift: 2, rotate: 10 });

  it('trains on moved digits: the losses differ from a run without, and the same seed repeats them bit for bit', () => {
    const run = (withAugment: boolean): number[] =>
      fit(convnet(), train, {
        ...FIT,
        optimizer: new Adam({ lr: 0.01 }),
        rng: new Rng(4),
        ...(withAugment && { augment: augment() }),
      }).batchLoss;
    const plain = run(false);
    const moved = run(true);
    expect(moved).toHaveLength(15);
    expect(moved[0]).not.toBe(plain[0]); // the first batch has the same rows, moved
    expect(run(true)).toEqual(moved);
  });

  it('a run stopped mid-epoch, checkpointed and resumed ends bit for bit as the uninterrupted one (the shifts and angles continue from the checkpoint)', () => {
    const network = convnet();
    const optimizer = new Adam({ lr: 0.01 });
    const full = fit(network, train, { ...FIT, optimizer, rng: new Rng(4), augment: augment() });

    const dir = mkdtempSync(join(tmpdir(), 'scratchnet-augment-'));
    const first = convnet();
    const firstOptimizer = new Adam({ lr: 0.01 });
    let saved: FitState | null = null;
    fit(first, train, {
      ...FIT,
      optimizer: firstOptimizer,
      rng: new Rng(4),
      augment: augment(),
      callbacks: {
        onBatchEnd: (e) => {
          if (e.epoch === 2 && e.batch === 3) {
            saved = e.state();
            saveRun(dir, { network: first, optimizer: firstOptimizer }, saved);
            e.stop();
          }
        },
      },
    });
    expect(saved).toMatchObject({ epoch: 1, batch: 3 });

    const checkpoint = loadCheckpoint(dir);
    const resumedOptimizer = new Adam({ lr: 0.01 });
    const resume = restoreRun(checkpoint, { network: checkpoint.network, optimizer: resumedOptimizer }, train);
    const rest = fit(checkpoint.network, train, {
      ...FIT,
      optimizer: resumedOptimizer,
      rng: new Rng(999), // the stream comes from the checkpoint
      augment: augment(),
      resume,
    });
    expect(rest.batchLoss).toEqual(full.batchLoss);
    expect(bits(checkpoint.network)).toEqual(bits(network));
  });
});
