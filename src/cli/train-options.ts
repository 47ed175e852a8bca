import { type Command, Option } from 'commander';
import { ScratchnetError } from '../errors.js';
import { ACTIVATION_NAMES, type ActivationName, Sequential } from '../network/sequential.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import type { BackendName } from '../kernels/index.js';
import type { Rng } from '../tensor/rng.js';
import { addBackendOption } from './backend.js';
import type { DataOptions } from './data.js';
import { fraction, nonNegativeInteger, positiveInteger, widthList } from './parse.js';
import { type RecipeOptions, addRecipeOptions, recipeOptimizer } from './train-recipe.js';

/**
 * Everything `scratchnet train` is told, as plain data: it crosses to the training worker and is saved
 * in checkpoints (`--resume` needs nothing else). To add an option: a field here, a line in
 * `addTrainOptions`, and its use in `buildNetwork` / `makeOptimizer` / the data loader.
 */
export interface TrainOptions extends RecipeOptions, DataOptions {
  subset?: number;
  // network
  hidden: number[];
  activation: ActivationName;
  // training
  epochs: number;
  batchSize: number;
  // output
  out: string;
  checkpointDir?: string;
  resume?: string;
  /** Folder for every figure and an HTML report (index.html) of the run. */
  report?: string;
  json: boolean;
  logEvery: number;
  /** Kernels to train with (chosen in the training thread before the network is built); default auto. */
  backend?: BackendName;
  /** Test hook: behave as if Ctrl-C was pressed after this many batches of this run. */
  stopAfterBatches?: number;
}

/**
 * Options that describe a run's output rather than its recipe: a resumed run may change these (finish
 * with more epochs, write elsewhere) — or its kernels: a resumed run uses the checkpoint's --backend unless
 * told otherwise, and is bit-exact on the same backend (another backend rounds differently in the last
 * bits). Every other option must equal the checkpoint's.
 */
export const RUN_ONLY_OPTIONS: readonly string[] = [
  'epochs',
  'out',
  'checkpointDir',
  'resume',
  'report',
  'json',
  'logEvery',
  'stopAfterBatches',
  'backend',
];

/** The tutorial's settings are the defaults: 784-64-32-10 ReLU, 5 epochs, batch 32, SGD lr 0.1, 10% validation, seed 42. */
export function addTrainOptions(command: Command): Command {
  command
    .option(
      '--train <path>',
      'training data: CSV (label first, then pixels), CSV.gz or IDX; default: the built-in 10,000 MNIST digits',
    )
    .option('--test <path>', 'test data, same formats; default: the built-in test digits')
    .option(
      '--label-column <column>',
      'CSV: the label column, a 0-based index (-1 = last) or a header name; default "label", else the first',
    )
    .option('--train-labels <path>', 'IDX: the training labels file, when it is not beside the images file')
    .option('--test-labels <path>', 'IDX: the test labels file, when it is not beside the images file')
    .option('--val-split <fraction>', 'share of the training rows held out for validation', fraction, 0.1)
    .option('--subset <n>', 'train on a random subset of n training rows (chosen once, seeded)', positiveInteger)
    .option('--seed <n>', 'seed of every random choice: initial weights, split, subset, shuffles', nonNegativeInteger, 42)
    .addOption(
      new Option('--hidden <widths>', 'hidden layer widths, comma-separated ("none" for no hidden layer)')
        .argParser(widthList)
        .default([64, 32], '64,32'),
    )
    .addOption(new Option('--activation <name>', 'activation after each hidden layer').choices(ACTIVATION_NAMES).default('relu'))
    .option('--epochs <n>', 'passes over the training data', nonNegativeInteger, 5)
    .option('--batch-size <n>', 'samples per gradient step', positiveInteger, 32)
    .option('--out <file>', 'where to write the trained model (safetensors)', 'model.safetensors')
    .option('--checkpoint-dir <dir>', 'write a checkpoint into this folder after every epoch (and on Ctrl-C)')
    .option('--resume <dir>', 'continue the run whose checkpoint is in this folder, with its options')
    .option('--report <dir>', 'write every figure (SVG + PNG) and an HTML report, index.html, into this folder')
    .option('--json', 'print one JSON object per event instead of text', false)
    .option('--log-every <n>', 'without a terminal (or with --json): report every n-th batch', positiveInteger, 20)
    .addOption(
      new Option('--stop-after-batches <n>', 'act as if Ctrl-C was pressed after n batches (for tests)')
        .argParser(positiveInteger)
        .hideHelp(),
    );
  return addBackendOption(addRecipeOptions(command));
}

/** The network the options describe, initialised from `rng`. */
export function buildNetwork(options: TrainOptions, inputs: number, classes: number, rng: Rng): Sequential {
  const { hidden, activation, init, dropout, batchNorm } = options;
  return Sequential.mlp({ inputs, hidden, classes, activation, init, dropout, batchNorm, rng });
}

/** The optimizer the options describe. The one place optimizers are chosen. */
export function makeOptimizer(options: TrainOptions): Optimizer {
  return recipeOptimizer(options);
}

/**
 * The options of a resumed run: the checkpoint's recipe, plus the run-only options given now.
 * A recipe option given explicitly with a different value is a mistake (the run would not be the
 * same run any more) and is refused.
 */
export function resumedOptions(
  saved: Record<string, unknown>,
  given: TrainOptions,
  explicit: (key: string) => boolean,
  checkpoint: string,
): TrainOptions {
  const merged: Record<string, unknown> = { ...saved };
  for (const [key, value] of Object.entries(given)) {
    if (!explicit(key)) continue;
    if (RUN_ONLY_OPTIONS.includes(key)) merged[key] = value;
    else if (JSON.stringify(saved[key]) !== JSON.stringify(value)) {
      throw new ScratchnetError(
        `--${kebab(key)} ${String(value)} differs from the checkpoint's ${JSON.stringify(saved[key])} (${checkpoint}); a resumed run keeps its recipe — drop the option or start a new run`,
      );
    }
  }
  merged.resume = given.resume;
  return merged as unknown as TrainOptions;
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
