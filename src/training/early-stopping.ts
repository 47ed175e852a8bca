import { ScratchnetError } from '../errors.js';
import type { OptimizerState } from '../optimizers/optimizer.js';
import type { Callbacks, EpochEnd, TrainEnd } from './callbacks.js';
import type { Sequential } from '../network/sequential.js';

/** When early stopping gives up, and what it leaves in the network. */
export interface EarlyStoppingOptions {
  /** Epochs without improvement of the validation loss before training stops. */
  patience: number;
  /** Smallest decrease of the validation loss that counts as an improvement; default 0. */
  minDelta?: number;
  /**
   * Put the best epoch's weights (and batch-norm statistics) back when training ends; default true.
   * A caller that may interrupt training to checkpoint it (the CLI) sets false and calls `restore()`
   * itself once training has really finished.
   */
  restoreBest?: boolean;
}

/**
 * Early stopping as a fit callback. After every epoch it compares the validation loss with the best so
 * far: an improvement (loss < best − minDelta) snapshots every param and buffer of the network and resets
 * the count; otherwise the count grows, and at `patience` epochs without improvement training stops.
 * When training ends (stopped or not) the best epoch's weights are restored.
 */
export class EarlyStopping implements Callbacks {
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBest: boolean;
  /** Epoch (from 1) of the best validation loss so far, or null before the first epoch. */
  bestEpoch: number | null = null;
  bestLoss = Infinity;
  /** Epoch (from 1) after which training was stopped, or null. */
  stoppedEpoch: number | null = null;
  private wait = 0;
  private readonly tensors: Array<{ name: string; live: Float32Array; best: Float32Array }>;

  constructor(network: Sequential, options: EarlyStoppingOptions) {
    this.patience = options.patience;
    this.minDelta = options.minDelta ?? 0;
    this.restoreBest = options.restoreBest ?? true;
    if (!(Number.isInteger(this.patience) && this.patience > 0))
      throw new ScratchnetError(`early stopping: patience must be a positive integer of epochs, got ${this.patience}`);
    if (!(this.minDelta >= 0)) throw new ScratchnetError(`early stopping: min delta must be ≥ 0, got ${this.minDelta}`);
    // The snapshot buffers are allocated once, here.
    this.tensors = [...network.params(), ...network.buffers()].map((t) => ({
      name: t.name,
      live: t.value.data,
      best: new Float32Array(t.value.size),
    }));
  }

  onEpochEnd(event: EpochEnd): void {
    if (event.valLoss === null)
      throw new ScratchnetError('early stopping watches the validation loss: give fit a validation set');
    if (event.valLoss < this.bestLoss - this.minDelta) {
      this.bestLoss = event.valLoss;
      this.bestEpoch = event.epoch;
      this.wait = 0;
      for (const t of this.tensors) t.best.set(t.live);
    } else if (++this.wait >= this.patience) {
      this.stoppedEpoch = event.epoch;
      event.stop();
    }
  }

  onTrainEnd(_event: TrainEnd): void {
    if (this.restoreBest) this.restore();
  }

  /** Copies the best epoch's weights and buffers back into the network (no-op before any epoch). */
  restore(): void {
    if (this.bestEpoch === null) return;
    for (const t of this.tensors) t.live.set(t.best);
  }

  /**
   * For checkpoints: the count, the best loss and epoch, and the snapshot (keyed by tensor name). The
   * epoch is saved as `bestEpochNumber` (from 1); checkpoints from before epochs counted from 1 have
   * `bestEpoch` (from 0), which `loadState` still reads.
   */
  state(): OptimizerState {
    const scalars: Record<string, number> = { wait: this.wait };
    if (this.bestEpoch !== null) Object.assign(scalars, { bestEpochNumber: this.bestEpoch, bestLoss: this.bestLoss });
    const buffers: Record<string, Float32Array> = {};
    if (this.bestEpoch !== null) for (const t of this.tensors) buffers[t.name] = t.best.slice();
    return { scalars, buffers };
  }

  /** Puts back what `state()` saved. */
  loadState(state: OptimizerState): void {
    const { bestEpochNumber, bestEpoch } = state.scalars;
    this.wait = state.scalars.wait ?? 0;
    this.bestEpoch = bestEpochNumber ?? (bestEpoch === undefined ? null : bestEpoch + 1);
    this.bestLoss = state.scalars.bestLoss ?? Infinity;
    if (this.bestEpoch === null) return;
    for (const t of this.tensors) {
      const saved = state.buffers[t.name];
      if (!saved || saved.length !== t.best.length)
        throw new ScratchnetError(`early stopping state: snapshot of '${t.name}' is missing or has the wrong size`);
      t.best.set(saved);
    }
  }
}
