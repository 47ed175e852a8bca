import { ScratchnetError } from '../errors.js';
import type { Callbacks, EpochBegin, BatchEnd, EpochEnd } from './callbacks.js';
import type { Optimizer, OptimizerState } from '../optimizers/optimizer.js';

/** The schedules `LearningRateSchedule` knows (PyTorch's names in its doc comment). */
export type ScheduleName = 'constant' | 'step' | 'exponential' | 'cosine' | 'plateau';
/** Every ScheduleName, for option parsers and messages. */
export const SCHEDULE_NAMES: readonly ScheduleName[] = ['constant', 'step', 'exponential', 'cosine', 'plateau'];

/** A schedule and its settings; each setting names the schedules that read it. */
export interface ScheduleOptions {
  /** Default 'constant': the base learning rate throughout (warm-up aside). */
  schedule?: ScheduleName;
  /** step: epochs between decays; default 10. */
  stepSize?: number;
  /** step: factor per stepSize epochs (default 0.1); exponential: factor per epoch (default 0.95). */
  gamma?: number;
  /** cosine: the epoch count T over which lr falls to minLr (usually the run's epochs); required. */
  epochs?: number;
  /** cosine: the final lr; plateau: the lowest lr; default 0. */
  minLr?: number;
  /** plateau: factor applied on a plateau; default 0.1. */
  factor?: number;
  /** plateau: epochs without improvement tolerated before reducing; default 10. */
  patience?: number;
  /** plateau: relative improvement that counts (loss < best·(1 − threshold)); default 1e-4. */
  threshold?: number;
  /** plateau: epochs to wait after a reduction before counting again; default 0. */
  cooldown?: number;
  /** Linear warm-up over this many batches (steps), composable with any schedule; default 0. */
  warmup?: number;
}

/**
 * A learning-rate schedule as a fit callback: it sets `optimizer.learningRate` before every batch.
 * With base rate lr₀ (the optimizer's rate when the schedule is made), e = the epochs finished before
 * this one (epoch number − 1, as PyTorch's schedulers count) and n = the batch's number counted from 1
 * over the whole run, the rate is  lr(e, n) = w(n) · f(e):
 *
 *   constant      f(e) = lr₀
 *   step          f(e) = lr₀ · γ^⌊e / stepSize⌋                          (PyTorch StepLR)
 *   exponential   f(e) = lr₀ · γ^e                                        (ExponentialLR)
 *   cosine        f(e) = minLr + (lr₀ − minLr) · (1 + cos(π·min(e, T)/T)) / 2   (CosineAnnealingLR)
 *   plateau       f(e) = max(minLr, lr₀ · factor^k), k = reductions so far: after each epoch, when the
 *                 validation loss has not improved (by `threshold`, relative) for more than `patience`
 *                 epochs, k grows by one (ReduceLROnPlateau, mode 'min')
 *   warm-up       w(n) = n/N for n ≤ N, else 1 — linear warm-up over the first N batches.
 */
export class LearningRateSchedule implements Callbacks {
  /** lr₀: the optimizer's rate when the schedule was made (a checkpoint's state restores it). */
  baseLr: number;
  readonly schedule: ScheduleName;
  private readonly options: Required<Omit<ScheduleOptions, 'schedule' | 'epochs'>> & { epochs: number };
  private reductions = 0;
  private best = Infinity;
  private badEpochs = 0;
  private cooldownLeft = 0;

  constructor(
    private readonly optimizer: Optimizer,
    options: ScheduleOptions = {},
  ) {
    this.baseLr = optimizer.learningRate;
    this.schedule = options.schedule ?? 'constant';
    const o = {
      stepSize: options.stepSize ?? 10,
      gamma: options.gamma ?? (this.schedule === 'exponential' ? 0.95 : 0.1),
      epochs: options.epochs ?? 0,
      minLr: options.minLr ?? 0,
      factor: options.factor ?? 0.1,
      patience: options.patience ?? 10,
      threshold: options.threshold ?? 1e-4,
      cooldown: options.cooldown ?? 0,
      warmup: options.warmup ?? 0,
    };
    this.options = o;
    const fail = (what: string): never => {
      throw new ScratchnetError(`schedule '${this.schedule}': ${what}`);
    };
    if (!SCHEDULE_NAMES.includes(this.schedule))
      throw new ScratchnetError(`unknown schedule '${this.schedule}' (known: ${SCHEDULE_NAMES.join(', ')})`);
    if (!(Number.isInteger(o.stepSize) && o.stepSize > 0))
      fail(`step size must be a positive integer of epochs, got ${o.stepSize}`);
    if (!(o.gamma > 0 && o.gamma <= 1)) fail(`gamma must be in (0, 1], got ${o.gamma}`);
    if (this.schedule === 'cosine' && !(Number.isInteger(o.epochs) && o.epochs > 0))
      fail(`needs the number of epochs T > 0, got ${o.epochs}`);
    if (!(o.minLr >= 0)) fail(`min lr must be ≥ 0, got ${o.minLr}`);
    if (!(o.factor > 0 && o.factor < 1)) fail(`factor must be in (0, 1), got ${o.factor}`);
    if (!(Number.isInteger(o.patience) && o.patience >= 0)) fail(`patience must be a non-negative integer, got ${o.patience}`);
    if (!(o.threshold >= 0)) fail(`threshold must be ≥ 0, got ${o.threshold}`);
    if (!(Number.isInteger(o.cooldown) && o.cooldown >= 0)) fail(`cooldown must be a non-negative integer, got ${o.cooldown}`);
    if (!(Number.isInteger(o.warmup) && o.warmup >= 0))
      fail(`warm-up must be a non-negative integer of batches, got ${o.warmup}`);
  }

  /** The rate for batch `batch` (from 1, counted over the whole run) of epoch `epoch` (from 1). */
  learningRateAt(epoch: number, batch: number): number {
    const { warmup } = this.options;
    const w = batch <= warmup ? batch / warmup : 1;
    return w * this.epochRate(epoch - 1);
  }

  /** f(e), e = epochs finished before this one. */
  private epochRate(e: number): number {
    const lr0 = this.baseLr;
    const { stepSize, gamma, epochs, minLr, factor } = this.options;
    switch (this.schedule) {
      case 'constant':
        return lr0;
      case 'step':
        return lr0 * gamma ** Math.floor(e / stepSize);
      case 'exponential':
        return lr0 * gamma ** e;
      case 'cosine':
        return minLr + ((lr0 - minLr) * (1 + Math.cos((Math.PI * Math.min(e, epochs)) / epochs))) / 2;
      case 'plateau':
        return Math.max(minLr, lr0 * factor ** this.reductions);
    }
  }

  onEpochBegin(event: EpochBegin): void {
    const done = this.options.warmup > 0 ? event.state().batch : 0; // a resumed run may start mid-epoch
    this.optimizer.learningRate = this.learningRateAt(event.epoch, (event.epoch - 1) * event.batches + done + 1);
  }

  onBatchEnd(event: BatchEnd): void {
    // During warm-up, and once after it (the batch after the last warm-up batch gets the full rate).
    const next = (event.epoch - 1) * event.batches + event.batch + 1;
    if (next <= this.options.warmup + 1) this.optimizer.learningRate = this.learningRateAt(event.epoch, next);
  }

  onEpochEnd(event: EpochEnd): void {
    if (this.schedule !== 'plateau') return;
    if (event.valLoss === null)
      throw new ScratchnetError("schedule 'plateau' watches the validation loss: give fit a validation set");
    const { patience, threshold, cooldown } = this.options;
    if (event.valLoss < this.best * (1 - threshold)) {
      this.best = event.valLoss;
      this.badEpochs = 0;
    } else {
      this.badEpochs++;
    }
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.badEpochs = 0;
    }
    if (this.badEpochs > patience) {
      this.reductions++;
      this.cooldownLeft = cooldown;
      this.badEpochs = 0;
    }
  }

  /**
   * For checkpoints: the base rate and the plateau bookkeeping (the other schedules are functions of the
   * position alone). With lr₀ saved, a resumed run may make its schedule before or after restoring
   * the optimizer's learning rate.
   */
  state(): OptimizerState {
    const scalars: Record<string, number> = {
      baseLr: this.baseLr,
      reductions: this.reductions,
      badEpochs: this.badEpochs,
      cooldownLeft: this.cooldownLeft,
    };
    if (Number.isFinite(this.best)) scalars.best = this.best;
    return { scalars, buffers: {} };
  }

  /** Puts back what `state()` saved (checkpoints written before lr₀ was saved keep this schedule's own). */
  loadState(state: OptimizerState): void {
    this.baseLr = state.scalars.baseLr ?? this.baseLr;
    this.reductions = state.scalars.reductions ?? 0;
    this.badEpochs = state.scalars.badEpochs ?? 0;
    this.cooldownLeft = state.scalars.cooldownLeft ?? 0;
    this.best = state.scalars.best ?? Infinity;
  }

  /** The schedule's settings as plain data (the model file's `training.schedule`). */
  config(): Record<string, unknown> {
    const { stepSize, gamma, epochs, minLr, factor, patience, threshold, cooldown, warmup } = this.options;
    const base = { schedule: this.schedule, baseLr: this.baseLr, warmup };
    switch (this.schedule) {
      case 'constant':
        return base;
      case 'step':
        return { ...base, stepSize, gamma };
      case 'exponential':
        return { ...base, gamma };
      case 'cosine':
        return { ...base, epochs, minLr };
      case 'plateau':
        return { ...base, factor, patience, threshold, cooldown, minLr };
    }
  }
}
