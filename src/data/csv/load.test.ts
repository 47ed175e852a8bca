import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { MNIST_HEADER, mnistRows, tempDir } from '../../../test/data-files.js';
import { MAX_CSV_LINE_BYTES } from '../../limits.js';
import { loadCsv } from './load.js';

const files = tempDir();
afterAll(() => files.cleanup());

describe('loadCsv: the MNIST layout', () => {
  const { lines, pixel } = mnistRows(25);
  const withHeader = files.file('with-header.csv', [MNIST_HEADER, ...lines].join('\n') + '\n');

  it('reads label + 784 pixels per row into bytes with scale 1/255, header detected', async () => {
    const data = await loadCsv(withHeader);
    expect(data.count).toBe(25);
    expect(data.sampleShape).toEqual([784]);
    expect(data.classes).toBe(10);
    expect(data.scale).toBeCloseTo(1 / 255, 15);
    expect(data.features).toBeInstanceOf(Uint8Array);
    expect(data.features.length).toBe(25 * 784);
    expect(Array.from(data.labels.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    expect(data.features[0]).toBe(pixel(0, 0));
    expect(data.features[3 * 784 + 100]).toBe(pixel(3, 100));
    expect(data.features[24 * 784 + 783]).toBe(pixel(24, 783));
    expect(data.name).toBe('with-header.csv');
  });

  it('gives the same data without a header, gzipped, with CRLF, blank lines and no final newline', async () => {
    const reference = await loadCsv(withHeader);
    const variants = [
      files.file('no-header.csv', lines.join('\n')),
      files.file('gzipped.csv.gz', [MNIST_HEADER, ...lines].join('\n') + '\n'),
      files.file('crlf.csv', ['', MNIST_HEADER, ...lines, '', ''].join('\r\n')),
    ];
    for (const path of variants) {
      const data = await loadCsv(path);
      expect(data.count).toBe(25);
      expect(data.features).toEqual(reference.features);
      expect(data.labels).toEqual(reference.labels);
    }
  });

  it('rows spanning many 1 MB read buffers, and lines of almost 1 MiB (the line limit), parse whole', async () => {
    const many = mnistRows(3000);
    const big = await loadCsv(files.file('big.csv', many.lines.join('\n')));
    expect(big.count).toBe(3000);
    expect(big.features[2999 * 784 + 500]).toBe(many.pixel(2999, 500));
    expect(big.labels[2999]).toBe(9);
    const wide = 500_000; // "1," per cell: 1,000,000 bytes per line, under MAX_CSV_LINE_BYTES = 1,048,576
    const row = (label: number) => `${label},` + '1,'.repeat(wide - 1) + '2';
    const long = await loadCsv(files.file('long-lines.csv', `${row(0)}\n${row(1)}\n`));
    expect(long.count).toBe(2);
    expect(long.sampleShape).toEqual([wide]);
    expect(long.features[wide - 2]).toBe(1);
    expect(long.features[wide - 1]).toBe(2);
    expect(long.features[2 * wide - 1]).toBe(2);
  });

  it('a line longer than MAX_CSV_LINE_BYTES is refused with its line number, wherever it starts', async () => {
    const over = '1,'.repeat(MAX_CSV_LINE_BYTES / 2) + '1';
    await expect(loadCsv(files.file('over-1.csv', `${over}\n0,1\n`))).rejects.toThrow(
      /over-1\.csv line 1: longer than 1,048,576 bytes without a line break/,
    );
    const rows = mnistRows(700).lines; // ≈ 1.1 MB: the long line starts in the second read buffer
    await expect(loadCsv(files.file('over-702.csv', [...rows, over.slice(0, 1569), over].join('\n')))).rejects.toThrow(
      /over-702\.csv line 702: longer than 1,048,576 bytes/,
    );
  });

  it('reads a gzip file of several members (its trailer then understates the size: storage grows)', async () => {
    const many = mnistRows(400);
    const first = gzipSync([MNIST_HEADER, ...many.lines.slice(0, 390)].join('\n') + '\n');
    const second = gzipSync(many.lines.slice(390).join('\n') + '\n');
    const path = join(files.dir, 'members.csv.gz');
    writeFileSync(path, Buffer.concat([first, second]));
    const data = await loadCsv(path);
    expect(data.count).toBe(400);
    expect(data.features[399 * 784 + 783]).toBe(many.pixel(399, 783));
    expect(data.labels[399]).toBe(9);
  });

  it("dtype 'float32' stores pixels already normalised, scale 1", async () => {
    const data = await loadCsv(withHeader, { dtype: 'float32' });
    expect(data.features).toBeInstanceOf(Float32Array);
    expect(data.scale).toBe(1);
    expect(data.features[3 * 784 + 100]).toBeCloseTo(pixel(3, 100) / 255, 7);
  });
});

describe('loadCsv: other tabular data', () => {
  it('reads decimals, signs and exponents into float32 with the label column chosen by name', async () => {
    const path = files.file('measures.csv', 'width,height,kind\n1.5,-2,1\n.25,3e2,0\n+4,-0.125,2\n1E-2, 7 ,1\n');
    const data = await loadCsv(path, { labelColumn: 'kind' });
    expect(data.features).toBeInstanceOf(Float32Array);
    expect(data.scale).toBe(1);
    expect(data.sampleShape).toEqual([2]);
    expect(Array.from(data.features)).toEqual([1.5, -2, 0.25, 300, 4, -0.125, Math.fround(0.01), 7]);
    expect(Array.from(data.labels)).toEqual([1, 0, 2, 1]);
    expect(data.classes).toBe(3);
  });

  it('takes the column named "label" by default, or a negative index from the end', async () => {
    const path = files.file('named.csv', 'a,label,b\n10,1,20\n30,0,40\n');
    const data = await loadCsv(path);
    expect(Array.from(data.labels)).toEqual([1, 0]);
    expect(Array.from(data.features)).toEqual([10, 20, 30, 40]);
    const last = await loadCsv(files.file('last.csv', '10,20,1\n30,40,0\n'), { labelColumn: -1 });
    expect(Array.from(last.labels)).toEqual([1, 0]);
    expect(Array.from(last.features)).toEqual([10, 20, 30, 40]);
  });

  it('keeps integers 0–255 as bytes with scale 1, and turns to float32 at the first other value', async () => {
    const bytes = await loadCsv(files.file('small-ints.csv', '0,3,200\n1,255,0\n'));
    expect(bytes.features).toBeInstanceOf(Uint8Array);
    expect(bytes.scale).toBe(1);
    expect(Array.from(bytes.features)).toEqual([3, 200, 255, 0]);
    const mixed = await loadCsv(files.file('mixed.csv', '0,3,200\n1,255,0\n0,2.5,1000\n'));
    expect(mixed.features).toBeInstanceOf(Float32Array);
    expect(Array.from(mixed.features)).toEqual([3, 200, 255, 0, 2.5, 1000]);
  });

  it('maps class names to numbers in sorted order and keeps the names', async () => {
    const path = files.file(
      'iris.csv',
      'sepal,petal,species\n5.1,1.4,"setosa"\n6.3,6.0,virginica\n5.9,4.2,versicolor\n5.0,1.3,setosa\n',
    );
    const data = await loadCsv(path, { labelColumn: 'species' });
    expect(data.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(Array.from(data.labels)).toEqual([0, 2, 1, 0]);
    expect(data.classes).toBe(3);
    expect(Array.from(data.features)).toEqual([5.1, 1.4, 6.3, 6, 5.9, 4.2, 5, 1.3].map(Math.fround));
  });

  it('detects a header of numeric column names after a text label name', async () => {
    const data = await loadCsv(files.file('numeric-names.csv', 'label,1,2\n1,5,6\n0,7,8\n'));
    expect(data.count).toBe(2);
    expect(Array.from(data.features)).toEqual([5, 6, 7, 8]);
  });

  it('header: false reads line 1 as data; header: true skips it', async () => {
    const path = files.file('numeric-first-line.csv', '1,2,3\n0,5,6\n');
    expect((await loadCsv(path, { header: false })).count).toBe(2);
    const skipped = await loadCsv(path, { header: true });
    expect(skipped.count).toBe(1);
    expect(Array.from(skipped.features)).toEqual([5, 6]);
  });

  it('decodes cells of every length alike, whichever path reads them', async () => {
    const values = [0, 7, 42, 255, 1000, 65535, 123456, 9];
    const lines = Array.from({ length: 40 }, (_, r) => [r % 3, ...values.map((v) => v + r)].join(','));
    const data = await loadCsv(files.file('lengths.csv', lines.join('\n')));
    expect(data.features).toBeInstanceOf(Float32Array);
    expect(Array.from(data.features.subarray(0, 8))).toEqual(values);
    expect(Array.from(data.features.subarray(39 * 8, 40 * 8))).toEqual(values.map((v) => v + 39));
    expect(data.labels[39]).toBe(0);
    const bigLabels = await loadCsv(files.file('big-labels.csv', '1234,5\n7,6\n'));
    expect(Array.from(bigLabels.labels)).toEqual([1234, 7]);
    expect(bigLabels.classes).toBe(1235);
  });

  it('ignores a UTF-8 byte-order mark, with or without a header', async () => {
    const bom = '\uFEFF';
    const named = await loadCsv(files.file('bom-header.csv', `${bom}label,x\n1,5\n0,6\n`), { labelColumn: 'label' });
    expect(Array.from(named.labels)).toEqual([1, 0]);
    const bare = await loadCsv(files.file('bom-bare.csv', `${bom}1,5\n0,6\n`));
    expect(bare.count).toBe(2);
    expect(Array.from(bare.features)).toEqual([5, 6]);
  });

  it('a given class count is kept even when the file holds fewer classes', async () => {
    const data = await loadCsv(files.file('two-classes.csv', '0,1\n1,2\n'), { classes: 5 });
    expect(data.classes).toBe(5);
  });
});
