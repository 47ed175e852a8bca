import type { EpochSummary } from '../training/callbacks.js';

/**
 * What the page and its training worker say to each other (postMessage). The worker owns the training
 * network; the page gets a copy of its weights as model-file bytes (the same format a download has) and
 * draws, predicts and looks inside with that copy, so it never waits for a training step.
 */

/** The networks the page offers, by the name its menu uses. */
export type NetworkChoice = 'tutorial' | 'deep' | 'convnet';

/** The layer strings (parseLayerSpec) of the networks; the MLPs are built as `scratchnet train --hidden` builds them. */
export const NETWORKS: Record<NetworkChoice, { label: string; hidden?: number[]; layers?: string }> = {
  tutorial: { label: 'Tutorial MLP 784-64-32-10', hidden: [64, 32] },
  deep: { label: 'Deeper MLP 784-256-128-64-10', hidden: [256, 128, 64] },
  convnet: {
    label: 'Convnet (slow on a CPU)',
    layers:
      'conv2d(32,3),relu,maxpool2d(2),conv2d(64,3),relu,maxpool2d(2),flatten,dropout(0.25),dense(128),relu,dropout(0.5),dense(10)',
  },
};

/** The settings of a training run, from the page's form. */
export interface TrainSettings {
  network: NetworkChoice;
  optimizer: 'sgd' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad';
  learningRate: number;
  batchSize: number;
  epochs: number;
  seed: number;
}

/** Page → worker. */
export type ToWorker =
  /** `run` numbers the run: the worker tags the run's messages with it, so the page can drop those of a run it reset. */
  | { type: 'train'; settings: TrainSettings; run: number }
  | { type: 'pause' }
  | { type: 'resume' }
  /** Forget the run: the worker then waits for the next 'train'. */
  | { type: 'reset' };

/** Worker → page; a run's messages carry its number (`run` of the 'train' message). */
export type FromWorker = { run?: number } &
  /** The backend is chosen and the digits are loaded. */
  (
    | { type: 'ready'; backend: string; threads: number; trainRows: number; validationRows: number; testRows: number }
    /** Training started: batches per epoch and in all. */
    | { type: 'started'; batchesPerEpoch: number; epochs: number; parameters: number; network: string }
    /** The losses of the batches finished since the last message, and the pace. */
    | { type: 'batches'; losses: number[]; done: number; total: number; samplesPerSecond: number; secondsLeft: number }
    | { type: 'epoch'; summary: EpochSummary }
    /** The network's weights now, as model-file bytes; `final` after the last epoch. */
    | { type: 'model'; bytes: Uint8Array; final: boolean }
    | { type: 'paused' }
    | { type: 'finished'; testAccuracy: number; testLoss: number; testRows: number; stopped: boolean }
    | { type: 'error'; message: string }
  );
