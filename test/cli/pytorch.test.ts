import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBuiltinMnist } from '../../src/data/builtin.js';
import { findPython } from '../python.js';
import { runCli, tempDir } from './run.js';

// A Python with PyTorch and NumPy (see test/python.ts; SCRATCHNET_PYTHON picks one).
const { python, reason } = findPython(['torch', 'numpy']);
if (!python)
  console.log(`Skipping the PyTorch interoperability test: no python3 with torch and numpy (${reason}; Debian: python3-torch).`);

// The tutorial's MLP; the convnet; a convnet with BatchNorm2d, BatchNorm1d, padding, average and
// global pooling, so that every layer kind a model file can hold meets PyTorch's load_state_dict.
const networks: [string, string[]][] = [
  ['an MLP (--hidden, leaky ReLU)', ['--hidden', '24,12', '--activation', 'leaky-relu']],
  [
    "the issue's convnet (--layers)",
    [
      '--layers',
      'conv2d(32,3),relu,maxpool2d(2),conv2d(64,3),relu,maxpool2d(2),flatten,dropout(0.25),dense(128),relu,dropout(0.5),dense(10)',
    ],
  ],
  [
    'a convnet with batch norm 2d and 1d, padding, stride, average and global pooling',
    [
      '--layers',
      'conv2d(6,3,1,same),batchnorm,relu,avgpool2d(2),conv2d(8,3,2,1),leakyrelu(0.1),maxpool2d(3,2),conv2d(12,1),globalavgpool2d,batchnorm,tanh,dense(10)',
    ],
  ],
];

describe('model files in PyTorch', () => {
  it.skipIf(!python).each(networks)(
    '%s: PyTorch loads the model file into nn.Sequential (load_state_dict, strict) and predicts the same probabilities',
    (_, recipe) => {
      const dir = tempDir();
      const model = join(dir, 'm.safetensors');
      const trained = runCli(['train', '--subset', '500', '--epochs', '1', ...recipe, '--out', model]);
      expect(trained.status, trained.stderr).toBe(0);
      const { test } = loadBuiltinMnist();
      const csv = join(dir, 'rows.csv');
      writeFileSync(
        csv,
        `${Array.from({ length: 8 }, (_, i) => [test.labels[i], ...test.features.subarray(i * 784, (i + 1) * 784)].join(',')).join('\n')}\n`,
      );

      const ours = runCli(['predict', '--model', model, '--json', csv])
        .stdout.trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { probabilities: number[] }).probabilities);
      const script = join(dirname(fileURLToPath(import.meta.url)), 'torch_load.py').replace(`${join('dist', 'test')}`, 'test');
      const torch = spawnSync(python!, [script, model, csv], { encoding: 'utf8' });
      expect(torch.status, torch.stderr).toBe(0);
      const theirs = JSON.parse(torch.stdout) as number[][];
      expect(theirs.length).toBe(8);
      theirs.forEach((row, r) => row.forEach((p, c) => expect(Math.abs(p - ours[r][c])).toBeLessThan(1e-5)));
      // Each batch norm counted the epoch's training batches: the subset's 500 rows in batches of 32.
      const counts = JSON.parse(torch.stderr.trim().split('\n').at(-1)!) as Record<string, number>;
      for (const count of Object.values(counts)) expect(count).toBe(Math.ceil(500 / 32));
    },
  );
});
