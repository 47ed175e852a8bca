import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { Dataset } from '../data/dataset.js';
import type { Evaluation } from '../network/evaluate.js';
import type { History } from '../training/callbacks.js';
import type { Sequential } from '../network/sequential.js';
import { Rng } from '../tensor/rng.js';
import { activationDerivativesChart, activationFunctionsChart } from './activation-charts.js';
import { confidentlyWrongChart, firstLayerWeightsChart, predictionsChart, sampleNoun, samplesChart } from './digit-charts.js';
import { imageSide } from './digits.js';
import { type PngOptions, writeChart } from './render.js';
import { confusionMatrixChart, trainingHistoryChart } from './training-charts.js';
import { convFiltersChart, featureMapsChart, firstConv } from './conv-charts.js';
import { Dense } from '../layers/dense.js';
import { sampleSize } from '../data/dataset.js';
import { ScratchnetError } from '../errors.js';

/**
 * Figures as files: each chart written as `<id>.svg` and `<id>.png` into a folder, described well enough
 * for a report to present it. `writeRunFigures` writes every figure a training run has data for.
 */

export interface FigureFile {
  /** File stem: `<id>.svg`, `<id>.png`. */
  id: string;
  /** Heading of the figure, as the report shows it. */
  title: string;
  /** One or two sentences saying what the figure shows and how to read it. */
  caption: string;
  /** File names relative to the folder they were written to. */
  svg: string;
  /** PNG file name, as `svg`. */
  png: string;
  /** Width in CSS pixels; the PNG has `scale` times as many. */
  width: number;
  /** Height in CSS pixels. */
  height: number;
}

async function write(
  dir: string,
  id: string,
  title: string,
  caption: string,
  spec: TopLevelSpec,
  options: PngOptions,
): Promise<FigureFile> {
  const written = await writeChart(spec, join(dir, id), options);
  return { id, title, caption, svg: `${id}.svg`, png: `${id}.png`, width: written.width, height: written.height };
}

/** The tutorial's two activation figures: `activation-functions` and `activation-derivatives`. */
export async function writeActivationFigures(dir: string, options: PngOptions = {}): Promise<FigureFile[]> {
  return [
    await write(
      dir,
      'activation-functions',
      'Activation functions',
      'Sigmoid, ReLU, tanh and leaky ReLU over x ∈ [−5, 5], computed by scratchnet’s own layers.',
      activationFunctionsChart(),
      options,
    ),
    await write(
      dir,
      'activation-derivatives',
      'Activation functions and their derivatives',
      'Each function (solid) with its derivative (dashed), from the layers’ backward pass: where the derivative is near 0, gradients vanish.',
      activationDerivativesChart(),
      options,
    ),
  ];
}

/** `count` distinct sample indices of a dataset, drawn with a seeded Rng (the tutorial's `np.random.choice`). */
export function pickSamples(dataset: Dataset, count: number, seed = 0): number[] {
  return Array.from(new Rng(seed).choice(dataset.count, Math.min(count, dataset.count)));
}

/** `samples`: `count` random digits of `dataset` with their labels. */
export async function writeSamplesFigure(
  dir: string,
  dataset: Dataset,
  count = 25,
  seed = 0,
  options: PngOptions = {},
): Promise<FigureFile> {
  return write(
    dir,
    'samples',
    `Sample ${sampleNoun(dataset)}`,
    `${Math.min(count, dataset.count)} random ${sampleNoun(dataset)} from ${dataset.name}, with their labels.`,
    samplesChart(dataset, pickSamples(dataset, count, seed)),
    options,
  );
}

/** `predictions`: `count` random test digits with the predicted label and the class probabilities. */
export async function writePredictionsFigure(
  dir: string,
  test: Dataset,
  evaluation: Evaluation,
  count = 10,
  seed = 0,
  options: PngOptions = {},
): Promise<FigureFile> {
  return write(
    dir,
    'predictions',
    'Predictions',
    'Random test samples: the predicted label above each (green when right, red when wrong, with the true label and its probability), and the probability the network gives each class below.',
    predictionsChart(test, evaluation, pickSamples(test, count, seed)),
    options,
  );
}

/** What {@link writeRunFigures} draws from; each figure is drawn only when its data is given. */
export interface RunFigureInput {
  /**
   * The trained network: its first Dense layer's weights are drawn when that layer reads a square image's
   * pixels; a convolutional network's filters and feature maps are drawn instead.
   */
  network: Sequential;
  /** The training history (from `fit`); without it, no history figure. */
  history?: History;
  /** Where the sample digits come from (default: the test set). */
  train?: Dataset;
  /** The test set and the network's evaluation on it (from `evaluate`); without them, no prediction figures. */
  test?: Dataset;
  /** The network's evaluation on `test`: give both or neither. */
  evaluation?: Evaluation;
  /** Seed of the random choice of samples and predictions; default 0. */
  seed?: number;
  /** Sample digits drawn; default 25. */
  samples?: number;
  /** Test predictions drawn; default 10. */
  predictions?: number;
  /** Most confidently wrong test samples drawn; default 10. */
  wrong?: number;
  /** Options of every PNG. */
  png?: PngOptions;
}

/**
 * Every figure the run has data for, written into `dir`: activations, sample digits, training history,
 * predictions, confusion matrix, most confidently wrong digits, first-layer weights (when the first Dense
 * layer reads the pixels); for a convolutional network, its filters and one test image's feature maps.
 * @throws {@link index.ScratchnetError} if only one of test and evaluation is given, or they disagree in count.
 */
export async function writeRunFigures(dir: string, input: RunFigureInput): Promise<FigureFile[]> {
  const { network, history, train, test, evaluation, seed = 0, samples = 25, predictions = 10, wrong = 10, png = {} } = input;
  if ((test === undefined) !== (evaluation === undefined))
    throw new ScratchnetError('writeRunFigures: give test and evaluation together');
  if (test && evaluation && evaluation.predictions.length !== test.count)
    throw new ScratchnetError(`writeRunFigures: ${evaluation.predictions.length} predictions for ${test.count} test samples`);
  const figures = await writeActivationFigures(dir, png);
  const sampleSource = train ?? test;
  if (sampleSource && isSquareImage(sampleSource)) figures.push(await writeSamplesFigure(dir, sampleSource, samples, seed, png));
  if (history && history.batchLoss.length > 0) {
    figures.push(
      await write(
        dir,
        'training-history',
        'Training history',
        'Loss of every training batch (pale) with its moving average; validation accuracy and loss after each epoch. Validation loss rising while training loss falls means overfitting.',
        trainingHistoryChart(history),
        png,
      ),
    );
  }
  if (test && evaluation) {
    const images = isSquareImage(test);
    if (images) figures.push(await writePredictionsFigure(dir, test, evaluation, predictions, seed, png));
    figures.push(
      await write(
        dir,
        'confusion-matrix',
        'Confusion matrix',
        'How often each true class (row) was predicted as each class (column). Off-diagonal cells are the mistakes: which classes the network confuses.',
        confusionMatrixChart(test, evaluation),
        png,
      ),
    );
    const wrongChart = images ? confidentlyWrongChart(test, evaluation, wrong) : null;
    if (wrongChart)
      figures.push(
        await write(
          dir,
          'confidently-wrong',
          'Most confidently wrong',
          'The test samples the network got wrong with the highest confidence: badly written or ambiguous ones, mislabelled ones, or shapes it has not learned.',
          wrongChart,
          png,
        ),
      );
  }
  const inputs = network.inputShape.reduce((a, b) => a * b, 1);
  const side = Math.round(Math.sqrt(inputs));
  // Only when the first Dense layer reads the pixels (in a convnet it reads feature maps).
  const firstDense = network.layers.find((layer): layer is Dense => layer instanceof Dense);
  if (side * side === inputs && firstDense?.inputs === inputs) {
    figures.push(
      await write(
        dir,
        'first-layer-weights',
        'First-layer weights',
        'The incoming weights of each unit of the first hidden layer, as an image: red pixels excite the unit, blue ones inhibit it. Structure (strokes, blobs) means the unit has learned a feature. Pixels near the border are blank in every digit, so their weights never change from their random start: the speckle around each image.',
        firstLayerWeightsChart(network, side),
        png,
      ),
    );
  }
  if (firstConv(network)) figures.push(...(await writeConvFigures(dir, network, test ?? train, seed, png)));
  return figures;
}

/**
 * A convolutional network's figures: `conv-filters` (the first convolution's filters) and, given data
 * the network takes, `feature-maps` (every convolution's maps of one of its samples, chosen with `seed`).
 * @throws {@link index.ScratchnetError} if the network has no Conv2d layer.
 */
export async function writeConvFigures(
  dir: string,
  network: Sequential,
  data?: Dataset,
  seed = 0,
  options: PngOptions = {},
): Promise<FigureFile[]> {
  const figures = [
    await write(
      dir,
      'conv-filters',
      'Convolution filters',
      'The weights of each filter of the first convolution, as a small image: red weights respond to ink under them, blue ones to its absence. Edges and strokes at some angle mean the filter has learned to find them.',
      convFiltersChart(network),
      options,
    ),
  ];
  if (data && data.count > 0 && sampleSize(data) === network.inputShape.reduce((a, b) => a * b, 1)) {
    figures.push(
      await write(
        dir,
        'feature-maps',
        'Feature maps',
        'One test image as each convolution (with its activation) passes it on: one small image per channel, bright where the filter found its pattern. Deeper layers have fewer, coarser pixels and respond to larger parts of the digit.',
        featureMapsChart(network, data, pickSamples(data, 1, seed)[0]),
        options,
      ),
    );
  }
  return figures;
}

function isSquareImage(dataset: Dataset): boolean {
  try {
    imageSide(dataset);
    return true;
  } catch {
    return false;
  }
}
