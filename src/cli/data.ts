import { ScratchnetError } from '../errors.js';
import { loadBuiltinMnist } from '../data/builtin.js';
import { type Dataset, sampleSize } from '../data/dataset.js';
import { type LoadOptions, loadDataset } from '../data/load.js';
import { trainValidationSplit } from '../data/split.js';
import type { Sequential } from '../network/sequential.js';
import type { TrainOptions } from './train-flags.js';

/** Where the data options point: files, or nothing for the built-in digits; and how the rows are split. */
export type DataOptions = Pick<
  TrainOptions,
  'train' | 'test' | 'labelColumn' | 'trainLabels' | 'testLabels' | 'valSplit' | 'seed'
>;

/** The data of a training run, split. */
export interface TrainingData {
  /** The training data's name before the validation split (a file name, "built-in MNIST train"). */
  name: string;
  train: Dataset;
  validation: Dataset | null;
  test: Dataset | null;
}

/**
 * Loads the training and test data and holds out `valSplit` of the training rows for validation
 * (seeded, so a resumed run sees exactly the same rows). Without --train/--test: the built-in digits.
 */
export async function loadTrainingData(options: DataOptions): Promise<TrainingData> {
  let train: Dataset;
  let test: Dataset | null;
  if (options.train === undefined) {
    if (options.test !== undefined)
      throw new ScratchnetError('--test needs --train too (without both, the built-in digits are used)');
    refuseDataFlags({ labelColumn: options.labelColumn, trainLabels: options.trainLabels, testLabels: options.testLabels });
    ({ train, test } = loadBuiltinMnist());
  } else {
    train = await loadDataFile(options.train, options.labelColumn, options.trainLabels);
    if (options.test === undefined) refuseDataFlags({ testLabels: options.testLabels });
    test = options.test === undefined ? null : await loadDataFile(options.test, options.labelColumn, options.testLabels);
    if (test && sampleSize(test) !== sampleSize(train)) {
      throw new ScratchnetError(
        `${options.test}: ${sampleSize(test)} values per sample, but the training data ${options.train} has ${sampleSize(train)}`,
      );
    }
  }
  if (options.valSplit === 0) return { name: train.name, train, validation: null, test };
  const { train: trainPart, validation } = trainValidationSplit(train, { fraction: options.valSplit, seed: options.seed });
  if (trainPart.count === 0)
    throw new ScratchnetError(`--val-split ${options.valSplit} leaves no training rows of ${train.count}`);
  return { name: train.name, train: trainPart, validation: validation.count > 0 ? validation : null, test };
}

/** A labelled dataset for `evaluate`: a file, or the built-in test digits. */
export async function loadEvaluationData(path: string | undefined, labelColumn?: string, labelsPath?: string): Promise<Dataset> {
  if (path === undefined) {
    refuseDataFlags({ labelColumn, testLabels: labelsPath });
    return loadBuiltinMnist().test;
  }
  return loadDataFile(path, labelColumn, labelsPath);
}

/** A flag about a data file given without that file (the built-in digits are used): refused, not ignored. */
export function refuseDataFlags(given: { labelColumn?: string; trainLabels?: string; testLabels?: string }): void {
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const file = key === 'trainLabels' ? '--train' : '--test';
    throw new ScratchnetError(
      `${flag} was given without ${key === 'labelColumn' ? 'a data file (--train or --test)' : file}: it describes a data file, and the built-in digits need none`,
    );
  }
}

/** One labelled data file (CSV, CSV.gz, IDX with its labels file), by the library's loadDataset. */
export async function loadDataFile(path: string, labelColumn?: string, labelsPath?: string): Promise<Dataset> {
  const options: LoadOptions = {};
  if (labelColumn !== undefined) options.labelColumn = /^-?\d+$/.test(labelColumn) ? Number(labelColumn) : labelColumn;
  if (labelsPath !== undefined) options.labelsPath = labelsPath;
  return loadDataset(path, options);
}

/** Refuses data that does not fit the model: another number of inputs, or labels beyond its classes. */
export function checkDataFitsModel(network: Sequential, data: Dataset, model: string): void {
  const inputs = network.inputShape.reduce((a, b) => a * b, 1);
  if (sampleSize(data) !== inputs) {
    throw new ScratchnetError(
      `${model} expects ${inputs} inputs per sample [${network.inputShape.join(', ')}], but ${data.name} has ${sampleSize(data)} [${data.sampleShape.join(', ')}]`,
    );
  }
  const classes = network.outputShape()[0];
  if (data.classes > classes)
    throw new ScratchnetError(`${model} has ${classes} output classes, but ${data.name} has labels up to ${data.classes - 1}`);
}
