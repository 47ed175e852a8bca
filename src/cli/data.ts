import { ScratchnetError } from '../errors.js';
import { loadBuiltinMnist } from '../data/builtin.js';
import { type Dataset, sampleSize } from '../data/dataset.js';
import { type LoadOptions, loadDataset } from '../data/load.js';
import { type DataProvenance, classNamesOf, provenanceOf } from '../data/provenance.js';
import type { ModelInfo } from '../io/model-file.js';
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
  /** The training data as loaded, before the split: name, rows, fingerprint, class names (kept in the model file). */
  provenance: DataProvenance;
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
  const provenance = provenanceOf(train);
  if (options.valSplit === 0) return { name: train.name, provenance, train, validation: null, test };
  const { train: trainPart, validation } = trainValidationSplit(train, { fraction: options.valSplit, seed: options.seed });
  if (trainPart.count === 0)
    throw new ScratchnetError(`--val-split ${options.valSplit} leaves no training rows of ${train.count}`);
  return { name: train.name, provenance, train: trainPart, validation: validation.count > 0 ? validation : null, test };
}

/**
 * A labelled dataset for `evaluate` and `plot`: a file, or the built-in test digits. The built-in digits
 * test only a model trained on the built-in training digits (the two are disjoint splits of one set):
 * all 10,000 come from MNIST's training set, so a model trained on real MNIST has seen them and scores
 * too high there, and a model of other classes scores nonsense. Such a model gets a warning on stderr
 * (`info` is the model file's record of its training data), or is refused when its classes differ.
 */
export async function loadEvaluationData(
  path: string | undefined,
  labelColumn: string | undefined,
  labelsPath: string | undefined,
  model: { path: string; info: ModelInfo; network: Sequential },
): Promise<Dataset> {
  if (path !== undefined) return loadDataFile(path, labelColumn, labelsPath);
  refuseDataFlags({ labelColumn, testLabels: labelsPath });
  const warning = builtinTestWarning(model.info, model.path);
  const { test } = loadBuiltinMnist();
  checkDataFitsModel(model.network, test, model.path); // a model that cannot take the digits at all needs no warning
  if (warning) process.stderr.write(`scratchnet: warning: ${warning}\n`);
  return test;
}

/** Why the built-in test digits do not test this model (null: they do); throws when its classes are not the digits'. */
export function builtinTestWarning(info: ModelInfo, model: string): string | null {
  const { train } = loadBuiltinMnist();
  const digits = classNamesOf(train);
  const names = info.trainedOn?.classNames ?? info.classNames;
  if (names && JSON.stringify(names) !== JSON.stringify(digits))
    throw new ScratchnetError(
      `${model} was trained on ${info.trainedOn?.name ?? 'data'} with classes ${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''}; the built-in digits have classes 0–9: give --test with data of its classes`,
    );
  const why = `the built-in digits are 10,000 digits from MNIST's training set, so a model trained on MNIST has seen them and scores too high: give --test for a real test set`;
  if (!info.trainedOn) return `${model} does not record what it was trained on; ${why}`;
  if (info.trainedOn.fingerprint === provenanceOf(train).fingerprint) return null;
  return `${model} was trained on ${info.trainedOn.name} (${info.trainedOn.rows} rows), not the built-in training digits; ${why}`;
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
