import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScratchnetError } from '../errors.js';
import { Sequential } from '../network/sequential.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { loadModel, modelFromSafetensors, modelMetadata, modelTensors, saveModel } from './model-file.js';
import { readSafetensorsFile } from './safetensors-file.js';

describe('model files', () => {
  it('store Dense weights as PyTorch does ([out, in]) and load back to identical predictions', () => {
    const net = Sequential.mlp({ inputs: 3, hidden: [4], classes: 2, activation: 'tanh', rng: new Rng(3) });
    const dir = mkdtempSync(join(tmpdir(), 'scratchnet-model-'));
    const path = join(dir, 'm.safetensors');
    saveModel(path, net, { training: { epochs: 1 } });
    expect(readdirSync(dir)).toEqual(['m.safetensors']); // the temporary file was renamed away

    const { tensors, metadata } = readSafetensorsFile(path);
    expect([...tensors.keys()]).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(tensors.get('0.weight')!.shape).toEqual([4, 3]);
    const w = net.layers[0].params()[0].value; // [3, 4] inside scratchnet
    expect(tensors.get('0.weight')!.data[1 * 3 + 2]).toBe(w.get(2, 1)); // stored[out=1][in=2] = W[in=2][out=1]
    expect(JSON.parse(metadata.architecture)).toEqual(net.config());

    const { network, info } = loadModel(path);
    expect(info.training).toEqual({ epochs: 1 });
    const x = Tensor.from([
      [0.1, -0.5, 2],
      [1, 1, 1],
    ]);
    expect(Array.from(network.predictProba(x).data)).toEqual(Array.from(net.predictProba(x).data));
  });

  it('refuse tensors whose shape does not fit the architecture, missing tensors, and extra tensors', () => {
    const net = Sequential.mlp({ inputs: 3, hidden: [4], classes: 2 });
    const metadata = modelMetadata(net);
    const broken = modelTensors(net);
    broken.set('2.weight', { dtype: 'F32', shape: [2, 5], data: new Float32Array(10) });
    expect(() => modelFromSafetensors(broken, metadata, 'm.safetensors')).toThrow(
      new ScratchnetError("m.safetensors: tensor '2.weight' has shape [2, 5], the architecture needs [2, 4]"),
    );
    const missing = modelTensors(net);
    missing.delete('0.bias');
    expect(() => modelFromSafetensors(missing, metadata, 'm.safetensors')).toThrow(/tensor '0.bias' is missing/);
    const extra = modelTensors(net);
    extra.set('9.weight', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
    expect(() => modelFromSafetensors(extra, metadata, 'm.safetensors')).toThrow(
      /tensor '9.weight' is not part of the architecture/,
    );
    expect(() =>
      modelFromSafetensors(
        modelTensors(net),
        { ...metadata, architecture: '{"inputShape":[3],"layers":[{"type":"conv9"}]}' },
        'm.safetensors',
      ),
    ).toThrow(/architecture does not describe a valid network: unknown layer type 'conv9'/);
    expect(() => modelFromSafetensors(modelTensors(net), {}, 'm.safetensors')).toThrow(/not a scratchnet model file/);
  });
});
