import type { BatchAugmentation } from '../data/augment.js';
import { Batcher } from '../data/batches.js';
import { type Dataset, selectRows } from '../data/dataset.js';
import type { Loss } from '../losses/loss.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { SGD } from '../optimizers/sgd.js';
import { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { evaluate } from '../network/evaluate.js';
import type { Sequential } from '../network/sequential.js';
import { ScratchnetError } from '../errors.js';
import { NonFiniteError } from '../tensor/finite.js';
import type { BatchEnd, Callbacks, EpochEnd, EpochSummary, FitEvent, FitState, History, TrainEnd } from './callbacks.js';

/** How `fit` trains; every field has the tutorial's default. */
export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  /** Default: SGD with learning rate 0.1 (the tutorial's). */
  optimizer?: Optimizer;
  /** What training minimises (and validation reports); default softmax cross-entropy. */
  loss?: Loss;
  /** Source of the subset choice, the per-epoch shuffles and `augment`'s draws. Default: new Rng(42). */
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
  /** Continue a run from a saved FitState (with the same data and options, and restored weights). */
  resume?: FitState;
  /**
   * Changes every training batch in place after it is gathered, before the network sees it (data
   * augmentation: `new ImageAugmentation({ shift: 2, rotate: 10 })`). It draws from `rng`, whose state a
   * FitState keeps, so a resumed run draws the same shifts and angles. Validation data is never augmented.
   */
  augment?: BatchAugmentation;
}

/**
 * The training loop of the tutorial's `train_mnist_network`, as a library function: for each epoch,
 * shuffle, then for each mini-batch run one `trainStep`; after the epoch, evaluate on the validation set.
 * Defaults are the tutorial's: 5 epochs, batch 32, SGD with learning rate 0.1.
 * @throws {@link NonFiniteError} naming the epoch and batch where the loss or a gradient (or, at an epoch's
 * end, the validation loss) became NaN or ±Inf; training stops there, before that batch's step.
 */
export function fit(network: Sequential, train: Dataset, options: FitOptions = {}): History {
  const { epochs = 5, batchSize = 32, validation, shuffle = true, shouldStop, resume, augment } = options;
  const rng = options.rng ?? new Rng(42);
  const optimizer = options.optimizer ?? new SGD(0.1);
  const callbacks =
    options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks];
  if (!(Number.isInteger(epochs) && epochs >= 0))
    throw new ScratchnetError(`epochs must be a non-negative integer, got ${epochs}`);
  if (!(Number.isInteger(batchSize) && batchSize > 0))
    throw new ScratchnetError(`batch size must be a positive integer, got ${batchSize}`);

  // The subset is drawn once, before the first shuffle; a resumed run takes the saved rows.
  let subset: Int32Array | null = null;
  if (resume) subset = resume.subset;
  else if (options.subset !== undefined && options.subset < train.count) subset = rng.choice(train.count, options.subset);
  const data = subset ? selectRows(train, subset, `${train.name} (subset of ${subset.length})`) : train;

  const batcher = Batcher.for(data);
  const validationBatcher = validation ? Batcher.for(validation) : null;
  const batches = Math.ceil(data.count / batchSize);
  const order = new Int32Array(data.count);
  for (let i = 0; i < data.count; i++) order[i] = i;
  const history: History = resume
    ? { batchLoss: [...resume.history.batchLoss], epochs: [...resume.history.epochs] }
    : { batchLoss: [], epochs: [] };
  let epoch = resume ? resume.epoch : 0;
  let batch = resume ? resume.batch : 0;
  if (resume) {
    if (resume.order.length !== data.count)
      throw new ScratchnetError(`resume: saved order has ${resume.order.length} rows, the training data ${data.count}`);
    if (!(Number.isInteger(resume.batch) && resume.batch >= 0 && resume.batch < batches))
      throw new ScratchnetError(`resume: saved batch ${resume.batch} is not one of the ${batches} batches of an epoch`);
    order.set(resume.order);
    rng.setState(resume.rng);
  }

  let stopRequested = false;
  const stop = (): void => {
    stopRequested = true;
  };
  const state = (): FitState => ({
    epoch: batch >= batches ? epoch + 1 : epoch,
    batch: batch >= batches ? 0 : batch,
    order: order.slice(),
    rng: rng.state(),
    subset,
    history: { batchLoss: [...history.batchLoss], epochs: [...history.epochs] },
  });
  const base = (): FitEvent => ({ epoch: epoch + 1, epochs, batches, stop, state }); // events count from 1

  const started = performance.now();
  for (const c of callbacks) c.onTrainBegin?.(base());
  for (; epoch < epochs && !stopRequested; epoch++) {
    // A resumed run continues mid-epoch with the saved order; otherwise draw this epoch's order.
    if (batch === 0 && shuffle) rng.shuffle(order);
    for (const c of callbacks) c.onEpochBegin?.(base());
    const epochStarted = performance.now();
    const firstBatch = batch;
    let lossSum = 0;
    for (const loss of history.batchLoss.slice(history.batchLoss.length - firstBatch)) lossSum += loss;
    while (batch < batches) {
      const start = batch * batchSize;
      const end = Math.min(start + batchSize, data.count);
      const { x, y } = batcher.gather(order, start, end);
      augment?.apply(x, rng);
      const loss = trainStep(network, x, y, optimizer, options.loss, epoch, batch);
      lossSum += loss;
      history.batchLoss.push(loss);
      batch++;
      if (callbacks.length > 0) {
        const elapsed = (performance.now() - epochStarted) / 1000;
        const samples = end - firstBatch * batchSize;
        const event: BatchEnd = {
          ...base(),
          batch,
          loss,
          samples: end,
          samplesPerSecond: samples / elapsed,
          elapsedSeconds: elapsed,
        };
        for (const c of callbacks) c.onBatchEnd?.(event);
      }
      if (shouldStop?.()) stopRequested = true;
      if (stopRequested) break;
    }
    if (batch < batches) break; // stopped mid-epoch: state() points at the next batch
    const evaluation = validation ? evaluate(network, validation, 1000, validationBatcher!, options.loss) : null;
    // A step can overflow finite weights to ±Inf; the next batch would stop on it, but the epoch ends here.
    if (evaluation && !Number.isFinite(evaluation.loss))
      throw new NonFiniteError(`the validation loss is ${evaluation.loss}`, epoch + 1, batches);
    const summary: EpochSummary = {
      epoch: epoch + 1,
      trainLoss: lossSum / batches,
      valLoss: evaluation ? evaluation.loss : null,
      valAccuracy: evaluation ? evaluation.accuracy : null,
      learningRate: optimizer.learningRate,
      seconds: (performance.now() - epochStarted) / 1000,
    };
    history.epochs.push(summary);
    const event: EpochEnd = { ...base(), ...summary };
    for (const c of callbacks) c.onEpochEnd?.(event);
    batch = 0;
  }
  const finalState = state();
  const end: TrainEnd = {
    history,
    seconds: (performance.now() - started) / 1000,
    stopped: finalState.epoch < epochs,
    state: finalState,
  };
  for (const c of callbacks) c.onTrainEnd?.(end);
  return history;
}

/** `network.trainStep`, with a NaN or ±Inf stop told when it happened (epoch and batch from 1). */
function trainStep(
  network: Sequential,
  x: Tensor,
  y: Int32Array,
  optimizer: Optimizer,
  loss: Loss | undefined,
  epoch: number,
  batch: number,
): number {
  try {
    return network.trainStep(x, y, optimizer, loss);
  } catch (error) {
    if (error instanceof NonFiniteError) throw new NonFiniteError(error.detail, epoch + 1, batch + 1);
    throw error;
  }
}
