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

describe('model files in PyTorch', () => {
  it.skipIf(!python)(
    'PyTorch loads a model file into nn.Sequential (load_state_dict, strict) and predicts the same probabilities',
    () => {
      const dir = tempDir();
      const model = join(dir, 'm.safetensors');
      expect(
        runCli(['train', '--subset', '500', '--epochs', '1', '--hidden', '24,12', '--activation', 'leaky-relu', '--out', model])
          .status,
      ).toBe(0);
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
    },
  );
});
