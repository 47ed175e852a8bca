import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { MNIST_HEADER, idxBytes, mnistRows, tempDir } from '../../test/data-files.js';
import { ScratchnetError } from '../errors.js';
import { loadIdx } from './idx.js';
import { type LoadOptions, loadDataset } from './load.js';

const files = tempDir();
afterAll(() => files.cleanup());

/** Loading must fail with one ScratchnetError whose message names the file and matches every pattern. */
async function expectLoadError(path: string, patterns: (string | RegExp)[], options?: LoadOptions): Promise<void> {
  const error = await loadDataset(path, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScratchnetError);
  const message = (error as Error).message;
  expect(message).toContain(path);
  for (const pattern of patterns) expect(message).toMatch(pattern);
}

/** An MNIST-layout CSV (header + rows) with line `line` (1-based, header = line 1) replaced. */
function mnistWith(name: string, rows: number, line: number, replacement: (cells: string[]) => string[]): string {
  const lines = [MNIST_HEADER, ...mnistRows(rows).lines];
  lines[line - 1] = replacement(lines[line - 1].split(',')).join(',');
  return files.file(name, lines.join('\n') + '\n');
}

// Every CSV case on one thread and split in two sections parsed on two threads (see data/csv/sections.ts).
describe.each([
  ['one thread', {}],
  ['two threads, parallel: true', { parallel: true }],
  ['two threads into float32', { parallel: true, dtype: 'float32' }],
] as const)('bad CSV files (%s): one error naming file, line, column and problem', (_, mode: LoadOptions) => {
  const expectError = (path: string, patterns: (string | RegExp)[], options?: LoadOptions) =>
    expectLoadError(path, patterns, { ...mode, ...options });

  it('a row with the wrong number of columns', async () => {
    await expectError(
      mnistWith('short-row.csv', 20, 7, (cells) => cells.slice(0, 700)),
      ['line 7', 'found 700 columns, expected 785'],
    );
    await expectError(files.file('long-row.csv', 'a,b,label\n1,2,0\n3,4,1,9\n'), ['line 3', 'found 4 columns, expected 3']);
  });

  it('a file that is not comma-separated', async () => {
    await expectError(files.file('semicolons.csv', 'label;x\n1;2\n'), ['line 1: found 1 column', '";"']);
  });

  it('a cell that is not a number, found deep in a file spanning several read buffers', async () => {
    await expectError(
      mnistWith('text-cell.csv', 3000, 2500, (cells) => ((cells[300] = 'abc'), cells)),
      ['line 2500', 'column 301 ("11x20")', '"abc" is not a number'],
    );
    const typoFirst = mnistRows(5).lines;
    typoFirst[0] = typoFirst[0].replace(/^(\d+),(\d+),(\d+),/, '$1,$2,x,');
    await expectError(files.file('typo-on-line-1.csv', typoFirst.join('\n')), ['line 1, column 3', '"x" is not a number']);
    await expectError(
      mnistWith('colon-cell.csv', 5, 4, (cells) => ((cells[9] = '1:2'), cells)),
      ['line 4', 'column 10', '"1:2" is not a number'],
    );
    await expectError(
      mnistWith('empty-cell.csv', 5, 3, (cells) => ((cells[4] = ''), cells)),
      ['line 3', 'column 5', 'empty cell'],
    );
  });

  it('a pixel outside 0..255 or not a whole number', async () => {
    await expectError(
      mnistWith('pixel-256.csv', 10, 4, (cells) => ((cells[10] = '256'), cells)),
      ['line 4', 'column 11', 'pixel value 256 is outside 0..255'],
    );
    await expectError(
      mnistWith('pixel-negative.csv', 10, 5, (cells) => ((cells[1] = '-3'), cells)),
      ['line 5', 'column 2', 'pixel value -3 is outside 0..255'],
    );
    await expectError(
      mnistWith('pixel-fraction.csv', 10, 6, (cells) => ((cells[2] = '0.5'), cells)),
      ['line 6', 'pixel value 0.5 is not a whole number'],
    );
  });

  it('a label outside the class range or not a whole number', async () => {
    await expectError(
      mnistWith('label-10.csv', 10, 3, (cells) => ((cells[0] = '10'), cells)),
      ['line 3', 'column 1 ("label")', 'label 10 is outside the class range 0..9'],
    );
    await expectError(
      mnistWith('label-fraction.csv', 10, 8, (cells) => ((cells[0] = '2.5'), cells)),
      ['line 8', 'label 2.5 is not a whole number'],
    );
    await expectError(files.file('label-classes.csv', '0,1\n3,2\n'), ['line 2', 'label 3 is outside the class range 0..2'], {
      classes: 3,
    });
    await expectError(files.file('label-negative.csv', '0,1\n-1,2\n'), ['line 2', 'label -1 is negative']);
  });

  it('an empty class name, and a class count that is not a whole number', async () => {
    await expectError(files.file('empty-name.csv', 'x,kind\n1,cat\n2,\n'), ['line 3, column 2 ("kind")', 'empty label'], {
      labelColumn: 'kind',
    });
    await expectError(files.file('classes.csv', '0,1\n'), ['classes must be a whole number ≥ 1, got 2.5'], { classes: 2.5 });
  });

  it('an empty file, a file of blank lines, and a header with no rows', async () => {
    await expectError(files.file('empty.csv', ''), ['file is empty']);
    await expectError(files.file('blank.csv', '\n\r\n\n'), ['file is empty']);
    await expectError(files.file('header-only.csv', MNIST_HEADER + '\n'), ['header line (line 1) but no data rows']);
  });

  it('truncated or corrupt gzip', async () => {
    const zipped = gzipSync([MNIST_HEADER, ...mnistRows(200).lines].join('\n'));
    await expectError(files.file('truncated.csv', zipped.subarray(0, zipped.length >> 1)), ['truncated gzip data']);
    const corrupt = Uint8Array.from(zipped);
    for (let i = 100; i < 140; i++) corrupt[i] ^= 0x5a;
    await expectError(files.file('corrupt.csv', corrupt), ['corrupt gzip data']);
  });
});

describe('bad IDX files', () => {
  const images = idxBytes([2, 28, 28], new Uint8Array(2 * 784).fill(7));
  const labels = idxBytes([2], [1, 2]);

  it('a bad magic number, with its byte offset', async () => {
    const bad = Uint8Array.from(images);
    bad[2] = 0x07;
    await expectLoadError(files.file('magic-images-idx3-ubyte', bad), ['byte offset 0', 'bad IDX magic number 0x00000703'], {
      labelsPath: files.file('magic-labels-idx1-ubyte', labels),
    });
  });

  it('dimensions that disagree with the file size, plain and gzipped', async () => {
    const labelsPath = files.file('size-labels-idx1-ubyte', labels);
    await expectLoadError(
      files.file('short-images-idx3-ubyte', images.subarray(0, images.length - 10)),
      ['dimensions 2×28×28', 'need 1568 data bytes after the 16-byte header, but the file has 1558'],
      { labelsPath },
    );
    const longer = new Uint8Array(images.length + 5);
    longer.set(images);
    await expectLoadError(files.file('long-images-idx3-ubyte.gz', longer), ['need 1568 data bytes', 'the file has 1573'], {
      labelsPath,
    });
  });

  it('a different number of images and labels', async () => {
    const imagesPath = files.file('count-images-idx3-ubyte', images);
    const labelsPath = files.file('count-labels-idx1-ubyte', idxBytes([3], [1, 2, 3]));
    const error = await loadIdx(imagesPath, labelsPath).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScratchnetError);
    expect((error as Error).message).toMatch(/holds 2 images but .*count-labels-idx1-ubyte holds 3 labels/);
  });

  it('a label outside the class range, with its byte offset', async () => {
    const labelsPath = files.file('range-labels-idx1-ubyte', idxBytes([2], [1, 12]));
    const error = await loadIdx(files.file('range-images-idx3-ubyte', images), labelsPath).catch((e: unknown) => e);
    expect((error as Error).message).toContain(`${labelsPath} byte offset 9 (label 1): label 12 is outside the class range 0..9`);
  });

  it('a missing labels file beside the images', async () => {
    await expectLoadError(files.file('lonely-images-idx3-ubyte', images), [
      'lonely-labels-idx1-ubyte not found beside it',
      'labelsPath',
    ]);
  });
});

describe('bad paths', () => {
  it('a file that does not exist', async () => {
    await expectLoadError(join(files.dir, 'nowhere.csv'), ['no such file']);
    await expectLoadError(join(files.dir, 'nowhere-images-idx3-ubyte.gz'), ['no such file']);
  });

  it('a directory', async () => {
    const dir = join(files.dir, 'a-folder.csv');
    mkdirSync(dir);
    await expectLoadError(dir, ['is a directory']);
    writeFileSync(join(files.dir, 'plain'), '');
    await expectLoadError(files.dir, ['is a directory']);
  });
});
