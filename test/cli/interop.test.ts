import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/io/model-file.js';
import { encodeSafetensors, f32 } from '../../src/io/safetensors.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { digits, largestDifference, runOnnx } from '../onnx-runtime.js';
import { type CliResult, runCli, tempDir } from './run.js';

/** A user's mistake: exit 1, one line on stderr that contains `text`, no stack trace. */
function refused(result: CliResult, ...texts: string[]): void {
  expect(result.stderr).toMatch(/^scratchnet: [^\n]*\n$/);
  for (const text of texts) expect(result.stderr).toContain(text);
  expect(result.status).toBe(1);
}

let dir: string;
let model: string;
beforeAll(() => {
  dir = tempDir();
  model = join(dir, 'm.safetensors');
  const trained = runCli([
    'train',
    '--subset',
    '300',
    '--epochs',
    '1',
    '--layers',
    'conv2d(4,3),batchnorm,relu,maxpool2d(2),flatten,dense(10)',
    '--out',
    model,
  ]);
  expect(trained.status, trained.stderr).toBe(0);
});

describe('scratchnet export --format onnx', () => {
  it("writes a model onnxruntime-web runs to predict's probabilities (1e-5) on 64 digits, with the class names and input scale", async () => {
    const out = join(dir, 'm.onnx');
    const result = runCli(['export', '--model', model, '--format', 'onnx', '--out', out]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^wrote .*m\.onnx: ONNX opset 13, input 'input' \[batch, 1, 28, 28\], output 'probabilities' \[batch, 10\]/,
    );
    const { network } = loadModel(model);
    const { pixels } = digits(64);
    const ours = network.predictProba(new Tensor(pixels.slice(), [64, 1, 28, 28])).data;
    const { output } = await runOnnx(readFileSync(out), pixels, [64, 1, 28, 28]);
    expect(largestDifference(output, ours)).toBeLessThan(1e-5);
    const text = readFileSync(out).toString('latin1');
    expect(text).toContain('class_names');
    expect(text).toContain('input_scale');
  });

  const targets: [string, (path: string) => string, string][] = [
    ['a folder', (path) => (mkdirSync(path), path), 'a folder is there'],
    ['a FIFO', (path) => (execFileSync('mkfifo', [path]), path), 'a FIFO is there'],
    [
      'a symbolic link',
      (path) => (writeFileSync(`${path}.target`, 'kept'), symlinkSync(`${path}.target`, path), path),
      'a symbolic link is there',
    ],
    [
      'a path under a regular file',
      (path) => (writeFileSync(path, 'kept'), join(path, 'm.onnx')),
      'is a regular file, not a folder',
    ],
  ];
  it.each(targets)('--out at %s: one line, exit 1, nothing written or replaced', (_, make, text) => {
    const folder = join(tempDir(), 'out');
    mkdirSync(folder);
    const out = make(join(folder, 'target'));
    const kind = (path: string) => (lstatSync(path).mode & 0o170000).toString(8);
    const before = { names: readdirSync(folder).sort(), kind: kind(join(folder, 'target')) };
    refused(runCli(['export', '--model', model, '--out', out]), text);
    expect({ names: readdirSync(folder).sort(), kind: kind(join(folder, 'target')) }).toEqual(before);
  });

  it('--out naming the model file itself is refused before it could be overwritten', () => {
    const copy = join(tempDir(), 'm.safetensors');
    writeFileSync(copy, readFileSync(model));
    refused(runCli(['export', '--model', copy, '--out', copy]), 'is the model file itself');
    expect(readFileSync(copy)).toEqual(readFileSync(model));
  });

  it('a model scratchnet cannot read (a layer type it does not know): one line, exit 1, no output file', () => {
    const folder = tempDir();
    const odd = join(folder, 'odd.safetensors');
    const architecture = { inputShape: [4], layers: [{ type: 'dense', inputs: 4, units: 2 }, { type: 'doubling' }] };
    writeFileSync(
      odd,
      encodeSafetensors(
        new Map([
          ['0.weight', f32([2, 4], new Float32Array(8))],
          ['0.bias', f32([2], new Float32Array(2))],
        ]),
        {
          format: 'scratchnet-model',
          version: '1',
          architecture: JSON.stringify(architecture),
        },
      ),
    );
    refused(runCli(['export', '--model', odd, '--out', join(folder, 'odd.onnx')]), "unknown layer type 'doubling'");
    expect(existsSync(join(folder, 'odd.onnx'))).toBe(false);
  });
});

describe('scratchnet import', () => {
  /** A PyTorch state_dict of nn.Sequential(Linear(784, 8), ReLU(), Linear(8, 10)) with one weight of the wrong shape and one tensor too many. */
  function wrongWeights(folder: string): string {
    const path = join(folder, 'torch.safetensors');
    const tensors = new Map([
      ['0.weight', f32([8, 784], new Float32Array(8 * 784))],
      ['0.bias', f32([8], new Float32Array(8))],
      ['2.weight', f32([10, 9], new Float32Array(90))],
      ['3.weight', f32([10], new Float32Array(10))],
    ]);
    writeFileSync(path, encodeSafetensors(tensors));
    return path;
  }

  it('names every mismatch on one line, exits 1 and writes no model file', () => {
    const folder = tempDir();
    const out = join(folder, 'model.safetensors');
    const result = runCli(['import', '--weights', wrongWeights(folder), '--hidden', '8', '--out', out]);
    refused(
      result,
      "tensor '3.weight' is not part of the architecture",
      "tensor '2.weight' has shape [10, 9], the architecture needs [10, 8]",
      "tensor '2.bias' is missing (the architecture needs it with shape [10])",
    );
    expect(existsSync(out)).toBe(false);
  });

  it('refuses --layers beside an MLP flag, --out at the weights file, and a wrong number of class names', () => {
    const folder = tempDir();
    const weights = wrongWeights(folder);
    refused(
      runCli(['import', '--weights', weights, '--layers', 'dense(10)', '--hidden', '8']),
      '--layers describes the whole network',
    );
    refused(runCli(['import', '--weights', weights, '--hidden', '8', '--out', weights]), 'is the weights file itself');
    refused(
      runCli(['import', '--weights', weights, '--hidden', '8', '--class-names', 'a,b', '--out', join(folder, 'x.safetensors')]),
      '--class-names',
    );
    refused(runCli(['import', '--hidden', '8']), '--weights is required');
  });
});
