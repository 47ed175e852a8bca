import type { Sequential } from './sequential.js';

/** One row of a network summary: what a layer does to a batch, and what it costs. */
export interface LayerSummary {
  index: number;
  layer: string;
  type: string;
  /** Per-sample input and output shapes (without the batch dimension). */
  inputShape: number[];
  outputShape: number[];
  /** Each parameter's name and shape, as scratchnet stores it (Dense W is [inputs, units]). */
  params: { name: string; shape: number[] }[];
  paramCount: number;
  /** Floating-point operations of the forward pass per sample (a multiply–add counts 2). */
  flops: number;
}

/** The whole network's summary (`summarize`): every layer's row, and the totals. */
export interface NetworkSummary {
  layers: LayerSummary[];
  inputShape: number[];
  outputShape: number[];
  paramCount: number;
  flops: number;
}

/**
 * The tutorial's matrix-shapes walk-through, for any network: each layer's input and output shape,
 * its parameters' shapes, how many numbers it learns and how much arithmetic one sample costs.
 */
export function summarize(network: Sequential): NetworkSummary {
  let shape = [...network.inputShape];
  const layers = network.layers.map((layer, index): LayerSummary => {
    const inputShape = shape;
    const outputShape = layer.outputShape(inputShape);
    const params = layer.params().map((p) => ({ name: p.name, shape: [...p.value.shape] }));
    shape = outputShape;
    return {
      index,
      layer: String(layer),
      type: layer.type,
      inputShape,
      outputShape,
      params,
      paramCount: layer.params().reduce((n, p) => n + p.value.size, 0),
      flops: layer.flops(inputShape),
    };
  });
  return {
    layers,
    inputShape: [...network.inputShape],
    outputShape: shape,
    paramCount: layers.reduce((n, l) => n + l.paramCount, 0),
    flops: layers.reduce((n, l) => n + l.flops, 0),
  };
}
