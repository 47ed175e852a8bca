import { readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltinMnist } from '../../src/data/builtin.js';
import { saveModel } from '../../src/io/model-file.js';
import { Sequential } from '../../src/network/sequential.js';
import { renderDigit } from '../digit-images.js';
import { runCli, tempDir } from './run.js';

/** One model trained by the CLI on all built-in training digits (2 epochs, ~90% test accuracy), shared below. */
const dir = tempDir();
const model = join(dir, 'model.safetensors');
let trainedTestAccuracy = 0;

beforeAll(() => {
  const { status, stdout, stderr } = runCli(['train', '--epochs', '2', '--json', '--out', model]);
  expect(stderr).toBe('');
  expect(status).toBe(0);
  const test = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { event: string; accuracy?: number })
    .find((e) => e.event === 'test');
  trainedTestAccuracy = test!.accuracy!;
  expect(trainedTestAccuracy).toBeGreaterThan(0.88);
});

describe('scratchnet evaluate', () => {
  it('reports the same test accuracy as training did, with a confusion matrix and per-class precision/recall that agree with it', () => {
    const { status, stdout } = runCli(['evaluate', '--model', model, '--json']);
    expect(status).toBe(0);
    const result = JSON.parse(stdout) as {
      accuracy: number;
      count: number;
      confusionMatrix: number[][];
      perClass: { class: number; precision: number; recall: number; support: number }[];
    };
    expect(result.accuracy).toBe(trainedTestAccuracy);
    expect(result.count).toBe(2000);
    const m = result.confusionMatrix;
    expect(m.flat().reduce((a, b) => a + b, 0)).toBe(2000);
    expect(m.reduce((sum, row, i) => sum + row[i], 0) / 2000).toBe(result.accuracy);
    for (const { class: c, precision, recall, support } of result.perClass) {
      expect(support).toBe(m[c].reduce((a, b) => a + b, 0));
      expect(recall).toBeCloseTo(m[c][c] / support, 12);
      expect(precision).toBeCloseTo(m[c][c] / m.reduce((s, row) => s + row[c], 0), 12);
    }
  });

  it('prints accuracy, a per-class table and the confusion matrix as text', () => {
    const { status, stdout } = runCli(['evaluate', '--model', model]);
    expect(status).toBe(0);
    expect(stdout).toContain(`Accuracy: ${(trainedTestAccuracy * 100).toFixed(2)}%`);
    expect(stdout).toMatch(/^class {2}precision {2}recall {5}f1 {2}support$/m);
    expect(stdout).toMatch(
      /^Confusion matrix \(rows: true class, columns: predicted class\)\n +0 +1 +2 +3 +4 +5 +6 +7 +8 +9\n0 +\d+/m,
    );
  });

  it('refuses a model whose input size does not match the data, in one line', () => {
    const small = join(dir, 'small.safetensors');
    saveModel(small, Sequential.mlp({ inputs: 100, hidden: [8] }));
    const { status, stderr } = runCli(['evaluate', '--model', small]);
    expect(status).toBe(1);
    expect(stderr).toBe(
      `scratchnet: ${small} expects 100 inputs per sample [100], but built-in MNIST test has 784 [1, 28, 28]\n`,
    );
  });

  it('refuses a missing or broken model file, in one line', () => {
    expect(runCli(['evaluate', '--model', join(dir, 'nope.safetensors')]).stderr).toBe(
      `scratchnet: cannot read model file '${join(dir, 'nope.safetensors')}': no such file or folder\n`,
    );
    const broken = join(dir, 'broken.safetensors');
    writeFileSync(broken, 'hello, this is not a model');
    const { status, stderr } = runCli(['evaluate', '--model', broken]);
    expect(status).toBe(1);
    expect(stderr).toMatch(
      /^scratchnet: .*broken\.safetensors: header length \(bytes 0–7\) says \d+ bytes, above the 104857600-byte limit: not a safetensors file\?\n$/,
    );
  });
});

describe('scratchnet predict', () => {
  it('classifies MNIST test digits drawn as larger PNG and JPEG pictures on white, as the model classifies the digits themselves', () => {
    const { test } = loadBuiltinMnist();
    const files: string[] = [];
    const csvLines: string[] = [];
    const n = 40;
    for (let i = 0; i < n; i++) {
      const pixels = test.features.subarray(i * 784, (i + 1) * 784);
      const format = i % 4 === 3 ? 'jpeg' : 'png';
      const file = join(dir, `digit-${i}.${format === 'png' ? 'png' : 'jpg'}`);
      writeFileSync(file, renderDigit(pixels, { format, scale: 4 + (i % 5), margin: [10 + 3 * i, 50 - i, 20, 15 + (i % 7)] }));
      files.push(file);
      csvLines.push([test.labels[i], ...pixels].join(','));
    }
    const csv = join(dir, 'digits.csv');
    writeFileSync(csv, `${csvLines.join('\n')}\n`);

    const { status, stdout, stderr } = runCli(['predict', '--model', model, '--json', ...files, csv]);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const results = stdout
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { input: string; class: number; probability: number; probabilities: number[]; label?: number },
      );
    expect(results.length).toBe(2 * n);
    const pictures = results.slice(0, n);
    const rows = results.slice(n);
    for (const r of results) {
      expect(r.probabilities.length).toBe(10);
      expect(r.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(r.probability).toBe(Math.max(...r.probabilities));
    }
    expect(rows.map((r) => r.input)).toEqual(Array.from({ length: n }, (_, i) => `${csv}:${i + 1}`));
    expect(rows.map((r) => r.label)).toEqual(Array.from(test.labels.subarray(0, n)));
    const correct = pictures.filter((p, i) => p.class === test.labels[i]).length;
    const agree = pictures.filter((p, i) => p.class === rows[i].class).length;
    expect(correct / n).toBeGreaterThanOrEqual(0.85);
    expect(agree / n).toBeGreaterThanOrEqual(0.95);
  });

  it('prints the class and the ten probabilities as text, and can save the 28×28 picture the network saw', () => {
    const { test } = loadBuiltinMnist();
    const file = join(dir, 'one.png');
    writeFileSync(file, renderDigit(test.features.subarray(0, 784)));
    const seen = join(dir, 'seen');
    const { status, stdout } = runCli(['predict', '--model', model, '--save-preprocessed', seen, file]);
    expect(status).toBe(0);
    const saved = PNG.sync.read(readFileSync(join(seen, 'one.28x28.png')));
    expect([saved.width, saved.height]).toEqual([28, 28]);
    let brightest = 0;
    for (let i = 0; i < 784; i++) brightest = Math.max(brightest, saved.data[4 * i]);
    expect(brightest).toBe(255); // light ink on black, as MNIST
    expect(stdout).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d \\d+\\.\\d%  \\[0:\\d\\.\\d{3} 1:\\d\\.\\d{3} .* 9:\\d\\.\\d{3}\\]\\n$`,
      ),
    );
  });

  it('refuses unreadable inputs in one line', () => {
    const gif = join(dir, 'x.gif');
    writeFileSync(gif, 'GIF89a');
    expect(runCli(['predict', '--model', model, gif]).stderr).toBe(
      `scratchnet: ${gif}: predict reads .png, .jpg, .jpeg and .csv (.csv.gz) files\n`,
    );
    const fake = join(dir, 'fake.png');
    writeFileSync(fake, 'not really a png');
    expect(runCli(['predict', '--model', model, fake]).stderr).toBe(
      `scratchnet: ${fake}: not a PNG or JPEG image (its first bytes are neither)\n`,
    );
    const short = join(dir, 'short.csv');
    writeFileSync(short, '1,2,3\n');
    const result = runCli(['predict', '--model', model, short]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`scratchnet: ${short}, line 1: 3 values; the model takes 784 (or a label and 784)\n`);
  });
});

describe('scratchnet summary', () => {
  it("walks through the tutorial's shapes: 784-64-32-10 has 52,650 parameters and 105,290 FLOPs per sample", () => {
    const { status, stdout } = runCli(['summary', '--json']);
    expect(status).toBe(0);
    const summary = JSON.parse(stdout) as {
      paramCount: number;
      flops: number;
      layers: { layer: string; outputShape: number[]; paramCount: number; flops: number }[];
    };
    expect(summary.paramCount).toBe(784 * 64 + 64 + 64 * 32 + 32 + 32 * 10 + 10);
    expect(summary.layers.map((l) => [l.layer, l.outputShape, l.paramCount, l.flops])).toEqual([
      ['Dense(784 → 64)', [64], 50240, 2 * 784 * 64 + 64],
      ['ReLU', [64], 0, 64],
      ['Dense(64 → 32)', [32], 2080, 2 * 64 * 32 + 32],
      ['ReLU', [32], 0, 32],
      ['Dense(32 → 10)', [10], 330, 2 * 32 * 10 + 10],
    ]);
    expect(summary.flops).toBe(105290);
  });

  it('summarises a model file as a table with batch shapes', () => {
    const { status, stdout } = runCli(['summary', '--model', model, '--batch-size', '32']);
    expect(status).toBe(0);
    expect(stdout).toMatch(
      /^0 {2}Dense\(784 → 64\) {2}\[32, 784\] {9}weight \[784, 64\], bias \[64\] {2}\[32, 64\] {11}50,240 {7}100,416$/m,
    );
    expect(stdout).toMatch(/^ {3}total .* 52,650 {7}105,290$/m);
  });
});
