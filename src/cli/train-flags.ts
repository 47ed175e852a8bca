import type { Command } from 'commander';
import { INIT_NAMES } from '../layers/init.js';
import { MAX_BATCH_SIZE } from '../limits.js';
import { ACTIVATION_NAMES } from '../network/mlp.js';
import { OPTIMIZER_NAMES } from '../optimizers/make-optimizer.js';
import { SCHEDULE_NAMES } from '../training/schedules.js';
import { BACKEND_FLAG } from './backend.js';
import { type FlagTable, type OptionsOf, addFlags } from './flags.js';
import * as parse from './parse.js';

/**
 * Every flag of `scratchnet train`, once, in --help's order. The tutorial's settings are the defaults:
 * 784-64-32-10 ReLU, 5 epochs, batch 32, SGD lr 0.1, 10% validation, seed 42 (or any network with
 * --layers). To add a flag: an entry here, and its use (buildNetwork / recipeOptimizer in
 * train-recipe.ts, the data loader, the job).
 */
export const TRAIN_FLAGS = {
  // data
  train: {
    flag: '--train <path>',
    description: 'training data: CSV (label first, then pixels), CSV.gz or IDX; default: the built-in 10,000 MNIST digits',
    role: 'data',
    parse: parse.path,
  },
  test: {
    flag: '--test <path>',
    description: 'test data, same formats; default: the built-in test digits',
    role: 'data',
    parse: parse.path,
  },
  labelColumn: {
    flag: '--label-column <column>',
    description: 'CSV: the label column, a 0-based index (-1 = last) or a header name; default "label", else the first',
    role: 'data',
    parse: parse.text,
  },
  trainLabels: {
    flag: '--train-labels <path>',
    description: 'IDX: the training labels file, when it is not beside the images file',
    role: 'data',
    parse: parse.path,
  },
  testLabels: {
    flag: '--test-labels <path>',
    description: 'IDX: the test labels file, when it is not beside the images file',
    role: 'data',
    parse: parse.path,
  },
  // which rows, which network
  valSplit: {
    flag: '--val-split <fraction>',
    description: 'share of the training rows held out for validation',
    role: 'recipe',
    parse: parse.fraction,
    default: 0.1,
  },
  subset: {
    flag: '--subset <n>',
    description: 'train on a random subset of n training rows (chosen once, seeded)',
    role: 'recipe',
    parse: parse.positiveInteger,
  },
  seed: {
    flag: '--seed <n>',
    description: 'seed of every random choice: initial weights, split, subset, shuffles',
    role: 'recipe',
    parse: parse.nonNegativeInteger,
    default: 42,
  },
  hidden: {
    flag: '--hidden <widths>',
    description: 'hidden layer widths, comma-separated ("none" for no hidden layer)',
    role: 'recipe',
    parse: parse.widthList,
    default: [64, 32],
    defaultText: '64,32',
  },
  activation: {
    flag: '--activation <name>',
    description: 'activation after each hidden layer',
    role: 'recipe',
    choices: ACTIVATION_NAMES,
    default: 'relu',
  },
  // the whole network, in PyTorch's layer names: the alternative to the MLP flags (--hidden, --activation,
  // --dropout, --batch-norm, --init), which it refuses beside it (checkMlpFlags, train-recipe.ts)
  layers: {
    flag: '--layers <spec>',
    description:
      'the network as PyTorch-named layers, e.g. "conv2d(32,3),relu,maxpool2d(2),flatten,dense(128),relu,dense(10)" (sizes inferred from the data; instead of --hidden)',
    role: 'recipe',
    parse: parse.layerSpec,
  },
  // how long, in what steps
  epochs: {
    flag: '--epochs <n>',
    description: 'passes over the training data',
    role: 'run', // a finished run may be continued to more epochs
    parse: parse.nonNegativeInteger,
    default: 5,
  },
  batchSize: {
    flag: '--batch-size <n>',
    description: 'samples per gradient step',
    role: 'recipe',
    parse: parse.sizeUpTo(MAX_BATCH_SIZE, 'more rows than MNIST holds'),
    default: 32,
  },
  // outputs
  out: {
    flag: '--out <file>',
    description: 'where to write the trained model (safetensors)',
    role: 'run',
    parse: parse.path,
    default: 'model.safetensors',
  },
  checkpointDir: {
    flag: '--checkpoint-dir <dir>',
    description: 'write a checkpoint into this folder after every epoch (and on Ctrl-C)',
    role: 'run',
    parse: parse.path,
  },
  resume: {
    flag: '--resume <dir>',
    description: 'continue the run whose checkpoint is in this folder, with its options',
    role: 'run',
    parse: parse.path,
  },
  report: {
    flag: '--report <dir>',
    description: 'write every figure (SVG + PNG) and an HTML report, index.html, into this folder',
    role: 'run',
    parse: parse.path,
  },
  json: { flag: '--json', description: 'print one JSON object per event instead of text', role: 'run', default: false },
  logEvery: {
    flag: '--log-every <n>',
    description: 'without a terminal (or with --json): report every n-th batch',
    role: 'run',
    parse: parse.positiveInteger,
    default: 20,
  },
  stopAfterBatches: {
    flag: '--stop-after-batches <n>',
    description: 'act as if Ctrl-C was pressed after n batches (for tests)',
    role: 'run',
    parse: parse.positiveInteger,
    hidden: true,
  },
  // optimizer and regularisation
  optimizer: { flag: '--optimizer <name>', description: 'optimizer', role: 'recipe', choices: OPTIMIZER_NAMES, default: 'sgd' },
  lr: {
    flag: '--lr <rate>',
    description: 'learning rate (default: sgd 0.1; momentum, nesterov, rmsprop, adagrad 0.01; adam, adamw 0.001)',
    role: 'recipe',
    parse: parse.positiveNumber,
  },
  momentum: {
    flag: '--momentum <mu>',
    description: 'momentum (default 0.9 for momentum/nesterov; 0 for sgd and rmsprop)',
    role: 'recipe',
    parse: parse.unitInterval,
  },
  weightDecay: {
    flag: '--weight-decay <lambda>',
    description: 'L2 weight decay, added to the gradient (decoupled for adamw; its default 0.01)',
    role: 'recipe',
    parse: parse.nonNegativeNumber,
  },
  clipNorm: {
    flag: '--clip-norm <max>',
    description: 'clip gradients to this global norm (over all parameters) before each step',
    role: 'recipe',
    parse: parse.positiveNumber,
  },
  beta1: {
    flag: '--beta1 <b>',
    description: 'adam/adamw: first-moment decay (default 0.9)',
    role: 'recipe',
    parse: parse.unitInterval,
  },
  beta2: {
    flag: '--beta2 <b>',
    description: 'adam/adamw: second-moment decay (default 0.999)',
    role: 'recipe',
    parse: parse.unitInterval,
  },
  dropout: {
    flag: '--dropout <rate>',
    description: 'dropout rate after each hidden activation (inverted scaling; 0 = none)',
    role: 'recipe',
    parse: parse.fraction,
    default: 0,
  },
  batchNorm: {
    flag: '--batch-norm',
    description: 'batch normalisation between each hidden Dense layer and its activation',
    role: 'recipe',
    default: false,
  },
  init: {
    flag: '--init <names>',
    description: `weight initialisation, one for all Dense layers or one per Dense layer, comma-separated (${INIT_NAMES.join(', ')})`,
    role: 'recipe',
    parse: parse.initList,
    default: 'he-normal',
  },
  augment: {
    flag: '--augment <shift=N,rotate=D,flip>',
    description:
      'image data: move each training sample by up to N whole pixels, turn it by up to D degrees and, with flip, mirror half of them left-right (not for digits), drawn anew every epoch (e.g. shift=2,rotate=10)',
    role: 'recipe',
    parse: parse.augmentation,
  },
  // learning-rate schedule and early stopping
  schedule: {
    flag: '--schedule <name>',
    description: 'learning-rate schedule, stepped per epoch',
    role: 'recipe',
    choices: SCHEDULE_NAMES,
    default: 'constant',
  },
  stepSize: {
    flag: '--step-size <epochs>',
    description: 'step schedule: epochs between decays',
    role: 'recipe',
    parse: parse.positiveInteger,
    default: 10,
  },
  gamma: {
    flag: '--gamma <factor>',
    description: 'step: decay per step (default 0.1); exponential: decay per epoch (default 0.95)',
    role: 'recipe',
    parse: parse.unitIntervalOpen,
  },
  minLr: {
    flag: '--min-lr <rate>',
    description: 'cosine: final learning rate; plateau: lowest learning rate',
    role: 'recipe',
    parse: parse.nonNegativeNumber,
    default: 0,
  },
  plateauFactor: {
    flag: '--plateau-factor <factor>',
    description: 'plateau: multiply the learning rate by this on a plateau',
    role: 'recipe',
    parse: parse.unitIntervalOpen,
    default: 0.1,
  },
  plateauPatience: {
    flag: '--plateau-patience <epochs>',
    description: 'plateau: epochs without validation-loss improvement before reducing',
    role: 'recipe',
    parse: parse.nonNegativeInteger,
    default: 10,
  },
  warmup: {
    flag: '--warmup <batches>',
    description: 'linear learning-rate warm-up over this many batches (with any schedule)',
    role: 'recipe',
    parse: parse.nonNegativeInteger,
    default: 0,
  },
  earlyStopping: {
    flag: '--early-stopping <patience>',
    description: 'stop after this many epochs without validation-loss improvement and keep the best epoch',
    role: 'recipe',
    parse: parse.positiveInteger,
  },
  // kernels: a resumed run keeps the checkpoint's unless told otherwise; bit-exact on the same backend
  // (another one rounds differently in the last bits)
  backend: BACKEND_FLAG,
} satisfies FlagTable;

/**
 * Everything `scratchnet train` is told, as plain data (one field per flag above, typed from it): it
 * crosses to the training worker and is saved in checkpoints, so `--resume` needs nothing else.
 */
export type TrainOptions = OptionsOf<typeof TRAIN_FLAGS>;

/** Adds every `train` flag to the command. */
export function addTrainFlags(command: Command): Command {
  return addFlags(command, TRAIN_FLAGS);
}
