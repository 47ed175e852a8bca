import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/io/model-file.js';
import { autoBackendName } from '../helpers.js';
import { CLI_PATH, runCli, tempDir } from './run.js';

describe('scratchnet train (the real CLI, as a subprocess)', () => {
  it('trains a tiny run, prints the tutorial-style lines without a terminal, and writes a loadable model', async () => {
    const auto = await autoBackendName();
    const dir = tempDir();
    const out = join(dir, 'tiny.safetensors');
    const { status, stdout, stderr } = runCli(['train', '--subset', '500', '--epochs', '1', '--hidden', '16', '--out', out]);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Data: built-in MNIST train: 500 training, 800 validation, 2000 test samples$/m);
    expect(stdout).toMatch(/^Epoch 1\/1$/m);
    expect(stdout).toMatch(/^ {2}Batch 1\/16, Loss: \d\.\d{4}/m); // every 20 batches, as the tutorial prints
    expect(stdout).not.toMatch(/Batch 2\/16/);
    expect(stdout).toMatch(
      new RegExp(`^Backend: ${auto} \\(${auto === 'native' ? 'matrix products in C' : 'WebAssembly SIMD kernels'}`, 'm'),
    ); // --backend auto
    expect(stdout).toMatch(
      new RegExp(
        `^ {2}Epoch 1/1: train loss \\d\\.\\d{4}, val loss \\d\\.\\d{4}, val accuracy \\d+\\.\\d{2}%, \\d+\\.\\ds \\([\\d,]+ samples/s on ${auto}\\)$`,
        'm',
      ),
    );
    expect(stdout).toMatch(/^Test accuracy: \d+\.\d{2}% \(2000 samples/m);
    expect(stdout).toMatch(new RegExp(`^Total time: \\d+\\.\\ds \\(${auto} backend\\)$`, 'm'));
    const { network, info } = loadModel(out);
    expect(String(network)).toBe('Sequential(Dense(784 → 16) → ReLU → Dense(16 → 10))');
    expect(info.training).toMatchObject({ trainRows: 500, epochs: 1, backend: auto });
    expect(info.training!.testAccuracy as number).toBeGreaterThan(0.5);
  });

  it('--json prints one JSON object per event: start, batches, epoch, test, saved, end', async () => {
    const auto = await autoBackendName();
    const out = join(tempDir(), 'm.safetensors');
    const { status, stdout } = runCli([
      'train',
      '--json',
      '--subset',
      '320',
      '--epochs',
      '2',
      '--log-every',
      '5',
      '--seed',
      '3',
      '--out',
      out,
    ]);
    expect(status).toBe(0);
    const events = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.map((e) => e.event)).toEqual([
      'start',
      'batch',
      'batch',
      'epoch',
      'batch',
      'batch',
      'epoch',
      'test',
      'saved',
      'end',
    ]);
    expect(events.filter((e) => e.event === 'batch').map((e) => e.batch)).toEqual([1, 6, 1, 6]);
    expect(events[0]).toMatchObject({ train: 320, batches: 10, epochs: 2, parameters: 52650, backend: auto });
    const epoch = events[3];
    expect(epoch).toMatchObject({ epoch: 1, epochs: 2, learningRate: 0.1, backend: auto });
    expect(epoch.valAccuracy as number).toBeGreaterThan(0.3);
    expect(events.at(-1)).toMatchObject({ event: 'end', exitCode: 0 });
    expect(existsSync(out)).toBe(true);
  });
});

describe('user mistakes give one line on stderr and a non-zero exit, never a stack trace', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown flag', ['train', '--epoch', '3'], /^scratchnet: unknown option '--epoch' \(did you mean --epochs\?\)\n$/],
    [
      'negative epochs',
      ['train', '--epochs', '-1'],
      /^scratchnet: option '--epochs <n>' argument '-1' is invalid\. Expected a whole number ≥ 0\.\n$/,
    ],
    [
      'a learning rate of 0',
      ['train', '--lr', '0'],
      /^scratchnet: option '--lr <rate>' argument '0' is invalid\. Expected a number > 0/,
    ],
    ['a negative learning rate', ['train', '--lr', '-0.1'], /argument '-0.1' is invalid\. Expected a number > 0/],
    [
      'batch size 0',
      ['train', '--batch-size', '0'],
      /^scratchnet: option '--batch-size <n>' argument '0' is invalid\. Expected a positive whole number/,
    ],
    [
      'an unknown activation',
      ['train', '--activation', 'swish'],
      /argument 'swish' is invalid\. Allowed choices are relu, leaky-relu, sigmoid, tanh\.\n$/,
    ],
    [
      'an unknown backend',
      ['train', '--backend', 'gpu'],
      /^scratchnet: option '--backend <name>' argument 'gpu' is invalid\. Allowed choices are js, wasm, native, auto\.\n$/,
    ],
    ['an unknown command', ['trian'], /^scratchnet: unknown command 'trian' \(did you mean train\?\)\n$/],
    [
      'a missing checkpoint',
      ['train', '--resume', '/nonexistent/ckpt'],
      /^scratchnet: cannot read checkpoint '\/nonexistent\/ckpt': no such file or folder\n$/,
    ],
  ];
  cases.push([
    'an --out path under a file, refused before training starts',
    ['train', '--out', `${CLI_PATH}/model.safetensors`],
    /^scratchnet: cannot write model file '.*main\.js\/model\.safetensors': a file stands where a folder is needed\n$/,
  ]);
  for (const [what, args, message] of cases) {
    it(what, () => {
      const { status, stdout, stderr } = runCli(args);
      expect(status).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /);
    });
  }
});
