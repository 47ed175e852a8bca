import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadBuiltinMnist } from '../../src/data/builtin.js';
import type { Dataset } from '../../src/data/dataset.js';
import { runCli, tempDir } from './run.js';

/** The tutorial's CSV layout: a header, then label and 784 pixels per line. */
function csv(data: Dataset, rows: number): string {
  const header = ['label', ...Array.from({ length: 784 }, (_, i) => `pixel${i}`)].join(',');
  const lines = Array.from({ length: rows }, (_, i) =>
    [data.labels[i], ...data.features.subarray(i * 784, (i + 1) * 784)].join(','),
  );
  return `${header}\n${lines.join('\n')}\n`;
}

/** MNIST's IDX pair: images (magic 0x803, [n, 28, 28] bytes) and labels (magic 0x801, [n] bytes). */
function idx(data: Dataset, rows: number): { images: Buffer; labels: Buffer } {
  const images = Buffer.alloc(16 + rows * 784);
  images.writeUInt32BE(0x803, 0);
  images.writeUInt32BE(rows, 4);
  images.writeUInt32BE(28, 8);
  images.writeUInt32BE(28, 12);
  images.set(data.features.subarray(0, rows * 784), 16);
  const labels = Buffer.alloc(8 + rows);
  labels.writeUInt32BE(0x801, 0);
  labels.writeUInt32BE(rows, 4);
  for (let i = 0; i < rows; i++) labels[8 + i] = data.labels[i];
  return { images, labels };
}

describe('train and evaluate on data files (the real CLI)', () => {
  const dir = tempDir();
  const { train, test } = loadBuiltinMnist();

  it('trains on a CSV with a header and tests on a gzipped CSV; evaluate on the same file agrees', () => {
    writeFileSync(join(dir, 'mnist_train.csv'), csv(train, 1500));
    writeFileSync(join(dir, 'mnist_test.csv.gz'), gzipSync(csv(test, 400)));
    const model = join(dir, 'csv.safetensors');
    const trained = runCli([
      'train',
      '--train',
      join(dir, 'mnist_train.csv'),
      '--test',
      join(dir, 'mnist_test.csv.gz'),
      '--epochs',
      '2',
      '--val-split',
      '0.2',
      '--json',
      '--out',
      model,
    ]);
    expect(trained.stderr).toBe('');
    expect(trained.status).toBe(0);
    const events = trained.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number | string>);
    expect(events[0]).toMatchObject({ train: 1200, validation: 300, test: 400, data: 'mnist_train.csv' });
    const testEvent = events.find((e) => e.event === 'test')!;
    expect(testEvent.accuracy).toBeGreaterThan(0.6);
    const evaluated = JSON.parse(
      runCli(['evaluate', '--model', model, '--test', join(dir, 'mnist_test.csv.gz'), '--json']).stdout,
    ) as { accuracy: number; count: number };
    expect(evaluated).toMatchObject({ accuracy: testEvent.accuracy, count: 400 });
  });

  it('trains on an IDX pair (labels found beside the images) with --subset and --seed', () => {
    const { images, labels } = idx(train, 2000);
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(images));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(labels));
    const run = runCli([
      'train',
      '--train',
      join(dir, 'train-images-idx3-ubyte.gz'),
      '--subset',
      '600',
      '--seed',
      '3',
      '--epochs',
      '1',
      '--json',
      '--out',
      join(dir, 'idx.safetensors'),
    ]);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout.split('\n')[0])).toMatchObject({ train: 600, validation: 200, test: 0 });
  });

  it('a missing data file or a model that does not fit the data is one line on stderr', () => {
    const missing = runCli(['train', '--train', join(dir, 'nope.csv')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`scratchnet: ${join(dir, 'nope.csv')}: no such file\n`);
    writeFileSync(join(dir, 'narrow.csv'), 'label,a,b,c\n1,0.5,0.25,1\n0,1,0,0\n');
    const narrow = runCli(['evaluate', '--model', join(dir, 'csv.safetensors'), '--test', join(dir, 'narrow.csv')]);
    expect(narrow.status).toBe(1);
    expect(narrow.stderr).toMatch(
      /^scratchnet: .*csv\.safetensors expects 784 inputs per sample \[784\], but narrow\.csv has 3 \[3\]\n$/,
    );
  });
});
