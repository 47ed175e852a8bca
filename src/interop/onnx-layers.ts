import type { Conv2dConfig } from '../layers/conv2d.js';
import type { LayerConfig } from '../layers/layer.js';
import type { Pool2dConfig } from '../layers/pooling.js';
import { type AttributeValue, type OnnxTypes, node } from './onnx-proto.js';

/**
 * What one scratchnet layer becomes in an ONNX graph (opset 13), as evaluation computes it. Each layer
 * reads the tensor named `input` and writes one named after its index; its weights are initializers
 * named as in the model file, which is PyTorch's `state_dict` (`0.weight`, `0.bias`, `1.running_mean`, …),
 * in PyTorch's layouts: nn.Linear's weight is [units, inputs], hence Gemm's transB = 1.
 *
 * A layer that is the identity at inference (dropout) adds no node: the next layer reads its input.
 */
export interface LayerInGraph {
  /** The layer's position in the network (its tensors are `<index>.<name>`). */
  readonly index: number;
  readonly config: LayerConfig;
  /** Name of the tensor the layer reads. */
  readonly input: string;
}

/** The nodes a layer adds, and the name of the tensor that carries its output. */
export interface LayerNodes {
  nodes: OnnxTypes.INodeProto[];
  output: string;
}

/** How one layer type becomes ONNX nodes. */
export type Translation = (layer: LayerInGraph) => LayerNodes;

/** One node `op` reading the layer's input (and its named weights) into `<index>.<op>`'s output. */
function single(
  op: string,
  layer: LayerInGraph,
  weights: readonly string[] = [],
  attributes: Record<string, AttributeValue> = {},
) {
  const output = `${layer.index}.output`;
  const inputs = [layer.input, ...weights.map((w) => `${layer.index}.${w}`)];
  return { nodes: [node(op, `${layer.index}.${op}`, inputs, output, attributes)], output };
}

/**
 * Zeros before and after along each axis of a convolution: 'same' splits k − 1 as PyTorch and
 * scratchnet's Conv2d do (the extra one after, for an even kernel), 'valid' none, a number on each side.
 * ONNX's `pads` lists the starts of both axes, then their ends: [top, left, bottom, right].
 */
export function convPads(kernel: number, padding: unknown): number[] {
  if (padding === 'valid' || padding === undefined) return [0, 0, 0, 0];
  if (padding === 'same') {
    const before = (kernel - 1) >> 1;
    const after = kernel - 1 - before;
    return [before, before, after, after];
  }
  const p = padding as number;
  return [p, p, p, p];
}

/** Every layer type with an ONNX form, by registered type name. */
export const ONNX_TRANSLATIONS: Readonly<Record<string, Translation>> = {
  // Y = X·Wᵀ + b with W [units, inputs] as nn.Linear stores it
  dense: (layer) => single('Gemm', layer, ['weight', 'bias'], { transB: 1 }),
  relu: (layer) => single('Relu', layer),
  'leaky-relu': (layer) =>
    single('LeakyRelu', layer, [], { alpha: { float: (layer.config.slope as number | undefined) ?? 0.1 } }),
  sigmoid: (layer) => single('Sigmoid', layer),
  tanh: (layer) => single('Tanh', layer),
  softmax: (layer) => single('Softmax', layer, [], { axis: -1 }),
  // identity at inference
  dropout: (layer) => ({ nodes: [], output: layer.input }),
  // y = γ·(x − running_mean)/√(running_var + ε) + β per channel (dim 1) of [N, C] or [N, C, H, W]
  'batch-norm': (layer) =>
    single('BatchNormalization', layer, ['weight', 'bias', 'running_mean', 'running_var'], {
      epsilon: { float: (layer.config.eps as number | undefined) ?? 1e-5 },
    }),
  conv2d: (layer) => {
    const { kernel, stride = 1, padding, bias = true } = layer.config as Conv2dConfig;
    return single('Conv', layer, bias ? ['weight', 'bias'] : ['weight'], {
      kernel_shape: [kernel, kernel],
      strides: [stride, stride],
      pads: convPads(kernel, padding),
    });
  },
  // windows that do not fit are dropped (floor), no padding: ONNX's defaults
  'max-pool2d': (layer) => pool('MaxPool', layer),
  'avg-pool2d': (layer) => pool('AveragePool', layer),
  // scratchnet's GlobalAvgPool2d gives [N, C]; ONNX's GlobalAveragePool keeps [N, C, 1, 1], so a Flatten follows
  'global-avg-pool2d': (layer) => {
    const pooled = `${layer.index}.pooled`;
    const output = `${layer.index}.output`;
    return {
      nodes: [
        node('GlobalAveragePool', `${layer.index}.GlobalAveragePool`, [layer.input], pooled),
        node('Flatten', `${layer.index}.Flatten`, [pooled], output, { axis: 1 }),
      ],
      output,
    };
  },
  flatten: (layer) => single('Flatten', layer, [], { axis: 1 }),
};

function pool(op: string, layer: LayerInGraph): LayerNodes {
  const { kernel, stride } = layer.config as Pool2dConfig;
  return single(op, layer, [], { kernel_shape: [kernel, kernel], strides: [stride ?? kernel, stride ?? kernel] });
}
