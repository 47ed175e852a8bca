import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSafetensorsFile, writeSafetensorsFile } from '../../src/io/safetensors-file.js';
import { idxBytes } from '../data-files.js';
import { runCli, tempDir } from './run.js';

// Issue 14, section 3: a NaN or ±Inf is never hidden. Each hostile case: exit 1, one line on stderr naming
// the file (and place), no stack trace, and nothing written or changed at the output paths.
const dir = tempDir();
const model = join(dir, 'model.safetensors');
const checkpointDir = join(dir, 'adam');
const TINY = ['--epochs', '1', '--subset', '64', '--seed', '1'];

/** Runs the CLI and checks the shape of a refusal: status 1, stdout empty unless given, one stderr line, no stack. */
function refused(args: string[]): string {
  const { status, stderr } = runCli(args, dir);
  expect(status, stderr).toBe(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr.endsWith('\n') && stderr.indexOf('\n') === stderr.length - 1, stderr).toBe(true);
  return stderr.trimEnd();
}

/** `file` with `tensor[index] = value`. */
function damage(file: string, tensor: string, index: number, value: number, what?: string): void {
  const { tensors, metadata } = readSafetensorsFile(file, what);
  tensors.get(tensor)!.data[index] = value;
  writeSafetensorsFile(file, tensors, metadata, what);
}

beforeAll(() => {
  expect(runCli(['train', ...TINY, '--out', model], dir).status).toBe(0);
  expect(
    runCli(
      ['train', ...TINY, '--optimizer', 'adam', '--checkpoint-dir', checkpointDir, '--out', join(dir, 'adam.safetensors')],
      dir,
    ).status,
  ).toBe(0);
});

describe('training that meets NaN stops with one line naming epoch, batch and the last good checkpoint', () => {
  it('--lr 1e30: stops at epoch 1, batch 2, writes no model, and says no checkpoint was written', () => {
    const out = join(dir, 'diverged.safetensors');
    const message = refused(['train', '--epochs', '1', '--lr', '1e30', '--out', out]);
    expect(message).toBe(
      `scratchnet: training stopped at epoch 1, batch 2: the loss is NaN; ${out} not written; no checkpoint was written (--checkpoint-dir writes one per epoch); try a lower --lr or --clip-norm`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('with --checkpoint-dir: epoch 1 is checkpointed, epoch 2 diverges, and the message points to the checkpoint', () => {
    const out = join(dir, 'diverged2.safetensors');
    const checkpoints = join(dir, 'ck');
    const message = refused([
      'train',
      '--epochs',
      '2',
      '--subset',
      '32',
      '--val-split',
      '0',
      '--lr',
      '1e30',
      '--checkpoint-dir',
      checkpoints,
      '--out',
      out,
    ]);
    expect(message).toMatch(
      new RegExp(
        `^scratchnet: training stopped at epoch 2, batch 1: the loss is (NaN|Infinity); .*diverged2.safetensors not written; last good checkpoint: .*ck/checkpoint.safetensors \\(after epoch 1\\); try a lower --lr or --clip-norm$`,
      ),
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('model files and checkpoints with NaN, ±Inf or negative second moments are refused, naming the tensor and index', () => {
  it('evaluate and predict refuse a model with a NaN weight (they used to print 10.00% and class −1 "NaN%")', () => {
    const bad = join(dir, 'nan.safetensors');
    writeFileSync(bad, readFileSync(model));
    damage(bad, '0.weight', 12, NaN);
    const expected = `scratchnet: ${bad}: tensor '0.weight' has NaN at index 12: every weight and statistic must be finite`;
    expect(refused(['evaluate', '--model', bad])).toBe(expected);
    const csv = join(dir, 'row.csv');
    writeFileSync(csv, `${new Array(784).fill(0).join(',')}\n`);
    expect(refused(['predict', '--model', bad, csv])).toBe(expected);
  });

  it('train --resume refuses a checkpoint with a negative Adam second moment, and one with an Infinity bias', () => {
    const file = join(checkpointDir, 'checkpoint.safetensors');
    const original = readFileSync(file);
    damage(file, 'optimizer/2.weight/exp_avg_sq', 3, -0.5, 'checkpoint');
    const out = join(dir, 'resumed.safetensors');
    expect(refused(['train', '--resume', checkpointDir, '--epochs', '2', '--out', out])).toBe(
      `scratchnet: ${file}: tensor 'optimizer/2.weight/exp_avg_sq' has -0.5 at index 3: a sum of squares cannot be negative`,
    );
    writeFileSync(file, original);
    damage(file, '4.bias', 1, Infinity, 'checkpoint');
    expect(refused(['train', '--resume', checkpointDir, '--epochs', '2', '--out', out])).toBe(
      `scratchnet: ${file}: tensor '4.bias' has Infinity at index 1: every weight and statistic must be finite`,
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('data with NaN, ±Inf or nothing in it is refused, naming the file and place', () => {
  it('train --train CSV with a nan, an inf or a 1e999 cell: line and column, no model written', () => {
    const out = join(dir, 'csv.safetensors');
    for (const cell of ['nan', 'inf', '1e999']) {
      const csv = join(dir, `bad-${cell}.csv`);
      writeFileSync(csv, `label,a,b\n0,1,2\n1,0.5,0.25\n0,${cell},1\n`);
      expect(refused(['train', '--train', csv, '--epochs', '1', '--out', out])).toMatch(
        new RegExp(
          `^scratchnet: ${csv} line 4, column 2 \\("a"\\): "${cell}" (is not a number|overflows to Infinity; values must be finite)$`,
        ),
      );
    }
    expect(existsSync(out)).toBe(false);
  });

  it('train --train float32 IDX with a NaN pixel, and evaluate --test on an IDX of 0 images (it printed "Accuracy: NaN%")', () => {
    const bytes = new Uint8Array(4 * 4);
    new DataView(bytes.buffer).setFloat32(8, NaN);
    const images = join(dir, 'nan-images-idx3-ubyte');
    writeFileSync(images, idxBytes([2, 1, 2], bytes, 0x0d));
    writeFileSync(join(dir, 'nan-labels-idx1-ubyte'), idxBytes([2], [0, 1]));
    const out = join(dir, 'idx.safetensors');
    expect(refused(['train', '--train', images, '--train-labels', join(dir, 'nan-labels-idx1-ubyte'), '--out', out])).toBe(
      `scratchnet: ${images} byte offset 24 (image 1, value 0): NaN is not a finite float32; features must be finite numbers`,
    );
    expect(existsSync(out)).toBe(false);

    const empty = join(dir, 'empty-images-idx3-ubyte');
    writeFileSync(empty, idxBytes([0, 28, 28], []));
    writeFileSync(join(dir, 'empty-labels-idx1-ubyte'), idxBytes([0], []));
    expect(refused(['evaluate', '--model', model, '--test', empty, '--test-labels', join(dir, 'empty-labels-idx1-ubyte')])).toBe(
      `scratchnet: ${empty}: IDX holds 0 images; a dataset needs at least one`,
    );
  });

  it('evaluate --test on an empty CSV file and on a header-only one', () => {
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    expect(refused(['evaluate', '--model', model, '--test', empty])).toBe(`scratchnet: ${empty}: file is empty (no data rows)`);
    const header = join(dir, 'header.csv');
    writeFileSync(header, 'label,a\n');
    expect(refused(['evaluate', '--model', model, '--test', header])).toMatch(
      /header\.csv: has a header line \(line 1\) but no data rows$/,
    );
  });
});
