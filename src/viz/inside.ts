import { scheme } from 'vega';
import { ScratchnetError } from '../errors.js';
import { Conv2d } from '../layers/conv2d.js';
import { Dense } from '../layers/dense.js';
import type { Sequential } from '../network/sequential.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * What a network holds and sees, as numbers and colours, for any picture of it: the first Dense layer's
 * weights per unit, a convolution's filters, the feature maps of one input, and the weight colour scale.
 * The report's figures (digits.ts, digit-charts.ts, conv-charts.ts) turn these into PNGs; the browser page
 * paints them on canvases. Nothing here reads or writes a file.
 */

/** An RGB colour, each channel 0–255. */
export type Rgb = readonly [number, number, number];

/** The diverging colour scheme of the weight figures: Vega's "redblue", reversed (negative blue, positive red). */
export const WEIGHT_SCHEME = 'redblue';

let weightColours: Rgb[] | null = null;

/** 256 colours from Vega's own interpolator, so the PNGs match the chart's colour legend exactly. */
export function weightColourTable(): Rgb[] {
  if (weightColours) return weightColours;
  const interpolate = scheme(WEIGHT_SCHEME) as (t: number) => string;
  weightColours = Array.from({ length: 256 }, (_, i) => {
    const match = /rgb\((\d+), ?(\d+), ?(\d+)\)/.exec(interpolate(1 - i / 255));
    if (!match) throw new Error(`internal: unexpected colour from scheme ${WEIGHT_SCHEME}: ${interpolate(1 - i / 255)}`);
    return [Number(match[1]), Number(match[2]), Number(match[3])] as const;
  });
  return weightColours;
}

/** The clip limit of the weight images: the 99.5th percentile of |w| (a few extreme weights would wash out the rest). */
export function weightLimit(weights: readonly Float32Array[]): number {
  const all = new Float32Array(weights.reduce((n, w) => n + w.length, 0));
  let offset = 0;
  for (const w of weights) {
    for (let i = 0; i < w.length; i++) all[offset + i] = Math.abs(w[i]);
    offset += w.length;
  }
  all.sort();
  return Math.max(all[Math.min(all.length - 1, Math.floor(all.length * 0.995))], 1e-6);
}

/** What one hidden unit of the first Dense layer looks for: its 784 incoming weights. */
export interface UnitWeights {
  /** Index of the hidden unit (column of W). */
  unit: number;
  /** Shape [inputs]: the weight from each input pixel to this unit (column `unit` of W). */
  weights: Float32Array;
}

/** The incoming weights of every unit of the network's first Dense layer (weight is [inputs, units], row-major). */
export function firstLayerWeights(network: Sequential): UnitWeights[] {
  const dense = network.layers.find((layer): layer is Dense => layer instanceof Dense);
  if (!dense) throw new ScratchnetError('firstLayerWeights: the network has no Dense layer');
  const { inputs, units } = dense;
  const w = dense.weight.value.data;
  return Array.from({ length: units }, (_, unit) => {
    const weights = new Float32Array(inputs);
    for (let i = 0; i < inputs; i++) weights[i] = w[i * units + unit];
    return { unit, weights };
  });
}

/** One filter of a convolution: the weights W[o, c, ·, ·] it slides over input channel c. */
export interface ConvFilter {
  /** Output channel o (the feature map it makes). */
  channel: number;
  /** Input channel c. */
  input: number;
  /** [kernel, kernel], row-major. */
  weights: Float32Array;
}

/** The network's first Conv2d layer, or null when it has none. */
export function firstConv(network: Sequential): Conv2d | null {
  return network.layers.find((layer): layer is Conv2d => layer instanceof Conv2d) ?? null;
}

/** Every filter of a convolution (W: [out, in, k, k]), output channel by output channel. */
export function convFilters(conv: Conv2d): ConvFilter[] {
  const k = conv.kernel;
  const w = conv.weight.value.data;
  const filters: ConvFilter[] = [];
  for (let o = 0; o < conv.outChannels; o++)
    for (let c = 0; c < conv.inChannels; c++) {
      const at = (o * conv.inChannels + c) * k * k;
      filters.push({ channel: o, input: c, weights: w.slice(at, at + k * k) });
    }
  return filters;
}

/** The feature maps of one convolution for one input: what the convolution (and the layers after it that keep its shape) passed on. */
export interface FeatureMaps {
  /** Index of the Conv2d layer in the network. */
  layer: number;
  /** The layers whose output this is: `Conv2d(1 → 8, 3×3) → ReLU`. */
  name: string;
  /** [channels, height, width]. */
  shape: [number, number, number];
  /** [channels, height, width], row-major (a copy). */
  values: Float32Array;
}

/**
 * Runs one sample through the network (evaluation mode) and returns, for every Conv2d layer, its output
 * after the layers that directly follow it without changing the shape (activation, batch norm, dropout):
 * the maps the next pooling or convolution sees.
 * @param sample - one input, [...inputShape] values (784 for a [1, 28, 28] network).
 */
export function featureMaps(network: Sequential, sample: Float32Array): FeatureMaps[] {
  const size = network.inputShape.reduce((a, b) => a * b, 1);
  if (sample.length !== size)
    throw new ScratchnetError(
      `featureMaps: the network takes ${size} values [${network.inputShape.join(', ')}], got ${sample.length}`,
    );
  const outputs = network.forward(new Tensor(Float32Array.from(sample), [1, ...network.inputShape]), 'eval');
  const maps: FeatureMaps[] = [];
  let shape = [...network.inputShape];
  const shapes = network.layers.map((layer) => (shape = layer.outputShape(shape)));
  network.layers.forEach((layer, i) => {
    if (!(layer instanceof Conv2d)) return;
    let last = i;
    const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, j) => d === b[j]);
    while (last + 1 < network.layers.length && !(network.layers[last + 1] instanceof Conv2d) && same(shapes[last + 1], shapes[i]))
      last++;
    const [c, h, w] = shapes[i];
    maps.push({
      layer: i,
      name: network.layers
        .slice(i, last + 1)
        .map(String)
        .join(' → '),
      shape: [c, h, w],
      values: outputs[last].data.slice(0, c * h * w),
    });
  });
  return maps;
}
