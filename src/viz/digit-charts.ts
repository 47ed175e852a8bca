import type { TopLevelSpec } from 'vega-lite';
import type { NonNormalizedSpec } from 'vega-lite/build/src/spec/index.js';
import type { Dataset } from '../data/dataset.js';
import type { Evaluation } from '../network/evaluate.js';
import type { Sequential } from '../network/sequential.js';
import { Dense } from '../layers/dense.js';
import { CHART_CONFIG, COLOURS, percent } from './chart-style.js';
import { digitPng, imageSide, pngDataUrl, weightPng } from './digits.js';
import { WEIGHT_SCHEME, firstLayerWeights, weightLimit } from './inside.js';

export { weightLimit } from './inside.js';
import { ScratchnetError } from '../errors.js';

/**
 * Figures made of digit images (embedded in the Vega-Lite spec as PNG data URLs from digits.ts): sample
 * digits with labels, predictions with their class probabilities, the most confidently wrong test digits,
 * and the first layer's weights as one image per hidden unit.
 */

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

function className(dataset: Dataset, c: number): string {
  return dataset.classNames?.[c] ?? String(c);
}

/** What the samples are called in titles: digits, unless the classes have names (Fashion-MNIST's clothes). */
export function sampleNoun(dataset: Dataset): string {
  return dataset.classNames ? 'images' : 'digits';
}

/** Columns of a grid of n small pictures: 5 for up to 25, growing to 10 for 100 and more. */
function gridColumns(n: number): number {
  return Math.min(n, Math.max(5, Math.min(10, Math.ceil(Math.sqrt(n)))));
}

/** One digit as an image mark of side `size` px, with a title above it. */
function digitView(
  dataset: Dataset,
  index: number,
  size: number,
  title: NonNormalizedSpec['title'],
  width = size,
): NonNormalizedSpec {
  return {
    title,
    width,
    height: size,
    data: {
      values: [{ url: pngDataUrl(digitPng(dataset, index, { zoom: Math.max(1, Math.round(size / imageSide(dataset))) })) }],
    },
    mark: { type: 'image', width: size, height: size, align: 'left', baseline: 'top', smooth: false, aria: false },
    encoding: { url: { field: 'url', type: 'nominal' }, x: { value: (width - size) / 2 }, y: { value: 0 } },
    view: { stroke: null },
  };
}

/** The tutorial's `visualize_samples`: digits with their labels ("Label: 7"), in rows. */
export function samplesChart(
  dataset: Dataset,
  indices: readonly number[],
  title = `Sample ${sampleNoun(dataset)}`,
): TopLevelSpec {
  if (indices.length === 0) throw new ScratchnetError('samplesChart: no samples to show');
  return {
    $schema: SCHEMA,
    title: { text: title, subtitle: `${indices.length} of ${dataset.count} from ${dataset.name}` },
    config: { ...CHART_CONFIG, concat: { spacing: 14 } },
    columns: gridColumns(indices.length),
    concat: indices.map((i) =>
      digitView(dataset, i, 56, {
        text: `Label: ${className(dataset, dataset.labels[i])}`,
        fontSize: 12,
        fontWeight: 'normal',
        offset: 4,
      }),
    ),
  };
}

const ROLES = ['predicted, right', 'predicted, wrong', 'true label', 'other classes'] as const;

/** One prediction: the digit titled with the predicted class (green right, red wrong) above its probability bars. */
function predictionView(dataset: Dataset, evaluation: Evaluation, index: number, first: boolean): NonNormalizedSpec {
  const classes = dataset.classes;
  const label = dataset.labels[index];
  const predicted = evaluation.predictions[index];
  const right = predicted === label;
  const probabilities = evaluation.probabilities.subarray(index * classes, (index + 1) * classes);
  // Bars are labelled by class number (names such as "T-shirt/top" would not fit under a bar).
  const bars = Array.from(probabilities, (p, c) => ({
    class: String(c),
    probability: p,
    role: c === predicted ? ROLES[right ? 0 : 1] : c === label ? ROLES[2] : ROLES[3],
  }));
  const width = Math.max(130, classes * 13);
  const imageTitle = {
    text: `Pred: ${className(dataset, predicted)}`,
    subtitle: right ? 'right' : `true: ${className(dataset, label)} (p = ${probabilities[label].toFixed(2)})`,
    color: right ? COLOURS.correct : COLOURS.wrong,
    subtitleColor: right ? COLOURS.correct : COLOURS.wrong,
    fontSize: 14,
    subtitleFontSize: 11,
    offset: 4,
  };
  return {
    spacing: 8,
    vconcat: [
      digitView(dataset, index, 84, imageTitle, width),
      {
        title: { text: `Confidence ${probabilities[predicted].toFixed(2)}`, fontSize: 12, fontWeight: 'normal', offset: 6 },
        width,
        height: 90,
        data: { values: bars },
        mark: { type: 'bar' },
        encoding: {
          x: {
            field: 'class',
            type: 'nominal',
            sort: null,
            title: null,
            axis: { labelAngle: 0, labelFontSize: classes <= 10 ? 11 : 9, labelPadding: 3 },
          },
          y: {
            field: 'probability',
            type: 'quantitative',
            scale: { domain: [0, 1] },
            title: first ? 'Probability' : null,
            axis: { tickCount: 3, format: '.1f', labels: first },
          },
          color: {
            field: 'role',
            type: 'nominal',
            scale: { domain: [...ROLES], range: [COLOURS.correct, COLOURS.wrong, COLOURS.trueLabel, COLOURS.otherClass] },
            legend: { title: null, orient: 'bottom', direction: 'horizontal', symbolType: 'square' },
          },
        },
      },
    ],
  };
}

/**
 * The tutorial's `visualize_predictions`: each digit with its predicted label (green when right, red when
 * wrong, with the true label), above a bar chart of the class probabilities titled with the confidence.
 */
export function predictionsChart(
  dataset: Dataset,
  evaluation: Evaluation,
  indices: readonly number[],
  title = 'Predictions on the test set',
  subtitle?: string,
): TopLevelSpec {
  if (indices.length === 0) throw new ScratchnetError('predictionsChart: no samples to show');
  if (evaluation.predictions.length !== dataset.count)
    throw new ScratchnetError(`predictionsChart: ${evaluation.predictions.length} predictions for ${dataset.count} samples`);
  const right = indices.filter((i) => evaluation.predictions[i] === dataset.labels[i]).length;
  return {
    $schema: SCHEMA,
    title: {
      text: title,
      subtitle:
        subtitle ??
        `${right} of ${indices.length} right; ${dataset.name}, accuracy on all ${dataset.count}: ${percent(evaluation.accuracy)}`,
    },
    config: { ...CHART_CONFIG, concat: { spacing: 18 } },
    columns: Math.min(indices.length, 5),
    concat: indices.map((i, k) => predictionView(dataset, evaluation, i, k % 5 === 0)),
    resolve: { scale: { color: 'shared' }, legend: { color: 'shared' } },
  };
}

/** Indices of the wrongly predicted samples, most confident first (confidence = probability of the predicted class). */
export function mostConfidentlyWrong(dataset: Dataset, evaluation: Evaluation, count: number): number[] {
  const wrong: number[] = [];
  for (let i = 0; i < dataset.count; i++) if (evaluation.predictions[i] !== dataset.labels[i]) wrong.push(i);
  const confidence = (i: number): number => evaluation.probabilities[i * dataset.classes + evaluation.predictions[i]];
  return wrong.sort((a, b) => confidence(b) - confidence(a) || a - b).slice(0, count);
}

/** The test digits the model got wrong with the most confidence: what it has not learned, or label noise. */
export function confidentlyWrongChart(dataset: Dataset, evaluation: Evaluation, count = 10): TopLevelSpec | null {
  const indices = mostConfidentlyWrong(dataset, evaluation, count);
  if (indices.length === 0) return null;
  const wrongTotal = Math.round((1 - evaluation.accuracy) * dataset.count);
  return predictionsChart(
    dataset,
    evaluation,
    indices,
    `Most confidently wrong test ${sampleNoun(dataset)}`,
    `the ${indices.length} wrong predictions with the highest confidence, of ${wrongTotal} wrong in ${dataset.count}`,
  );
}

/**
 * The first Dense layer's weights, one 28×28 image per hidden unit: what each unit looks for in the input
 * (red: ink there raises its activation, blue: lowers it), on one colour scale for all units.
 */
export function firstLayerWeightsChart(network: Sequential, side = 28, title = 'First-layer weights'): TopLevelSpec {
  const units = firstLayerWeights(network);
  // Without a hidden layer the first Dense layer is the output layer: one weight template per class.
  const perClass = network.layers.filter((layer) => layer instanceof Dense).length === 1;
  const what = perClass ? 'class' : 'unit';
  if (units[0].weights.length !== side * side)
    throw new ScratchnetError(
      `firstLayerWeightsChart: ${units[0].weights.length} inputs per unit are not a ${side}×${side} image`,
    );
  const limit = weightLimit(units.map((u) => u.weights));
  const size = 56;
  const columns = units.length <= 10 ? units.length : units.length > 64 ? 16 : 8;
  const rows = Math.ceil(units.length / columns);
  const values = units.map((u) => ({
    unit: u.unit,
    url: pngDataUrl(weightPng(u.weights, side, side, limit, { zoom: 2 })),
    low: -limit,
  }));
  return {
    $schema: SCHEMA,
    title: {
      text: title,
      subtitle: `${units.length} ${perClass ? 'classes (no hidden layer: the output layer)' : 'hidden units'} × ${side}×${side} input weights; one colour scale, clipped at ±${limit.toPrecision(2)} (99.5th percentile of |w|)`,
    },
    config: { ...CHART_CONFIG, header: { labelFontSize: 10, labelPadding: 2 }, facet: { spacing: 6 } },
    data: { values },
    columns,
    facet: { field: 'unit', type: 'ordinal', header: { title: null, labelExpr: `'${what} ' + datum.value` } },
    spec: {
      width: size,
      height: size,
      view: { stroke: null },
      layer: [
        {
          mark: { type: 'image', width: size, height: size, align: 'left', baseline: 'top', smooth: false, aria: false },
          encoding: { url: { field: 'url', type: 'nominal' }, x: { value: 0 }, y: { value: 0 } },
        },
        // Invisible marks that only carry the colour scale, so the figure gets its weight legend.
        {
          mark: { type: 'point', opacity: 0 },
          encoding: {
            x: { value: 0 },
            y: { value: 0 },
            color: {
              field: 'low',
              type: 'quantitative',
              title: 'weight',
              scale: { scheme: WEIGHT_SCHEME, reverse: true, domain: [-limit, limit] },
              legend: { gradientLength: Math.max(60, Math.min(200, rows * 80 - 20)), format: '.2f' },
            },
          },
        },
      ],
    },
  };
}
