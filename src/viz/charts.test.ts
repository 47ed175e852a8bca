import { describe, expect, it } from 'vitest';
import { countImages, countMarks, svgDocumentSize, tinyRun } from '../../test/viz-run.js';
import { activationCurve, activationDerivativesChart, activationFunctionsChart } from './activation-charts.js';
import {
  confidentlyWrongChart,
  firstLayerWeightsChart,
  mostConfidentlyWrong,
  predictionsChart,
  samplesChart,
  weightLimit,
} from './digit-charts.js';
import { Sequential } from '../network/sequential.js';
import { Rng } from '../tensor/rng.js';
import { renderSvg } from './render.js';
import { confusionMatrixChart, trainingHistoryChart } from './training-charts.js';

describe('activation figures', () => {
  it("the curves come from scratchnet's layers: values and derivatives at hand-checked points", () => {
    const at = (name: Parameters<typeof activationCurve>[0], x: number): [number, number] => {
      const c = activationCurve(name);
      const i = c.x.findIndex((v) => Math.abs(v - x) < 1e-6);
      return [c.y[i], c.dydx[i]];
    };
    expect(at('sigmoid', 0)).toEqual([0.5, 0.25]);
    expect(at('tanh', 0)).toEqual([0, 1]);
    expect(at('relu', -1)).toEqual([0, 0]);
    expect(at('relu', 2)).toEqual([2, 1]);
    const [leaky, slope] = at('leaky-relu', -5);
    expect(leaky).toBeCloseTo(-0.5, 6);
    expect(slope).toBeCloseTo(0.1, 6);
  });

  it('the 2×2 grid holds four curves with the tutorial titles, and nothing is clipped by the y-range', async () => {
    const spec = activationFunctionsChart();
    const svg = await renderSvg(spec);
    expect(countMarks(svg, 'line mark')).toBe(4);
    for (const title of [
      'Common Activation Functions in Neural Networks',
      'Sigmoid: σ(x) = 1 / (1 + e⁻ˣ)',
      'ReLU: f(x) = max(0, x)',
      'Tanh: f(x) = tanh(x)',
      'Leaky ReLU: f(x) = max(0.1x, x)',
    ]) {
      expect(svg).toContain(`>${title}<`);
    }
    // Every panel's y-domain holds its whole curve over [−5, 5] (the tutorial clipped ReLU).
    const panels = (
      spec as {
        concat: {
          title: { text: string };
          layer: { data?: { values: { y?: number }[] }; encoding?: { y?: { scale?: { domain?: number[] } } } }[];
        }[];
      }
    ).concat;
    for (const panel of panels) {
      const line = panel.layer.find((l) => l.encoding?.y?.scale?.domain)!;
      const [low, high] = line.encoding!.y!.scale!.domain!;
      const ys = line.data!.values.map((v) => v.y!);
      expect(Math.min(...ys), panel.title.text).toBeGreaterThan(low);
      expect(Math.max(...ys), panel.title.text).toBeLessThan(high);
    }
  });

  it('the derivative grid draws each function and its derivative (eight curves, four legends)', async () => {
    const svg = await renderSvg(activationDerivativesChart());
    expect(countMarks(svg, 'line mark')).toBe(8);
    expect(countMarks(svg, 'legend')).toBe(4);
    expect(svg).toContain('stroke-dasharray="6,4"');
    expect(svg).toContain('>Leaky ReLU and Its Derivative<');
  });
});

describe('training figures', () => {
  it('history: batch loss, its moving average, validation accuracy and both epoch losses', async () => {
    const { history } = tinyRun();
    const svg = await renderSvg(trainingHistoryChart(history));
    expect(countMarks(svg, 'line mark')).toBe(5);
    expect(countMarks(svg, 'point')).toBe(3 * history.epochs.length); // accuracy + training loss + validation loss per epoch
    for (const text of [
      'Training loss per batch',
      'Validation accuracy per epoch',
      'Loss per epoch',
      '>Batch<',
      '>Epoch<',
      '>Accuracy<',
    ])
      expect(svg).toContain(text);
  });

  it('the validation-accuracy axis labels follow the range: 77.0% to 77.5% reads 77.0%, 77.1%, …, 77.5%, none repeated', async () => {
    const accuracyLabels = async (accuracies: number[]): Promise<string[]> => {
      const epochs = accuracies.map((valAccuracy, i) => ({
        epoch: i + 1,
        trainLoss: 1,
        valLoss: 1,
        valAccuracy,
        learningRate: 0.1,
        seconds: 1,
      }));
      const svg = await renderSvg(trainingHistoryChart({ batchLoss: [1, 2, 3, 4, 5, 6], epochs }));
      const axis = svg.slice(svg.indexOf("Y-axis titled 'Accuracy'"));
      const labels = axis.slice(axis.indexOf('role-axis-label'), axis.indexOf('role-axis-domain'));
      return [...labels.matchAll(/>([^<]+)<\/text>/g)].map((m) => m[1]);
    };
    expect(await accuracyLabels([0.77, 0.7725, 0.775])).toEqual(['77.0%', '77.1%', '77.2%', '77.3%', '77.4%', '77.5%']);
    for (const run of [
      [0.5, 0.9, 0.97],
      [0.981, 0.983, 0.982],
    ]) {
      const labels = await accuracyLabels(run);
      expect(labels.length, run.join()).toBeGreaterThan(0);
      expect(new Set(labels).size, labels.join()).toBe(labels.length);
    }
  });

  it('history without validation leaves the accuracy panel out', async () => {
    const { history } = tinyRun();
    const noValidation = { ...history, epochs: history.epochs.map((e) => ({ ...e, valLoss: null, valAccuracy: null })) };
    const svg = await renderSvg(trainingHistoryChart(noValidation));
    expect(svg).not.toContain('Validation accuracy per epoch');
    expect(countMarks(svg, 'line mark')).toBe(3);
  });

  it('confusion matrix: one cell per (true, predicted) pair, a count on every non-empty cell', async () => {
    const { test, evaluation } = tinyRun();
    const svg = await renderSvg(confusionMatrixChart(test, evaluation));
    expect(countMarks(svg, 'rect mark')).toBe(100);
    const nonEmpty = new Set(Array.from(test.labels, (t, i) => `${t},${evaluation.predictions[i]}`)).size;
    expect(countMarks(svg, 'text mark')).toBe(nonEmpty);
    expect(svg).toContain('>Predicted label<');
    expect(svg).toContain('>True label<');
  });
});

describe('digit figures', () => {
  it('samples: one image and one "Label: d" title per digit', async () => {
    const { train } = tinyRun();
    const svg = await renderSvg(samplesChart(train, [0, 1, 2, 3, 4, 5, 6]));
    expect(countImages(svg)).toBe(7);
    expect(svg).toContain(`>Label: ${train.labels[6]}<`);
  });

  it('predictions: an image and ten probability bars per digit, the label green when right and red when wrong', async () => {
    const { test, evaluation } = tinyRun();
    const right = Array.from({ length: test.count }, (_, i) => i).find((i) => evaluation.predictions[i] === test.labels[i])!;
    const wrong = mostConfidentlyWrong(test, evaluation, 1)[0];
    const svg = await renderSvg(predictionsChart(test, evaluation, [right, wrong]));
    expect(countImages(svg)).toBe(2);
    expect(countMarks(svg, 'bar')).toBe(20);
    expect(svg).toMatch(new RegExp(`fill="#1a8a34"[^>]*>Pred: ${evaluation.predictions[right]}<`));
    expect(svg).toMatch(new RegExp(`fill="#d62728"[^>]*>Pred: ${evaluation.predictions[wrong]}<`));
    expect(svg).toContain(`>Confidence ${evaluation.probabilities[right * 10 + evaluation.predictions[right]].toFixed(2)}<`);
  });

  it('most confidently wrong: only wrong predictions, in falling confidence', () => {
    const { test, evaluation } = tinyRun();
    const picked = mostConfidentlyWrong(test, evaluation, 5);
    expect(picked.length).toBe(5);
    const confidence = picked.map((i) => evaluation.probabilities[i * 10 + evaluation.predictions[i]]);
    for (const i of picked) expect(evaluation.predictions[i]).not.toBe(test.labels[i]);
    expect([...confidence].sort((a, b) => b - a)).toEqual(confidence);
    expect(confidentlyWrongChart(test, { ...evaluation, predictions: test.labels, accuracy: 1 })).toBeNull();
  });

  it('first-layer weights: one 28×28 image per hidden unit and a weight legend', async () => {
    const { network } = tinyRun();
    const svg = await renderSvg(firstLayerWeightsChart(network));
    expect(countImages(svg)).toBe(16);
    expect(countMarks(svg, 'legend')).toBe(1);
    expect(svg).toContain('>unit 15<');
    expect(svgDocumentSize(svg).width).toBeGreaterThan(8 * 56);
  });

  it('without a hidden layer the first Dense layer is the output layer: one image per class', async () => {
    const linear = Sequential.mlp({ hidden: [], rng: new Rng(3) });
    const svg = await renderSvg(firstLayerWeightsChart(linear));
    expect(countImages(svg)).toBe(10);
    expect(svg).toContain('>class 9<');
    expect(svg).not.toContain('>unit 0<');
  });

  it('the weight colour limit is the 99.5th percentile of |w|', () => {
    const weights = Float32Array.from({ length: 1000 }, (_, i) => (i % 2 ? -1 : 1) * (i + 1));
    expect(weightLimit([weights])).toBe(996); // sorted |w| = 1..1000; index floor(1000 × 0.995) = 995
  });
});
