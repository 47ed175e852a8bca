import type { TopLevelSpec } from 'vega-lite';
import type { LayerSpec } from 'vega-lite/build/src/spec/index.js';
import type { Field } from 'vega-lite/build/src/channeldef.js';
import { type ActivationName, makeActivation } from '../network/mlp.js';
import { Tensor } from '../tensor/tensor.js';
import { CHART_CONFIG, PANEL_TITLE } from './chart-style.js';

/**
 * The tutorial's two activation figures as Vega-Lite specs: a 2×2 grid of sigmoid, ReLU, tanh and leaky
 * ReLU over x ∈ [−5, 5], and the same with each derivative dashed beside the function. The values come
 * from scratchnet's own layers (forward, and backward with dY = 1), so the figure shows what the code does.
 * Unlike the tutorial's figures, no curve is clipped by its y-range, and leaky ReLU's slope of 0.1 for
 * x < 0 is marked.
 */

/** One panel of the activation figures: which activation, and how it is titled and drawn. */
export interface ActivationPanel {
  /** The activation, as {@link index.makeActivation} builds it. */
  name: ActivationName;
  /** Its name in the legend: `Leaky ReLU`. */
  label: string;
  /** Panel title in the functions figure, with the formula. */
  title: string;
  /** Panel title in the derivatives figure. */
  derivativeTitle: string;
  /** Colour of the function's curve (CSS). */
  colour: string;
  /** y-range of the panel in both figures (covers the function and its derivative whole, with a margin). */
  yRange: [number, number];
}

/** The four panels, in grid order (row by row): sigmoid, ReLU, tanh, leaky ReLU. */
export const ACTIVATION_PANELS: readonly ActivationPanel[] = [
  {
    name: 'sigmoid',
    label: 'Sigmoid',
    title: 'Sigmoid: σ(x) = 1 / (1 + e⁻ˣ)',
    derivativeTitle: 'Sigmoid and Its Derivative',
    colour: '#1f5fbf',
    yRange: [-0.1, 1.1],
  },
  {
    name: 'relu',
    label: 'ReLU',
    title: 'ReLU: f(x) = max(0, x)',
    derivativeTitle: 'ReLU and Its Derivative',
    colour: '#d62728',
    yRange: [-0.5, 5.5],
  },
  {
    name: 'tanh',
    label: 'Tanh',
    title: 'Tanh: f(x) = tanh(x)',
    derivativeTitle: 'Tanh and Its Derivative',
    colour: '#1a8a34',
    yRange: [-1.1, 1.1],
  },
  {
    name: 'leaky-relu',
    label: 'Leaky ReLU',
    title: 'Leaky ReLU: f(x) = max(0.1x, x)',
    derivativeTitle: 'Leaky ReLU and Its Derivative',
    colour: '#b82db8',
    yRange: [-1, 5.5],
  },
];

/** Points per curve: x = −5, −4.95, …, 5 (includes 0, where ReLU bends). */
const POINTS = 201;

/** f(x) and f'(x) of one activation, computed by its scratchnet layer: forward(x), then backward(1). */
export function activationCurve(name: ActivationName, points = POINTS): { x: Float32Array; y: Float32Array; dydx: Float32Array } {
  const x = new Float32Array(points);
  for (let i = 0; i < points; i++) x[i] = -5 + (10 * i) / (points - 1);
  const layer = makeActivation(name);
  const y = Float32Array.from(layer.forward(new Tensor(x.slice(), [1, points]), 'eval').data);
  const dydx = Float32Array.from(layer.backward(new Tensor(new Float32Array(points).fill(1), [1, points]), true)!.data);
  return { x, y, dydx };
}

function panel(spec: ActivationPanel, withDerivative: boolean): LayerSpec<Field> {
  const curve = activationCurve(spec.name);
  const series = withDerivative ? [spec.label, 'Derivative'] : [spec.label];
  const values: { x: number; y: number; series: string }[] = [];
  for (let i = 0; i < curve.x.length; i++) {
    values.push({ x: round(curve.x[i]), y: round(curve.y[i]), series: spec.label });
    if (withDerivative) values.push({ x: round(curve.x[i]), y: round(curve.dydx[i]), series: 'Derivative' });
  }
  const yDomain = spec.yRange;
  const layers: LayerSpec<Field>['layer'] = [
    {
      data: { values: [{ y: 0 }] },
      mark: { type: 'rule', color: 'black', opacity: 0.35 },
      encoding: { y: { field: 'y', type: 'quantitative' } },
    },
    {
      data: { values: [{ x: 0 }] },
      mark: { type: 'rule', color: 'black', opacity: 0.35 },
      encoding: { x: { field: 'x', type: 'quantitative' } },
    },
    {
      data: { values },
      mark: { type: 'line', strokeWidth: 2.5, clip: true },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: 'x', scale: { domain: [-5, 5], nice: false } },
        y: {
          field: 'y',
          type: 'quantitative',
          title: withDerivative ? 'f(x), f′(x)' : 'f(x)',
          scale: { domain: yDomain, nice: false },
        },
        color: {
          field: 'series',
          type: 'nominal',
          scale: { domain: series, range: series.map(() => spec.colour) },
          legend: withDerivative
            ? { title: null, orient: 'top-left', fillColor: 'white', padding: 4, symbolStrokeWidth: 2.5, symbolSize: 300 }
            : null,
        },
        strokeDash: {
          field: 'series',
          type: 'nominal',
          scale: {
            domain: series,
            range: [
              [1, 0],
              [6, 4],
            ],
          },
          legend: withDerivative ? { title: null, orient: 'top-left' } : null,
        },
      },
    },
  ];
  if (spec.name === 'leaky-relu') layers.push(...leakySlopeMarks(withDerivative));
  return {
    title: { text: withDerivative ? spec.derivativeTitle : spec.title, ...PANEL_TITLE },
    width: 330,
    height: 210,
    layer: layers,
  };
}

/** Makes leaky ReLU's slope of 0.1 for x < 0 visible: a label just above that part of the curve. */
function leakySlopeMarks(withDerivative: boolean): LayerSpec<Field>['layer'] {
  const text = withDerivative ? 'x < 0:  f′(x) = 0.1' : 'x < 0:  slope 0.1, f(−5) = −0.5';
  return [
    {
      data: { values: [{ x: -4.8, y: 0.35, text }] },
      mark: { type: 'text', align: 'left', baseline: 'bottom', fontSize: 11, color: '#6d1b6d' },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, text: { field: 'text' } },
    },
  ];
}

function grid(title: string, withDerivative: boolean): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, fontSize: 19 },
    config: CHART_CONFIG,
    columns: 2,
    concat: ACTIVATION_PANELS.map((p) => panel(p, withDerivative)),
    resolve: {
      scale: { color: 'independent', strokeDash: 'independent', x: 'independent', y: 'independent' },
      legend: { color: 'independent', strokeDash: 'independent' },
    },
  };
}

/** The tutorial's `plot_activation_functions()`: a 2×2 grid over x ∈ [−5, 5]. */
export function activationFunctionsChart(): TopLevelSpec {
  return grid('Common Activation Functions in Neural Networks', false);
}

/** The tutorial's `plot_activation_derivatives()`: each function solid, its derivative dashed. */
export function activationDerivativesChart(): TopLevelSpec {
  return grid('Activation Functions and Their Derivatives', true);
}

/** Four decimals are plenty for a plot and keep the SVG and spec small. */
function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
