import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layersFromSpec } from '../network/from-spec.js';
import { parseLayerSpec } from '../network/layer-spec.js';
import { Sequential } from '../network/sequential.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { loadModel, modelFromSafetensors, modelMetadata, modelTensors, saveModel } from './model-file.js';
import { readSafetensorsFile } from './safetensors-file.js';

/** conv2d(4,3),batchnorm,relu,maxpool2d(2),flatten,dense(10) on 8×8 one-channel images. */
function convnet(seed = 1): Sequential {
  const { layers, inputShape } = layersFromSpec(
    parseLayerSpec('conv2d(4,3),batchnorm,relu,maxpool2d(2),flatten,dense(10)'),
    [1, 8, 8],
    10,
    new Rng(seed),
  );
  return new Sequential(layers, inputShape);
}

function batch(rows: number, seed: number): Tensor {
  const rng = new Rng(seed);
  const x = Tensor.zeros([rows, 1, 8, 8]);
  for (let i = 0; i < x.size; i++) x.data[i] = rng.uniform();
  return x;
}

describe('convnet model files', () => {
  it("hold PyTorch's state_dict names, shapes and dtypes: Conv2d [out, in, kh, kw], BatchNorm2d's buffers with num_batches_tracked as an I64 scalar", () => {
    const net = convnet();
    for (let step = 0; step < 3; step++) net.forward(batch(5, step), 'train'); // three training batches counted
    const path = join(mkdtempSync(join(tmpdir(), 'scratchnet-convnet-')), 'm.safetensors');
    saveModel(path, net);
    const { tensors } = readSafetensorsFile(path);
    const layout = [...tensors].map(([name, t]) => [name, t.dtype, t.shape]);
    expect(layout).toEqual([
      ['0.weight', 'F32', [4, 1, 3, 3]],
      ['0.bias', 'F32', [4]],
      ['1.weight', 'F32', [4]],
      ['1.bias', 'F32', [4]],
      ['5.weight', 'F32', [10, 36]],
      ['5.bias', 'F32', [10]],
      ['1.running_mean', 'F32', [4]],
      ['1.running_var', 'F32', [4]],
      ['1.num_batches_tracked', 'I64', []],
    ]);
    expect(tensors.get('1.num_batches_tracked')!.data).toEqual(BigInt64Array.of(3n));

    const { network } = loadModel(path);
    expect(network.buffers().find((b) => b.name === '1.num_batches_tracked')!.value.data[0]).toBe(3);
    const x = batch(4, 9);
    expect(Array.from(network.logits(x).data)).toEqual(Array.from(net.logits(x).data));
  });

  it('a file without num_batches_tracked (written before it was saved, or by hand) loads with the count at 0', () => {
    const net = convnet();
    net.forward(batch(5, 1), 'train');
    const tensors = modelTensors(net);
    tensors.delete('1.num_batches_tracked');
    const { network } = modelFromSafetensors(tensors, modelMetadata(net), 'old.safetensors');
    expect(network.buffers().map((b) => [b.name, b.value.data[0]])).toEqual([
      ['1.running_mean', net.buffers()[0].value.data[0]],
      ['1.running_var', net.buffers()[1].value.data[0]],
      ['1.num_batches_tracked', 0],
    ]);
  });

  it('a count stored as a float or a negative number is refused, naming the tensor', () => {
    const net = convnet();
    const tensors = modelTensors(net);
    tensors.set('1.num_batches_tracked', { dtype: 'F32', shape: [1], data: Float32Array.of(2) });
    expect(() => modelFromSafetensors(tensors, modelMetadata(net), 'f.safetensors')).toThrow(
      "f.safetensors: tensor '1.num_batches_tracked' is F32 [1], expected a count: I64 of shape []",
    );
    tensors.set('1.num_batches_tracked', { dtype: 'I64', shape: [], data: BigInt64Array.of(-1n) });
    expect(() => modelFromSafetensors(tensors, modelMetadata(net), 'f.safetensors')).toThrow(
      "f.safetensors: tensor '1.num_batches_tracked' is -1: a count cannot be negative",
    );
  });
});
