import { describe, expect, it } from 'vitest';
import { digits, largestDifference, runOnnx } from '../../test/onnx-runtime.js';
import { ScratchnetError } from '../errors.js';
import { LeakyReLU, ReLU, Sigmoid, Softmax, Tanh } from '../layers/activations.js';
import { BatchNorm } from '../layers/batch-norm.js';
import { Conv2d } from '../layers/conv2d.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { Flatten } from '../layers/flatten.js';
import { GlobalAvgPool2d } from '../layers/global-avg-pool2d.js';
import { type Layer, registerLayer } from '../layers/layer.js';
import { AvgPool2d, MaxPool2d } from '../layers/pooling.js';
import { layersFromSpec } from '../network/from-spec.js';
import { parseLayerSpec } from '../network/layer-spec.js';
import { Sequential } from '../network/sequential.js';
import { SGD } from '../optimizers/sgd.js';
import { Tensor } from '../tensor/tensor.js';
import { Rng } from '../tensor/rng.js';
import { ONNX_INPUT, ONNX_OPSET, ONNX_OUTPUT, exportOnnx } from './onnx-export.js';
import { convPads } from './onnx-layers.js';
import { type OnnxTypes as Types, onnx } from './onnx-proto.js';

const IMAGES = 64;
const { pixels, labels } = digits(IMAGES);

/**
 * A few SGD steps in training mode on real digits, so that weights and batch norm's running statistics
 * are no longer their initial values (a running mean of 0 and variance of 1 would hide a mix-up of the two).
 */
function trained(network: Sequential, steps = 4): Sequential {
  const optimizer = new SGD(0.05);
  for (let step = 0; step < steps; step++) {
    const rows = 16;
    const at = (step * rows) % IMAGES;
    const x = new Tensor(pixels.slice(at * 784, (at + rows) * 784), [rows, ...network.inputShape]);
    network.trainStep(x, labels.slice(at, at + rows), optimizer);
  }
  return network;
}

/** onnxruntime's output for the exported network against predictProba on the digits, both [IMAGES, classes]. */
async function agreement(network: Sequential): Promise<{ difference: number; dims: readonly number[] }> {
  const shape = [IMAGES, ...network.inputShape];
  const ours = network.predictProba(new Tensor(pixels.slice(), shape)).data;
  const { output, dims } = await runOnnx(exportOnnx(network), pixels, shape);
  return { difference: largestDifference(output, ours), dims };
}

const image = (layers: Layer[]) => trained(new Sequential(layers, [1, 28, 28]));
const flat = (layers: Layer[]) => trained(new Sequential(layers, [784]));
const rng = () => new Rng(7);

// One network per layer kind, each around as little else as it needs to end in [batch, classes].
const perLayer: [string, () => Sequential][] = [
  ['Dense (Gemm)', () => flat([new Dense(784, 10, rng())])],
  ['ReLU', () => flat([new Dense(784, 24, rng()), new ReLU(), new Dense(24, 10, rng())])],
  ['LeakyReLU(0.2)', () => flat([new Dense(784, 24, rng()), new LeakyReLU(0.2), new Dense(24, 10, rng())])],
  ['Sigmoid', () => flat([new Dense(784, 24, rng()), new Sigmoid(), new Dense(24, 10, rng())])],
  ['Tanh', () => flat([new Dense(784, 24, rng()), new Tanh(), new Dense(24, 10, rng())])],
  ['Softmax (then predictProba softmaxes again)', () => flat([new Dense(784, 10, rng()), new Softmax()])],
  ['Dropout (omitted)', () => flat([new Dense(784, 24, rng()), new ReLU(), new Dropout(0.5, rng()), new Dense(24, 10, rng())])],
  ['BatchNorm 1-d', () => flat([new Dense(784, 24, rng()), new BatchNorm(24, 0.5), new ReLU(), new Dense(24, 10, rng())])],
  ['Conv2d, no padding', () => image([new Conv2d(1, 3, 5, { rng: rng() }), new Flatten(), new Dense(3 * 24 * 24, 10, rng())])],
  [
    'Conv2d, padding 2, stride 2',
    () => image([new Conv2d(1, 3, 3, { padding: 2, stride: 2, rng: rng() }), new Flatten(), new Dense(3 * 15 * 15, 10, rng())]),
  ],
  [
    "Conv2d 'same', odd kernel",
    () => image([new Conv2d(1, 2, 3, { padding: 'same', rng: rng() }), new Flatten(), new Dense(2 * 28 * 28, 10, rng())]),
  ],
  [
    "Conv2d 'same', even kernel (PyTorch's extra zero after)",
    () => image([new Conv2d(1, 2, 4, { padding: 'same', rng: rng() }), new Flatten(), new Dense(2 * 28 * 28, 10, rng())]),
  ],
  [
    'Conv2d without bias',
    () => image([new Conv2d(1, 2, 3, { bias: false, rng: rng() }), new Flatten(), new Dense(2 * 26 * 26, 10, rng())]),
  ],
  [
    'BatchNorm 2-d',
    () => image([new Conv2d(1, 3, 3, { rng: rng() }), new BatchNorm(3, 0.5), new Flatten(), new Dense(3 * 26 * 26, 10, rng())]),
  ],
  ['MaxPool2d(2)', () => image([new MaxPool2d(2), new Flatten(), new Dense(14 * 14, 10, rng())])],
  [
    'MaxPool2d(3, stride 2), dropping the window that does not fit',
    () => image([new MaxPool2d(3, 2), new Flatten(), new Dense(13 * 13, 10, rng())]),
  ],
  ['AvgPool2d(2)', () => image([new AvgPool2d(2), new Flatten(), new Dense(14 * 14, 10, rng())])],
  ['AvgPool2d(3, stride 2)', () => image([new AvgPool2d(3, 2), new Flatten(), new Dense(13 * 13, 10, rng())])],
  ['GlobalAvgPool2d', () => image([new Conv2d(1, 10, 3, { rng: rng() }), new GlobalAvgPool2d()])],
  ['Flatten', () => image([new Flatten(), new Dense(784, 10, rng())])],
];

const spec = (text: string) => {
  const { layers, inputShape } = layersFromSpec(parseLayerSpec(text), [1, 28, 28], 10, new Rng(3));
  return trained(new Sequential(layers, inputShape));
};
const wholeNetworks: [string, () => Sequential][] = [
  [
    'an MLP with batch norm and dropout',
    () => trained(Sequential.mlp({ hidden: [64, 32], batchNorm: true, dropout: 0.3, rng: new Rng(5) })),
  ],
  [
    "the issue's convnet",
    () =>
      spec(
        'conv2d(32,3),relu,maxpool2d(2),conv2d(64,3),relu,maxpool2d(2),flatten,dropout(0.25),dense(128),relu,dropout(0.5),dense(10)',
      ),
  ],
  [
    "a convnet with batch norm, 'same' padding, stride 2, average and global pooling",
    () =>
      spec(
        'conv2d(6,3,1,same),batchnorm,relu,avgpool2d(2),conv2d(8,3,2,1),leakyrelu(0.1),maxpool2d(3,2),conv2d(12,1),globalavgpool2d,batchnorm,tanh,dense(10)',
      ),
  ],
];

describe('exportOnnx, run by onnxruntime-web (wasm)', () => {
  it.each([...perLayer, ...wholeNetworks])('%s: the runtime gives predictProba on 64 digits to 1e-5', async (_, make) => {
    const network = make();
    const { difference, dims } = await agreement(network);
    expect(dims).toEqual([IMAGES, 10]);
    expect(difference).toBeLessThan(1e-5);
  });

  it('the batch dimension is free: one digit and 64 digits run through the same model', async () => {
    const network = wholeNetworks[0][1]();
    const model = exportOnnx(network);
    const one = await runOnnx(model, pixels.slice(0, 784), [1, 784]);
    expect(one.dims).toEqual([1, 10]);
    const all = await runOnnx(model, pixels, [IMAGES, 784]);
    expect(largestDifference(one.output, all.output.subarray(0, 10))).toBeLessThan(1e-6);
    expect(one.inputNames).toEqual([ONNX_INPUT]);
    expect(one.outputNames).toEqual([ONNX_OUTPUT]);
  });

  it('the model names its opset, its input and output with a free batch dimension, and carries the metadata', () => {
    const network = Sequential.mlp({ hidden: [8] });
    const model = onnx.ModelProto.decode(
      exportOnnx(network, { classNames: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'], inputScale: 1 / 255 }),
    );
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', ONNX_OPSET]]);
    const graph = model.graph as Types.GraphProto;
    const input = graph.input[0];
    expect(input.name).toBe('input');
    const dims = (input.type as Types.TypeProto).tensorType?.shape?.dim ?? [];
    expect(dims.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['batch', 784]);
    expect(graph.output[0].name).toBe('probabilities');
    expect(graph.node.map((n) => n.opType)).toEqual(['Gemm', 'Relu', 'Gemm', 'Softmax']);
    expect(graph.initializer.map((t) => t.name)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    const metadata = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
    expect(JSON.parse(metadata.class_names)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
    expect(Number(metadata.input_scale)).toBeCloseTo(1 / 255, 15);
    expect(JSON.parse(metadata['scratchnet.architecture'])).toEqual(network.config());
  });

  it("'same' padding splits k − 1 as PyTorch: 1 before and 2 after for k = 4; pads list both starts, then both ends", () => {
    expect(convPads(4, 'same')).toEqual([1, 1, 2, 2]);
    expect(convPads(3, 'same')).toEqual([1, 1, 1, 1]);
    expect(convPads(3, 2)).toEqual([2, 2, 2, 2]);
    expect(convPads(3, 'valid')).toEqual([0, 0, 0, 0]);
  });

  it('a layer type without an ONNX form is refused, naming its position and type', () => {
    class Doubling extends ReLU {
      override readonly type = 'doubling' as 'relu';
    }
    registerLayer('doubling', () => new Doubling());
    const network = new Sequential([new Dense(784, 10, rng()), new Doubling()], [784]);
    expect(() => exportOnnx(network)).toThrow(ScratchnetError);
    expect(() => exportOnnx(network)).toThrow(/^layer 1 \(doubling\) cannot be exported to ONNX/);
  });
});
