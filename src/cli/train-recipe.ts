import { ImageAugmentation, imageShapeOf } from '../data/augment.js';
import { ScratchnetError } from '../errors.js';
import { MAX_LAYER_WIDTH, MAX_PARAMETERS } from '../limits.js';
import type { Rng } from '../tensor/rng.js';
import { layersFromSpec } from '../network/from-spec.js';
import { parseLayerSpec } from '../network/layer-spec.js';
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

/** The options that shape a network: `--layers`, or the MLP flags. */
export type NetworkOptions = Pick<TrainOptions, 'layers' | 'hidden' | 'activation' | 'init' | 'dropout' | 'batchNorm'>;

/**
 * The network the options describe for samples of `sampleShape`, initialised from `rng`: the layers of
 * `--layers` (sizes inferred from the data, a square flat sample read as a one-channel image), or the MLP
 * of `--hidden` and its companions, which is refused before allocating when it is too large.
 * @throws {@link ScratchnetError} `--layers: position N: …` where a layer does not fit its input.
 */
export function buildNetwork(options: NetworkOptions, sampleShape: readonly number[], classes: number, rng: Rng): Sequential {
  if (options.layers !== undefined) return networkFromLayers(options.layers, sampleShape, classes, rng);
  const { hidden, activation, init, dropout, batchNorm } = options;
  const inputs = sampleShape.reduce((a, b) => a * b, 1);
  checkNetworkSize(inputs, hidden, classes);
  return Sequential.mlp({ inputs, hidden, classes, activation, init, dropout, batchNorm, rng });
}

/**
 * The network of a layer string (parseLayerSpec, layersFromSpec) for samples of `sampleShape`.
 * @throws {@link ScratchnetError} `--layers: position N: …` at a mistake in the string or a layer that does not fit.
 */
export function networkFromLayers(spec: string, sampleShape: readonly number[], classes: number, rng: Rng): Sequential {
  try {
    const { layers, inputShape } = layersFromSpec(parseLayerSpec(spec), sampleShape, classes, rng);
    return new Sequential(layers, inputShape);
  } catch (error) {
    if (error instanceof ScratchnetError) throw new ScratchnetError(`--layers: ${error.message}`);
    throw error;
  }
}

/** The flags that shape an MLP, which `--layers` replaces. */
export const MLP_FLAGS = ['hidden', 'activation', 'dropout', 'batchNorm', 'init'] as const;

/**
 * Refuses `--layers` beside a flag that shapes an MLP (`given(key)`: the user typed it): the layer string
 * is the whole network, so the other flag would be silently ignored.
 */
export function checkMlpFlags(options: Pick<TrainOptions, 'layers'>, given: (key: string) => boolean): void {
  if (options.layers === undefined) return;
  const both = MLP_FLAGS.filter(given).map((key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  if (both.length > 0)
    throw new ScratchnetError(
      `--layers describes the whole network, so ${both.join(', ')} ${both.length === 1 ? 'has' : 'have'} nothing to shape: give the layers in --layers (e.g. dropout(0.5), batchnorm) or leave --layers out`,
    );
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
