import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBuiltinMnist } from '../../src/data/builtin.js';
import { loadModel } from '../../src/io/model-file.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { findPython } from '../python.js';
import { runCli, tempDir } from './run.js';

// A Python with PyTorch and NumPy (see test/python.ts; SCRATCHNET_PYTHON picks one, SCRATCHNET_REQUIRE_TORCH=1 fails instead of skipping).
const { python, reason } = findPython(['torch', 'numpy']);
if (!python) console.log(`Skipping the PyTorch import test: no python3 with torch and numpy (${reason}; Debian: python3-torch).`);

const TEST_IMAGES = 1000;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..').replace(/[/\\]dist$/, '');
const script = join(root, 'scripts', 'torch-interop.py');

// The PyTorch networks of scripts/torch-interop.py, as scratchnet's flags describe them.
const networks: [string, string, string[]][] = [
  ['an MLP with batch norm and dropout', 'mlp', ['--hidden', '64,32', '--batch-norm', '--dropout', '0.2']],
  [
    "a convnet with 'same' padding and batch norm 2-d",
    'convnet',
    [
      '--layers',
      'conv2d(8,3),relu,maxpool2d(2),conv2d(16,3,1,same),batchnorm,relu,maxpool2d(2),flatten,dropout(0.25),dense(32),relu,dense(10)',
    ],
  ],
];

/** The built-in digits as the script reads them: raw bytes, 2,000 training and 1,000 test images. */
function writeDigits(dir: string): void {
  const { train, test } = loadBuiltinMnist();
  const bytes = (features: Uint8Array | Float32Array, rows: number) => Uint8Array.from(features.subarray(0, rows * 784));
  writeFileSync(join(dir, 'train-images.u8'), bytes(train.features, 2000));
  writeFileSync(join(dir, 'train-labels.u8'), Uint8Array.from(train.labels.subarray(0, 2000)));
  writeFileSync(join(dir, 'test-images.u8'), bytes(test.features, TEST_IMAGES));
}

describe('PyTorch weights in scratchnet', () => {
  it.skipIf(!python).each(networks)(
    '%s: trained in PyTorch, saved with json + NumPy, imported by `scratchnet import`, predicts 1,000 test digits as PyTorch does (probabilities to 1e-5)',
    (_, arch, flags) => {
      const dir = tempDir();
      writeDigits(dir);
      const torch = spawnSync(python!, [script, arch, dir, dir], { encoding: 'utf8' });
      expect(torch.status, torch.stderr).toBe(0);
      const theirs = new Float32Array(readFileSync(join(dir, 'probabilities.f32')).buffer.slice(0));
      expect(theirs.length).toBe(TEST_IMAGES * 10);

      const model = join(dir, 'model.safetensors');
      const imported = runCli(['import', '--weights', join(dir, 'torch.safetensors'), ...flags, '--out', model]);
      expect(imported.status, imported.stderr).toBe(0);
      expect(imported.stdout).toMatch(/^wrote .*model\.safetensors: Sequential/);

      const { network, info } = loadModel(model);
      expect(info.inputScale).toBeCloseTo(1 / 255, 15);
      const { test } = loadBuiltinMnist();
      const pixels = Float32Array.from(test.features.subarray(0, TEST_IMAGES * 784), (v) => v * test.scale);
      const x = new Tensor(pixels, [TEST_IMAGES, ...network.inputShape]);
      const ours = network.predictProba(x).data;
      const classes = network.predict(x);
      let largest = 0;
      let disagreements = 0;
      for (let r = 0; r < TEST_IMAGES; r++) {
        const row = theirs.subarray(r * 10, (r + 1) * 10);
        const best = row.indexOf(Math.max(...row));
        if (best !== classes[r]) disagreements++;
        for (let c = 0; c < 10; c++) largest = Math.max(largest, Math.abs(row[c] - ours[r * 10 + c]));
      }
      expect(disagreements).toBe(0);
      expect(largest).toBeLessThan(1e-5);
      // Trained, not merely initialised: the few steps already classify most digits.
      const correct = classes.reduce((n, c, r) => n + (c === test.labels[r] ? 1 : 0), 0);
      expect(correct / TEST_IMAGES).toBeGreaterThan(0.5);
    },
  );
});

describe('the json + NumPy writer in the docs', () => {
  it('docs/interop.md shows the very save_safetensors that scripts/torch-interop.py runs in the test above', () => {
    const fn = (text: string) => /def save_safetensors[\s\S]*?f\.writelines\(chunks\)\n/.exec(text)?.[0];
    const shown = fn(readFileSync(join(root, 'docs', 'interop.md'), 'utf8'));
    expect(shown).toBeDefined();
    expect(shown).toBe(fn(readFileSync(script, 'utf8')));
  });
});
