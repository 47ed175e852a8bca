import type { Rng } from '../tensor/rng.js';
import { Sequential } from '../network/sequential.js';
import { makeOptimizer } from '../optimizers/make-optimizer.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { EarlyStopping } from '../training/early-stopping.js';
import { LearningRateSchedule } from '../training/schedules.js';
import type { TrainOptions } from './train-flags.js';

/**
 * What a `scratchnet train` recipe builds: the network, the optimizer, the learning-rate schedule and
 * early stopping. The one place the CLI turns options into library objects; a resumed run builds the
 * same ones and `restoreRun` fills them from the checkpoint.
 */

/** The network the options describe, initialised from `rng`. */
export function buildNetwork(options: TrainOptions, inputs: number, classes: number, rng: Rng): Sequential {
  const { hidden, activation, init, dropout, batchNorm } = options;
  return Sequential.mlp({ inputs, hidden, classes, activation, init, dropout, batchNorm, rng });
}

/** The optimizer the recipe describes. */
export function recipeOptimizer(options: TrainOptions): Optimizer {
  const { lr, momentum, weightDecay, clipNorm, beta1, beta2 } = options;
  return makeOptimizer(options.optimizer, { lr, momentum, weightDecay, clipNorm, beta1, beta2 });
}

/** The learning-rate schedule, or null for a constant rate without warm-up. Cosine anneals over `epochs`. */
export function recipeSchedule(options: TrainOptions, optimizer: Optimizer, epochs: number): LearningRateSchedule | null {
  if (options.schedule === 'constant' && options.warmup === 0) return null;
  return new LearningRateSchedule(optimizer, {
    schedule: options.schedule,
    stepSize: options.stepSize,
    gamma: options.gamma,
    epochs: Math.max(epochs, 1),
    minLr: options.minLr,
    factor: options.plateauFactor,
    patience: options.plateauPatience,
    warmup: options.warmup,
  });
}

/** Early stopping, or null. It does not restore the best weights by itself: call `restore()` after a finished (not interrupted) run. */
export function recipeEarlyStopping(options: TrainOptions, network: Sequential): EarlyStopping | null {
  return options.earlyStopping === undefined
    ? null
    : new EarlyStopping(network, { patience: options.earlyStopping, restoreBest: false });
}
