import { ScratchnetError } from '../errors.js';
import { LeakyReLU, ReLU, Sigmoid, Tanh } from '../layers/activations.js';
import { BatchNorm } from '../layers/batch-norm.js';
import { Conv2d } from '../layers/conv2d.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { Flatten } from '../layers/flatten.js';
import { GlobalAvgPool2d } from '../layers/global-avg-pool2d.js';
import type { Layer } from '../layers/layer.js';
import { AvgPool2d, MaxPool2d } from '../layers/pooling.js';
import type { Rng } from '../tensor/rng.js';
import type { LayerSpec } from './layer-spec.js';
import { MAX_PARAMETERS, MAX_SAMPLE_VALUES } from '../limits.js';

/** The layers a spec names, ready for a Sequential, and the per-sample input shape they take. */
export interface BuiltLayers {
  readonly layers: Layer[];
  /** The input shape, an image [channels, height, width] where the first layer needs one. */
  readonly inputShape: number[];
}

const SPATIAL: ReadonlySet<LayerSpec['kind']> = new Set(['conv2d', 'maxpool2d', 'avgpool2d', 'globalavgpool2d']);

/**
 * Builds the layers of a parsed layer string (parseLayerSpec) for samples of `sampleShape`, inferring
 * every size the string leaves out: a convolution's input channels, a dense layer's inputs, batch
 * norm's features. Flat samples whose size is a square (784 = 28²) are read as one-channel images when
 * the first layer needs an image, so a CSV of MNIST pixels and an IDX file give the same network.
 * @param classes - the output classes the data has: the last layer must produce them.
 * @throws {@link ScratchnetError} `position N: …` naming the layer and both shapes where a layer does not fit its input.
 */
export function layersFromSpec(
  specs: readonly LayerSpec[],
  sampleShape: readonly number[],
  classes: number,
  rng: Rng,
): BuiltLayers {
  let inputShape = [...sampleShape];
  if (specs.length > 0 && SPATIAL.has(specs[0].kind) && inputShape.length === 1) {
    const side = Math.round(Math.sqrt(inputShape[0]));
    if (side * side !== inputShape[0])
      throw fail(specs[0], `needs images [channels, height, width], but the samples are ${inputShape[0]} values (not a square)`);
    inputShape = [1, side, side];
  }
  const layers: Layer[] = [];
  let shape: number[] = inputShape;
  let parameters = 0;
  for (const spec of specs) {
    // Counted before the layer allocates its weights: a typo must not cost gigabytes.
    parameters += parametersOf(spec, shape);
    if (parameters > MAX_PARAMETERS)
      throw fail(
        spec,
        `brings the network to ${parameters.toLocaleString('en')} parameters, more than the ${MAX_PARAMETERS.toLocaleString('en')} allowed`,
      );
    const layer = build(spec, shape, rng);
    try {
      shape = layer.outputShape(shape);
    } catch (error) {
      if (!(error instanceof ScratchnetError)) throw error;
      throw new ScratchnetError(`position ${spec.at + 1}: ${error.message}`);
    }
    const values = shape.reduce((a, b) => a * b, 1);
    if (values > MAX_SAMPLE_VALUES)
      throw fail(
        spec,
        `outputs [${shape.join(', ')}] per sample (${values.toLocaleString('en')} values), more than the ${MAX_SAMPLE_VALUES.toLocaleString('en')} allowed`,
      );
    layers.push(layer);
  }
  const last = specs.at(-1);
  if (last && !(shape.length === 1 && shape[0] === classes)) {
    throw fail(
      last,
      `the network ends in [${shape.join(', ')}], but the data has ${classes} classes: end with dense(${classes})`,
    );
  }
  return { layers, inputShape };
}

/** The parameters the layer of one spec would have, for an input of `shape` (0 where it needs another shape: build says why). */
function parametersOf(spec: LayerSpec, shape: readonly number[]): number {
  const inputs = shape[0] ?? 0;
  if (spec.kind === 'conv2d') return spec.channels * inputs * spec.kernel * spec.kernel + spec.channels;
  if (spec.kind === 'dense') return shape.length === 1 ? inputs * spec.units + spec.units : 0;
  if (spec.kind === 'batchnorm') return 2 * inputs;
  return 0;
}

/** The layer of one spec, for an input of `shape` (per sample). */
function build(spec: LayerSpec, shape: readonly number[], rng: Rng): Layer {
  const image = shape.length === 3;
  const needImage = () => {
    if (!image) throw fail(spec, `needs images [channels, height, width], but its input is [${shape.join(', ')}]`);
  };
  const needFlat = (what: string) => {
    if (shape.length !== 1)
      throw fail(spec, `needs a flat input, but its input is [${shape.join(', ')}]: put flatten before ${what}`);
  };
  switch (spec.kind) {
    case 'conv2d':
      needImage();
      return new Conv2d(shape[0], spec.channels, spec.kernel, { stride: spec.stride, padding: spec.padding, rng });
    case 'maxpool2d':
      needImage();
      return new MaxPool2d(spec.kernel, spec.stride);
    case 'avgpool2d':
      needImage();
      return new AvgPool2d(spec.kernel, spec.stride);
    case 'globalavgpool2d':
      needImage();
      return new GlobalAvgPool2d();
    case 'flatten':
      return new Flatten();
    case 'dense':
      needFlat('dense');
      return new Dense(shape[0], spec.units, rng);
    case 'batchnorm':
      return new BatchNorm(shape[0]); // per feature of a flat input, per channel of an image (BatchNorm1d / BatchNorm2d)
    case 'dropout':
      return new Dropout(spec.rate, rng);
    case 'relu':
      return new ReLU();
    case 'leakyrelu':
      return new LeakyReLU(spec.slope);
    case 'sigmoid':
      return new Sigmoid();
    case 'tanh':
      return new Tanh();
  }
}

/** `position N: <layer> <message>`, N counted from 1. */
function fail(spec: LayerSpec, message: string): ScratchnetError {
  return new ScratchnetError(`position ${spec.at + 1}: ${spec.kind} ${message}`);
}
