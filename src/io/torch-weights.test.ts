import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScratchnetError } from '../errors.js';
import { Sequential } from '../network/sequential.js';
import { Rng } from '../tensor/rng.js';
import { loadModel } from './model-file.js';
import { type StoredTensor, f32 } from './safetensors.js';
import { writeSafetensorsFile } from './safetensors-file.js';
import { modelTensors } from './state-dict.js';
import { fillFromTorch, loadTorchWeights } from './torch-weights.js';

/** nn.Sequential(Linear(4, 3), BatchNorm1d(3), ReLU(), Linear(3, 2)) as PyTorch's state_dict holds it. */
function torchStateDict(): Map<string, StoredTensor> {
  const values = (n: number, start: number) => Float32Array.from({ length: n }, (_, i) => start + i / 8);
  return new Map<string, StoredTensor>([
    ['0.weight', f32([3, 4], values(12, -0.5))],
    ['0.bias', f32([3], values(3, 0.1))],
    ['1.weight', f32([3], values(3, 1))],
    ['1.bias', f32([3], values(3, -0.2))],
    ['1.running_mean', f32([3], values(3, 0.3))],
    ['1.running_var', f32([3], values(3, 0.7))],
    ['1.num_batches_tracked', { dtype: 'I64', shape: [], data: BigInt64Array.of(17n) }],
    ['3.weight', f32([2, 3], values(6, -0.25))],
    ['3.bias', f32([2], values(2, 0.05))],
  ]);
}

const architecture = () => Sequential.mlp({ inputs: 4, hidden: [3], classes: 2, batchNorm: true, rng: new Rng(1) });
const failures = (network: Sequential, tensors: Map<string, StoredTensor>): string => {
  try {
    fillFromTorch(network, tensors, 'torch.safetensors');
  } catch (error) {
    expect(error).toBeInstanceOf(ScratchnetError);
    return (error as Error).message;
  }
  throw new Error('internal: expected the tensors to be refused');
};

describe('PyTorch weights into a scratchnet network', () => {
  it("load_state_dict's tensors fill the network: Linear's [out, in] weight transposed, the batch count from I64", () => {
    const network = architecture();
    fillFromTorch(network, torchStateDict(), 'torch.safetensors');
    const dense = network.params().find((p) => p.name === '0.weight')!;
    expect(dense.value.shape).toEqual([4, 3]);
    // W[in=1, out=2] is PyTorch's weight[2, 1] = -0.5 + 9/8
    expect(dense.value.data[1 * 3 + 2]).toBeCloseTo(-0.5 + 9 / 8, 6);
    expect(network.buffers().find((b) => b.name === '1.num_batches_tracked')!.value.data[0]).toBe(17);
    // and saving gives PyTorch's tensors back, bit for bit
    const back = modelTensors(network);
    for (const [name, tensor] of torchStateDict()) expect(back.get(name)).toEqual(tensor);
  });

  it('every mismatch is named at once: missing (with the shape needed), unexpected, and wrong shapes (both shapes)', () => {
    const tensors = torchStateDict();
    tensors.delete('3.bias');
    tensors.set('4.weight', f32([2], new Float32Array(2)));
    tensors.set('0.weight', f32([4, 3], new Float32Array(12)));
    tensors.set('1.running_var', f32([5], new Float32Array(5)));
    const message = failures(architecture(), tensors);
    expect(message).toMatch(/^torch\.safetensors does not fit the architecture: /);
    expect(message).toContain("tensor '4.weight' is not part of the architecture");
    expect(message).toContain("tensor '3.bias' is missing (the architecture needs it with shape [2])");
    expect(message).toContain("tensor '0.weight' has shape [4, 3], the architecture needs [3, 4]");
    expect(message).toContain("tensor '1.running_var' has shape [5], the architecture needs [3]");
    expect(message).toContain('(the architecture has: 0.weight, 0.bias, 1.weight, 1.bias, 3.weight, 3.bias, 1.running_mean');
  });

  it('a refused file leaves the network as it was', () => {
    const network = architecture();
    const before = Float32Array.from(network.params()[0].value.data);
    const tensors = torchStateDict();
    tensors.delete('3.bias');
    failures(network, tensors);
    expect(network.params()[0].value.data).toEqual(before);
  });

  it('a batch count stored as F32 is named with the type PyTorch keeps it in (I64 of shape [])', () => {
    const tensors = torchStateDict();
    tensors.set('1.num_batches_tracked', f32([], Float32Array.of(3)));
    expect(failures(architecture(), tensors)).toContain(
      "tensor '1.num_batches_tracked' is F32 [], expected a count: I64 of shape []",
    );
  });

  it("names under a module attribute ('net.0.weight') are refused with the state_dict to save instead", () => {
    const prefixed = new Map([...torchStateDict()].map(([name, tensor]) => [`net.${name}`, tensor]));
    expect(failures(architecture(), prefixed)).toMatch(/every tensor name starts with 'net\.' .*model\.net\.state_dict\(\)/);
  });

  it('loadModel(path, { architecture }) and loadTorchWeights read a safetensors file without scratchnet metadata', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'scratchnet-torch-')), 'torch.safetensors');
    writeSafetensorsFile(path, torchStateDict());
    const { network, info } = loadModel(path, { architecture: architecture() });
    expect(info).toEqual({});
    const other = architecture();
    loadTorchWeights(path, other);
    expect(other.params()[0].value.data).toEqual(network.params()[0].value.data);
    expect(() => loadModel(path)).toThrow(/not a scratchnet model file/);
  });
});
