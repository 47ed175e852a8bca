import type { RngState } from '../tensor/rng.js';

/**
 * What `fit` reports while it runs, and the state it can be resumed from.
 *
 * Counting: epochs and batches are numbered from 1, as people (and Keras's progress display) count
 * them — the first epoch is epoch 1, its first batch batch 1. A `FitState` holds counts instead
 * (epochs finished, batches finished of the next epoch), so "nothing done yet" is 0 and 0.
 */

/** What every event carries: where training is, and the means to stop it or snapshot it. */
export interface FitEvent {
  /** The current epoch, from 1 (at `onTrainBegin`: the epoch about to run). */
  epoch: number;
  /** Epochs of the whole run. */
  epochs: number;
  /** Batches per epoch. */
  batches: number;
  /** Ends training after the current batch (from onBatchEnd) or epoch (from onEpochEnd). */
  stop(): void;
  /** Everything needed to continue this run exactly from this point (see FitOptions.resume). */
  state(): FitState;
}

/** Reported before each epoch's first batch (after its shuffle). Schedules set the learning rate here. */
export type EpochBegin = FitEvent;

/** Reported after every training batch. */
export interface BatchEnd extends FitEvent {
  /** The batch just finished, from 1 within its epoch (so also the batches done in this epoch). */
  batch: number;
  loss: number;
  /** Training samples processed so far in this epoch. */
  samples: number;
  samplesPerSecond: number;
  elapsedSeconds: number;
}

/** Reported after every epoch: the epoch's summary (as History keeps it) with the event's means. */
export interface EpochEnd extends FitEvent, EpochSummary {
  /** The epoch just finished, from 1. */
  epoch: number;
}

/** Reported once, when training ends (finished, stopped by a callback, or by `shouldStop`). */
export interface TrainEnd {
  history: History;
  seconds: number;
  /** True when a callback or `shouldStop` ended training before the last epoch. */
  stopped: boolean;
  /** Where training stopped: resume from here to finish the run. */
  state: FitState;
}

/** Hooks into the loop: the CLI's progress bar, `--json` output, figures, schedules and checkpoints. */
export interface Callbacks {
  /** Once, before the first batch (also when resuming). */
  onTrainBegin?(event: FitEvent): void;
  /** Before each epoch's first batch; a schedule sets the epoch's learning rate here. */
  onEpochBegin?(event: EpochBegin): void;
  /** After each batch's optimizer step, with the batch's loss. */
  onBatchEnd?(event: BatchEnd): void;
  /** After each epoch, with its summary (and validation results when fit has validation data). */
  onEpochEnd?(event: EpochEnd): void;
  /** Once, when training ends, finished or stopped. */
  onTrainEnd?(event: TrainEnd): void;
}

/** What `fit` returns: every batch's loss and every finished epoch's summary, in order. */
export interface History {
  /** Loss of every training batch, in order. */
  batchLoss: number[];
  epochs: EpochSummary[];
}

/** One finished epoch. `History.epochs[i]` is epoch i + 1. */
export interface EpochSummary {
  /** The epoch, from 1. */
  epoch: number;
  /** Mean of this epoch's batch losses. */
  trainLoss: number;
  valLoss: number | null;
  valAccuracy: number | null;
  /** The optimizer's rate at the end of the epoch. */
  learningRate: number;
  seconds: number;
}

/**
 * The loop's own state, enough to continue a run bit for bit: how far it got (`epoch` epochs
 * finished, then `batch` batches of the next one), the current epoch's order of rows, the Rng's state
 * (after that order and the augmentation of the batches done were drawn), the rows of the training subset (null: all rows) and the history so far.
 * Weights, optimizer state, the layers' random state and stateful callbacks are saved separately (they
 * belong to the network, the optimizer and the callbacks): `saveRun` and `restoreRun` handle all of it.
 */
export interface FitState {
  /** Epochs finished (0 before the first). The epoch to run next is `epoch + 1`. */
  epoch: number;
  /** Batches finished of the next epoch (0: it starts from its first batch). */
  batch: number;
  /** This epoch's order of the training rows: [rows] indices into the (subset of the) training data. */
  order: Int32Array;
  rng: RngState;
  /** [subset] indices into the training data, or null when training on all of it. */
  subset: Int32Array | null;
  history: History;
}
