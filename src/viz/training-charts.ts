import type { TopLevelSpec } from 'vega-lite';
import type { LayerSpec } from 'vega-lite/build/src/spec/index.js';
import type { Field, PositionDef } from 'vega-lite/build/src/channeldef.js';
import type { Dataset } from '../data/dataset.js';
import type { Evaluation } from '../network/evaluate.js';
import type { History } from '../training/callbacks.js';
import { confusionMatrix } from '../network/metrics.js';
import { CHART_CONFIG, COLOURS, PANEL_TITLE, percent, percentAxis } from './chart-style.js';

/**
 * How training went, as Vega-Lite specs: the tutorial's history figure (loss per batch, validation
 * accuracy per epoch) plus loss per epoch for training and validation side by side, and the confusion
 * matrix of a test evaluation.
 */

const PANEL = { width: 300, height: 210 } as const;

/** Batches averaged by the smoothed loss curve: about 2% of the run, at least 1 and at most 50. */
function smoothingWindow(batches: number): number {
  return Math.max(1, Math.min(50, Math.round(batches / 50)));
}

function batchLossPanel(history: History): LayerSpec<Field> {
  const batchesPerEpoch = history.epochs.length > 0 ? history.batchLoss.length / history.epochs.length : history.batchLoss.length;
  const values = history.batchLoss.map((loss, i) => ({ batch: i + 1, loss, epoch: Math.floor(i / batchesPerEpoch) + 1 }));
  const window = smoothingWindow(values.length);
  const x: PositionDef<Field> = {
    field: 'batch',
    type: 'quantitative',
    title: 'Batch',
    scale: { domain: [0, Math.max(2, values.length)], nice: false },
  };
  return {
    title: { text: 'Training loss per batch', ...PANEL_TITLE },
    ...PANEL,
    data: { values },
    transform: [{ window: [{ op: 'mean', field: 'loss', as: 'smoothed' }], frame: [-window, window] }],
    layer: [
      {
        mark: { type: 'line', strokeWidth: 1, opacity: 0.9 },
        encoding: { x, y: { field: 'loss', type: 'quantitative', title: 'Loss (cross-entropy)' }, color: { datum: 'per batch' } },
      },
      {
        mark: { type: 'line', strokeWidth: 2.5 },
        encoding: { x, y: { field: 'smoothed', type: 'quantitative' }, color: { datum: `mean of ${2 * window + 1} batches` } },
      },
    ],
    encoding: {
      color: {
        type: 'nominal',
        scale: { domain: ['per batch', `mean of ${2 * window + 1} batches`], range: [COLOURS.faint, COLOURS.line] },
        legend: { title: null, orient: 'top-right', fillColor: 'white', padding: 4 },
      },
    },
  };
}

function epochValues(history: History): { epoch: number; series: string; value: number }[] {
  const rows: { epoch: number; series: string; value: number }[] = [];
  for (const e of history.epochs) {
    rows.push({ epoch: e.epoch, series: 'training', value: e.trainLoss });
    if (e.valLoss !== null) rows.push({ epoch: e.epoch, series: 'validation', value: e.valLoss });
  }
  return rows;
}

function epochAxis(epochs: number): PositionDef<Field> {
  return {
    field: 'epoch',
    type: 'quantitative',
    title: 'Epoch',
    scale: { domain: [1, Math.max(2, epochs)], nice: false },
    axis: { tickMinStep: 1, format: 'd' },
  };
}

function validationAccuracyPanel(history: History): LayerSpec<Field> {
  const values = history.epochs
    .filter((e) => e.valAccuracy !== null)
    .map((e) => ({ epoch: e.epoch, accuracy: e.valAccuracy!, label: percent(e.valAccuracy!) }));
  const encoding: LayerSpec<Field>['encoding'] = {
    x: epochAxis(history.epochs.length),
    y: {
      field: 'accuracy',
      type: 'quantitative',
      title: 'Accuracy',
      scale: { zero: false, padding: 12 },
      axis: percentAxis(values.map((v) => v.accuracy)),
    },
  };
  return {
    title: { text: 'Validation accuracy per epoch', ...PANEL_TITLE },
    ...PANEL,
    data: { values },
    encoding,
    layer: [
      {
        mark: {
          type: 'line',
          color: COLOURS.secondLine,
          strokeWidth: 2.5,
          point: { filled: true, size: 50, color: COLOURS.secondLine },
        },
      },
      // The last epoch's accuracy, written beside its point.
      {
        transform: [{ filter: `datum.epoch === ${values.length > 0 ? values[values.length - 1].epoch : 0}` }],
        mark: { type: 'text', align: 'right', dx: -6, dy: -10, fontSize: 12 },
        encoding: { text: { field: 'label' } },
      },
    ],
  };
}

function epochLossPanel(history: History): LayerSpec<Field> {
  return {
    title: { text: 'Loss per epoch', subtitle: 'training: mean of the epoch’s batches', ...PANEL_TITLE },
    ...PANEL,
    data: { values: epochValues(history) },
    layer: [
      {
        mark: { type: 'line', strokeWidth: 2.5, point: { filled: true, size: 50 } },
        encoding: {
          x: epochAxis(history.epochs.length),
          y: { field: 'value', type: 'quantitative', title: 'Loss (cross-entropy)', scale: { zero: false, padding: 12 } },
          color: {
            field: 'series',
            type: 'nominal',
            scale: { domain: ['training', 'validation'], range: [COLOURS.line, COLOURS.secondLine] },
            legend: { title: null, orient: 'top-right', fillColor: 'white', padding: 4 },
          },
        },
      },
    ],
  };
}

/**
 * The tutorial's `plot_training_history`: loss per batch (with a moving average) and validation accuracy
 * per epoch, plus training and validation loss per epoch. Panels without data (no validation set, no
 * finished epoch) are left out.
 */
export function trainingHistoryChart(history: History, title = 'Training history'): TopLevelSpec {
  const panels: LayerSpec<Field>[] = [batchLossPanel(history)];
  if (history.epochs.some((e) => e.valAccuracy !== null)) panels.push(validationAccuracyPanel(history));
  if (history.epochs.length > 0) panels.push(epochLossPanel(history));
  const last = history.epochs[history.epochs.length - 1];
  const subtitle = last
    ? `${history.epochs.length} epoch${history.epochs.length === 1 ? '' : 's'}, ${history.batchLoss.length} batches` +
      (last.valAccuracy !== null
        ? `; final validation accuracy ${percent(last.valAccuracy)}, loss ${last.valLoss!.toFixed(3)}`
        : '')
    : `${history.batchLoss.length} batches`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, subtitle },
    config: CHART_CONFIG,
    hconcat: panels,
    resolve: { scale: { color: 'independent', x: 'independent', y: 'independent' }, legend: { color: 'independent' } },
  };
}

/**
 * Confusion-matrix heat map: rows are the true classes, columns the predicted ones, each cell coloured
 * by the share of its row (so rare classes read as clearly as common ones) and labelled with its count.
 */
export function confusionMatrixChart(test: Dataset, evaluation: Evaluation, title = 'Confusion matrix'): TopLevelSpec {
  const counts = confusionMatrix(test.labels, evaluation.predictions, test.classes);
  const name = (c: number): string => test.classNames?.[c] ?? String(c);
  const order = Array.from({ length: test.classes }, (_, c) => name(c));
  const values = counts.flatMap((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, p) => ({ actual: name(t), predicted: name(p), count, share: total > 0 ? count / total : 0 }));
  });
  const cell = test.classes <= 10 ? 42 : Math.max(14, Math.floor(420 / test.classes));
  const longNames = order.some((n) => n.length > 2);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: title,
      subtitle: `${test.name}: ${test.count} samples, accuracy ${percent(evaluation.accuracy)}; colour = share of the true class`,
    },
    config: CHART_CONFIG,
    width: cell * test.classes,
    height: cell * test.classes,
    data: { values },
    encoding: {
      x: {
        field: 'predicted',
        type: 'ordinal',
        sort: order,
        title: 'Predicted label',
        axis: { labelAngle: longNames ? -40 : 0, orient: 'top', labelFontSize: 12, labelAlign: longNames ? 'left' : 'center' },
      },
      y: { field: 'actual', type: 'ordinal', sort: order, title: 'True label', axis: { labelFontSize: 12 } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'share',
            type: 'quantitative',
            title: 'share of row',
            scale: { type: 'sqrt', domain: [0, 1], range: ['#ffffff', '#08306b'], interpolate: 'lab' },
            legend: { format: '.0%', values: [0, 0.02, 0.1, 0.25, 0.5, 1], gradientLength: cell * test.classes - 20 },
          },
        },
      },
      {
        transform: [{ filter: 'datum.count > 0' }],
        mark: { type: 'text', fontSize: cell >= 30 ? 12 : 9 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.share > 0.3', value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}
