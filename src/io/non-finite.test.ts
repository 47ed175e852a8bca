import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Sequential } from '../network/sequential.js';
import { Adagrad } from '../optimizers/adagrad.js';
import { Adam } from '../optimizers/adam.js';
import { RMSprop } from '../optimizers/rmsprop.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { Rng } from '../tensor/rng.js';
import { spiral } from '../../test/helpers.js';
import { fit } from '../training/fit.js';
import { checkpointPath, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { loadModel, modelFromSafetensors, modelMetadata, modelTensors, saveModel } from './model-file.js';
import { readSafetensorsFile, writeSafetensorsFile } from './safetensors-file.js';

const network = () => Sequential.mlp({ inputs: 2, hidden: [4], classes: 3, batchNorm: true, rng: new Rng(1) });

describe('model files refuse NaN, ±Inf and negative variances, naming the tensor and the first bad index', () => {
  for (const [name, index, value, problem] of [
    ['0.weight', 5, NaN, 'NaN at index 5: every weight and statistic must be finite'],
    ['0.bias', 0, Infinity, 'Infinity at index 0: every weight and statistic must be finite'],
    ['1.running_mean', 3, -Infinity, '-Infinity at index 3: every weight and statistic must be finite'],
    ['1.running_var', 2, -0.5, '-0.5 at index 2: a variance cannot be negative'],
  ] as const) {
    it(`'${name}' holding ${value}`, () => {
      const net = network();
      const tensors = modelTensors(net);
      tensors.get(name)!.data[index] = value;
      expect(() => modelFromSafetensors(tensors, modelMetadata(net), 'm.safetensors')).toThrow(
        `m.safetensors: tensor '${name}' has ${problem}`,
      );
    });
  }

  it('saveModel refuses a network with a NaN weight and writes nothing', () => {
    const net = network();
    net.params()[2].value.data[1] = NaN; // 1.weight, batch norm's γ
    const path = join(mkdtempSync(join(tmpdir(), 'scratchnet-nan-')), 'm.safetensors');
    expect(() => saveModel(path, net)).toThrow("cannot save the network: tensor '1.weight' has NaN at index 1");
    expect(existsSync(path)).toBe(false);
  });

  it('a model with −0 and the largest float32 loads', () => {
    const net = network();
    const dir = mkdtempSync(join(tmpdir(), 'scratchnet-nan-'));
    net.params()[0].value.data.set([-0, 3.4028234663852886e38]);
    saveModel(join(dir, 'm.safetensors'), net);
    expect(loadModel(join(dir, 'm.safetensors')).network.params()[0].value.data[1]).toBe(3.4028234663852886e38);
  });
});

describe('checkpoints refuse non-finite optimizer state and negative sums of squares', () => {
  /** A checkpoint after one epoch with `optimizer`, then `tensor[index] = value` written back into it. */
  function damaged(optimizer: Optimizer, tensor: string, index: number, value: number): string {
    const net = network();
    const history = fit(net, spiral(4, 3, new Rng(2)), { epochs: 1, batchSize: 4, optimizer });
    const dir = mkdtempSync(join(tmpdir(), 'scratchnet-nan-'));
    const path = saveCheckpoint(dir, {
      network: net,
      optimizer,
      fit: {
        epoch: 1,
        batch: 0,
        order: Int32Array.from({ length: 12 }, (_, i) => i), // a whole permutation, as the field checks require
        rng: new Rng(3).state(),
        subset: null,
        history,
      },
      run: {},
    });
    expect(loadCheckpoint(dir).optimizer.name).toBe(optimizer.name); // as written, it loads
    const { tensors, metadata } = readSafetensorsFile(path, 'checkpoint');
    expect(tensors.has(tensor), tensor).toBe(true);
    tensors.get(tensor)!.data[index] = value;
    writeSafetensorsFile(path, tensors, metadata, 'checkpoint');
    expect(path).toBe(checkpointPath(dir));
    return dir;
  }

  for (const [optimizer, tensor, value, problem] of [
    [() => new Adam(), 'optimizer/0.weight/exp_avg_sq', -0.5, 'a sum of squares cannot be negative'],
    [() => new Adam(), 'optimizer/0.weight/exp_avg_sq', NaN, 'optimizer and callback state must be finite'],
    [() => new Adam(), 'optimizer/3.bias/exp_avg', Infinity, 'optimizer and callback state must be finite'],
    [() => new RMSprop(), 'optimizer/0.bias/square_avg', -2, 'a sum of squares cannot be negative'],
    [() => new Adagrad(), 'optimizer/3.weight/sum', -3, 'a sum of squares cannot be negative'],
  ] as const) {
    it(`'${tensor}' holding ${value}`, () => {
      const dir = damaged(optimizer(), tensor, 1, value);
      expect(() => loadCheckpoint(dir)).toThrow(`${checkpointPath(dir)}: tensor '${tensor}' has ${value} at index 1: ${problem}`);
    });
  }

  it("a NaN weight in the checkpoint's model is refused as in a model file", () => {
    const dir = damaged(new Adam(), '0.weight', 4, NaN);
    expect(() => loadCheckpoint(dir)).toThrow(`tensor '0.weight' has NaN at index 4`);
  });
});
