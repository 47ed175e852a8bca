import { type Command, InvalidArgumentError, Option } from 'commander';
import { INIT_NAMES, type InitName } from '../layers/init.js';
import { EarlyStopping } from '../training/early-stopping.js';
import type { Sequential } from '../network/sequential.js';
import { OPTIMIZER_NAMES, type OptimizerName, makeOptimizer } from '../optimizers/make-optimizer.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { LearningRateSchedule, SCHEDULE_NAMES, type ScheduleName } from '../training/schedules.js';
import { fraction, nonNegativeInteger, positiveInteger, positiveNumber } from './parse.js';

/**
 * The optimisation part of a `scratchnet train` recipe: optimizer, regularisation, normalisation,
 * initialisation, learning-rate schedule and early stopping. Saved with the other options in
 * checkpoints and in the model file's metadata (`training.options`).
 */
export interface RecipeOptions {
  optimizer: OptimizerName;
  /** Unset: the optimizer's default (sgd 0.1, momentum/nesterov/rmsprop/adagrad 0.01, adam/adamw 0.001). */
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  clipNorm?: number;
  beta1?: number;
  beta2?: number;
  dropout: number;
  batchNorm: boolean;
  /** One scheme for every Dense layer, or one per Dense layer. */
  init: InitName | InitName[];
  schedule: ScheduleName;
  stepSize: number;
  gamma?: number;
  minLr: number;
  plateauFactor: number;
  plateauPatience: number;
  warmup: number;
  earlyStopping?: number;
}

export function addRecipeOptions(command: Command): Command {
  return command
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZER_NAMES).default('sgd'))
    .option(
      '--lr <rate>',
      'learning rate (default: sgd 0.1; momentum, nesterov, rmsprop, adagrad 0.01; adam, adamw 0.001)',
      positiveNumber,
    )
    .option('--momentum <mu>', 'momentum (default 0.9 for momentum/nesterov; 0 for sgd and rmsprop)', unitInterval)
    .option(
      '--weight-decay <lambda>',
      'L2 weight decay, added to the gradient (decoupled for adamw; its default 0.01)',
      nonNegativeNumber,
    )
    .option('--clip-norm <max>', 'clip gradients to this global norm (over all parameters) before each step', positiveNumber)
    .option('--beta1 <b>', 'adam/adamw: first-moment decay (default 0.9)', unitInterval)
    .option('--beta2 <b>', 'adam/adamw: second-moment decay (default 0.999)', unitInterval)
    .option('--dropout <rate>', 'dropout rate after each hidden activation (inverted scaling; 0 = none)', fraction, 0)
    .option('--batch-norm', 'batch normalisation between each hidden Dense layer and its activation', false)
    .option(
      '--init <names>',
      `weight initialisation, one for all Dense layers or one per Dense layer, comma-separated (${INIT_NAMES.join(', ')})`,
      initList,
      'he-normal',
    )
    .addOption(
      new Option('--schedule <name>', 'learning-rate schedule, stepped per epoch').choices(SCHEDULE_NAMES).default('constant'),
    )
    .option('--step-size <epochs>', 'step schedule: epochs between decays', positiveInteger, 10)
    .option(
      '--gamma <factor>',
      'step: decay per step (default 0.1); exponential: decay per epoch (default 0.95)',
      unitIntervalOpen,
    )
    .option('--min-lr <rate>', 'cosine: final learning rate; plateau: lowest learning rate', nonNegativeNumber, 0)
    .option('--plateau-factor <factor>', 'plateau: multiply the learning rate by this on a plateau', unitIntervalOpen, 0.1)
    .option(
      '--plateau-patience <epochs>',
      'plateau: epochs without validation-loss improvement before reducing',
      nonNegativeInteger,
      10,
    )
    .option(
      '--warmup <batches>',
      'linear learning-rate warm-up over this many batches (with any schedule)',
      nonNegativeInteger,
      0,
    )
    .option(
      '--early-stopping <patience>',
      'stop after this many epochs without validation-loss improvement and keep the best epoch',
      positiveInteger,
    );
}

/** The optimizer the recipe describes. */
export function recipeOptimizer(options: RecipeOptions): Optimizer {
  const { lr, momentum, weightDecay, clipNorm, beta1, beta2 } = options;
  return makeOptimizer(options.optimizer, { lr, momentum, weightDecay, clipNorm, beta1, beta2 });
}

/**
 * The learning-rate schedule, or null for a constant rate without warm-up. Make it before restoring a
 * checkpoint's learning rate: its base rate is the optimizer's initial one. Cosine anneals over `epochs`.
 */
export function recipeSchedule(options: RecipeOptions, optimizer: Optimizer, epochs: number): LearningRateSchedule | null {
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
export function recipeEarlyStopping(options: RecipeOptions, network: Sequential): EarlyStopping | null {
  return options.earlyStopping === undefined
    ? null
    : new EarlyStopping(network, { patience: options.earlyStopping, restoreBest: false });
}

function initList(text: string): InitName | InitName[] {
  const names = text.split(',').map((s) => s.trim());
  for (const name of names) {
    if (!INIT_NAMES.includes(name as InitName))
      throw new InvalidArgumentError(`'${name}' is not one of ${INIT_NAMES.join(', ')} (comma-separate one per Dense layer).`);
  }
  return names.length === 1 ? (names[0] as InitName) : (names as InitName[]);
}

function nonNegativeNumber(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !(Number.isFinite(n) && n >= 0))
    throw new InvalidArgumentError('Expected a number ≥ 0, e.g. 0.0005.');
  return n;
}

function unitInterval(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !(n >= 0 && n < 1)) throw new InvalidArgumentError('Expected a number in [0, 1), e.g. 0.9.');
  return n;
}

function unitIntervalOpen(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !(n > 0 && n < 1)) throw new InvalidArgumentError('Expected a number in (0, 1), e.g. 0.5.');
  return n;
}
