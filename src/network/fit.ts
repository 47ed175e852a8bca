import { Batcher } from '../data/batches.js';
import type { Dataset } from '../data/dataset.js';
import { randomSubset } from '../data/split.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { SGD } from '../optimizers/sgd.js';
import { Rng } from '../tensor/rng.js';
import { evaluate } from './evaluate.js';
import type { Sequential } from './sequential.js';

/** Reported after every training batch. */
export interface BatchEnd {
  epoch: number; // 0-based
  epochs: number;
  batch: number; // 0-based within the epoch
  batches: number;
  loss: number;
  /** Training samples processed so far in this epoch. */
  samples: number;
  samplesPerSecond: number;
  elapsedSeconds: number;
}

/** Reported after every epoch. */
export interface EpochEnd {
  epoch: number; // 0-based
  epochs: number;
  /** Mean of this epoch's batch losses. */
  trainLoss: number;
  valLoss: number | null;
  valAccuracy: number | null;
  learningRate: number;
  seconds: number;
}

export interface TrainEnd {
  history: History;
  seconds: number;
  /** True when `shouldStop` ended training early. */
  stopped: boolean;
}

/** Hooks into the loop: the CLI's progress bar, `--json` output, figures and checkpoints are callbacks. */
export interface Callbacks {
  onBatchEnd?(event: BatchEnd): void;
  onEpochEnd?(event: EpochEnd): void;
  onTrainEnd?(event: TrainEnd): void;
}

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  /** Default: SGD with learning rate 0.1 (the tutorial's). */
  optimizer?: Optimizer;
  /** Source of the subset choice and the per-epoch shuffles. Default: new Rng(42). */
  rng?: Rng;
  /** Train on a random subset of this many rows, chosen once (the tutorial uses 10,000). */
  subset?: number;
  /** Evaluated after every epoch (loss and accuracy). */
  validation?: Dataset;
  callbacks?: Callbacks | Callbacks[];
  /** Shuffle the training rows at the start of every epoch; default true. */
  shuffle?: boolean;
  /** Checked after every batch; returning true ends training after that batch. */
  shouldStop?: () => boolean;
}

export interface History {
  /** Loss of every training batch, in order. */
  batchLoss: number[];
  epochs: EpochEnd[];
}

/**
 * The training loop of the tutorial's `train_mnist_network`, as a library function: for each epoch,
 * shuffle, then for each mini-batch run one `trainStep`; after the epoch, evaluate on the validation set.
 * Defaults are the tutorial's: 5 epochs, batch 32, SGD with learning rate 0.1.
 */
export function fit(network: Sequential, train: Dataset, options: FitOptions = {}): History {
  const { epochs = 5, batchSize = 32, rng = new Rng(42), validation, shuffle = true, shouldStop } = options;
  const optimizer = options.optimizer ?? new SGD(0.1);
  const callbacks = options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks];
  if (!(Number.isInteger(epochs) && epochs >= 0)) throw new RangeError(`epochs must be a non-negative integer, got ${epochs}`);
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);

  const data = options.subset !== undefined ? randomSubset(train, options.subset, rng) : train;
  const batcher = new Batcher(data);
  const validationBatcher = validation ? new Batcher(validation) : null;
  const order = new Int32Array(data.count);
  for (let i = 0; i < data.count; i++) order[i] = i;
  const batches = Math.ceil(data.count / batchSize);
  const history: History = { batchLoss: [], epochs: [] };
  const started = performance.now();
  let stopped = false;

  for (let epoch = 0; epoch < epochs && !stopped; epoch++) {
    if (shuffle) rng.shuffle(order);
    const epochStarted = performance.now();
    let lossSum = 0;
    let batch = 0;
    for (; batch < batches; batch++) {
      const start = batch * batchSize;
      const end = Math.min(start + batchSize, data.count);
      const { x, y } = batcher.gather(order, start, end);
      const loss = network.trainStep(x, y, optimizer);
      lossSum += loss;
      history.batchLoss.push(loss);
      if (callbacks.length > 0) {
        const elapsed = (performance.now() - epochStarted) / 1000;
        const event: BatchEnd = { epoch, epochs, batch, batches, loss, samples: end, samplesPerSecond: end / elapsed, elapsedSeconds: elapsed };
        for (const c of callbacks) c.onBatchEnd?.(event);
      }
      if (shouldStop?.()) {
        stopped = true;
        batch++;
        break;
      }
    }
    if (stopped) break;
    const evaluation = validation ? evaluate(network, validation, 1000, validationBatcher!) : null;
    const event: EpochEnd = {
      epoch,
      epochs,
      trainLoss: lossSum / batch,
      valLoss: evaluation ? evaluation.loss : null,
      valAccuracy: evaluation ? evaluation.accuracy : null,
      learningRate: optimizer.learningRate,
      seconds: (performance.now() - epochStarted) / 1000,
    };
    history.epochs.push(event);
    for (const c of callbacks) c.onEpochEnd?.(event);
  }
  const end: TrainEnd = { history, seconds: (performance.now() - started) / 1000, stopped };
  for (const c of callbacks) c.onTrainEnd?.(end);
  return history;
}
