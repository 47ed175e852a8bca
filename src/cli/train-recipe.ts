import { ImageAugmentation, imageShapeOf } from '../data/augment.js';
import { ScratchnetError } from '../errors.js';
import { MAX_LAYER_WIDTH, MAX_PARAMETERS } from '../limits.js';
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

/** The network the options describe, initialised from `rng`; refused before allocating when it is too large. */
export function buildNetwork(options: TrainOptions, inputs: number, classes: number, rng: Rng): Sequential {
  const { hidden, activation, init, dropout, batchNorm } = options;
  checkNetworkSize(inputs, hidden, classes);
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

/** The batch augmentation --augment asks for, or null; refused at once when the samples are not images. */
export function recipeAugmentation(options: TrainOptions, sampleShape: readonly number[]): ImageAugmentation | null {
  if (options.augment === undefined) return null;
  try {
    imageShapeOf(sampleShape);
  } catch (error) {
    if (error instanceof ScratchnetError) throw new ScratchnetError(`--augment: ${error.message}`);
    throw error;
  }
  return new ImageAugmentation(options.augment);
}

/**
 * Refuses, before anything is allocated, an MLP wider than MAX_LAYER_WIDTH in any layer or with more than
 * MAX_PARAMETERS parameters: Σ over its Dense layers of (inputs + 1) × units.
 */
export function checkNetworkSize(inputs: number, hidden: readonly number[], classes: number): void {
  const widths = [inputs, ...hidden, classes];
  const widest = widths.reduce((a, b) => Math.max(a, b), 0);
  if (widest > MAX_LAYER_WIDTH) {
    const what =
      widest === inputs ? `${inputs} inputs` : widest === classes ? `${classes} classes` : `a layer of ${widest} units`;
    throw new ScratchnetError(
      `the network would have ${what}; the limit is ${MAX_LAYER_WIDTH.toLocaleString('en-US')} per layer (the pixels of a 256×256 image)`,
    );
  }
  let parameters = 0;
  for (let i = 1; i < widths.length; i++) parameters += (widths[i - 1] + 1) * widths[i];
  if (parameters > MAX_PARAMETERS) {
    throw new ScratchnetError(
      `the network ${widths.join('-')} would have ${parameters.toLocaleString('en-US')} parameters; the limit is ${MAX_PARAMETERS.toLocaleString('en-US')} (400 MB to train); use narrower layers`,
    );
  }
}
