import { afterAll, describe, expect, it } from 'vitest';
import { MNIST_HEADER, mnistRows, tempDir } from '../../../test/data-files.js';
import { ScratchnetError } from '../../errors.js';
import { type CsvOptions, loadCsv } from './load.js';
import { sectionWorkerUrl } from './sections.js';

const files = tempDir();
afterAll(() => files.cleanup());

/** Loads `path` on one thread and in two sections on two threads; both must give the same dataset. */
async function bothWays(path: string, options: CsvOptions = {}) {
  const one = await loadCsv(path, { ...options, parallel: false });
  const two = await loadCsv(path, { ...options, parallel: true });
  expect(two.count).toBe(one.count);
  expect(two.classes).toBe(one.classes);
  expect(two.scale).toBe(one.scale);
  expect(two.labels).toEqual(one.labels);
  expect(two.features.constructor).toBe(one.features.constructor);
  expect(two.features.length).toBe(one.features.length);
  expect(firstDifference(two.features, one.features)).toBe(-1);
  return two;
}

/** Index of the first element where a and b differ, or −1 (toEqual on millions of elements is slow). */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

async function errorOf(path: string, options: CsvOptions): Promise<string> {
  const error = await loadCsv(path, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScratchnetError);
  return (error as Error).message;
}

describe('loadCsv in two sections on two threads (parallel)', () => {
  it('has its worker script (compiled by npm run build)', () => {
    expect(sectionWorkerUrl(), 'dist/src/data/csv/section-worker.js is missing: run npm run build first').not.toBeNull();
  });

  const { lines, pixel } = mnistRows(3000); // 5.5 MB: spans several 1 MB read buffers on each thread

  it('gives the same MNIST rows as one thread, as bytes and as float32, with and without a header', async () => {
    const withHeader = files.file('sections.csv', [MNIST_HEADER, ...lines].join('\n') + '\n');
    const bytes = await bothWays(withHeader);
    expect(bytes.count).toBe(3000);
    expect(bytes.features[2999 * 784 + 500]).toBe(pixel(2999, 500));
    const floats = await bothWays(withHeader, { dtype: 'float32' });
    expect(floats.features[1700 * 784 + 3]).toBe(Math.fround(pixel(1700, 3) / 255));
    const noHeader = files.file('sections-no-header.csv', lines.join('\n')); // and no final newline
    expect((await bothWays(noHeader, { dtype: 'float32' })).labels[2999]).toBe(9);
  });

  it('keeps rows in order when blank lines (CRLF) in the first section leave a gap before the second', async () => {
    const gappy = ['', MNIST_HEADER, ...lines.slice(0, 200), '', '', '', ...lines.slice(200), '', ''];
    const data = await bothWays(files.file('sections-blank.csv', gappy.join('\r\n')), { dtype: 'float32' });
    expect(data.count).toBe(3000);
    expect(data.labels[2999]).toBe(9);
    expect(data.features[2000 * 784 + 10]).toBe(Math.fround(pixel(2000, 10) / 255));
    // A first section of nothing but blank lines: far more lines than rows could fit in its bytes.
    const rows = Array.from({ length: 200 }, (_, r) => `${r % 4},${r},${-r}`);
    const blanks = await bothWays(files.file('sections-blanks.csv', `label,x,y${'\n'.repeat(10_000)}${rows.join('\n')}\n`), {
      dtype: 'float32',
    });
    expect(blanks.count).toBe(200);
    expect(Array.from(blanks.features.subarray(2 * 199))).toEqual([199, -199]);
  });

  it('infers the class count from labels in either section (float32 tabular data)', async () => {
    const rows = Array.from({ length: 2000 }, (_, r) => `${r === 1900 ? 6 : r % 3},${r * 0.5},-${r}.25`);
    const data = await bothWays(files.file('sections-tabular.csv', `label,x,y\n${rows.join('\n')}\n`), { dtype: 'float32' });
    expect(data.classes).toBe(7);
    expect(Array.from(data.features.subarray(2 * 1999, 2 * 2000))).toEqual([999.5, -1999.25]);
  });

  it('names the right line in the second section, and reports the first section’s error first', async () => {
    const bad = [MNIST_HEADER, ...lines];
    bad[2800] = bad[2800].replace(/,0,/, ',300,'); // line 2801, well into the second section
    const second = files.file('sections-bad-second.csv', bad.join('\n') + '\n');
    for (const dtype of ['auto', 'float32'] as const) {
      const message = await errorOf(second, { parallel: true, dtype });
      expect(message).toContain(`${second} line 2801, column`);
      expect(message).toContain('pixel value 300 is outside 0..255');
    }
    bad[9] = bad[9].split(',').slice(0, 100).join(','); // line 10: too few columns
    const both = files.file('sections-bad-both.csv', bad.join('\n') + '\n');
    expect(await errorOf(both, { parallel: true })).toBe(`${both} line 10: found 100 columns, expected 785 (as the header has)`);
  });

  it('counts lines across blank lines for second-section errors', async () => {
    const bad = ['', '', MNIST_HEADER, ...lines.slice(0, 100), '', ...lines.slice(100)];
    bad[bad.length - 1] = bad[bad.length - 1].replace(/^9,/, '12,'); // line 3004: the last row
    const path = files.file('sections-bad-label.csv', bad.join('\n'));
    expect(await errorOf(path, { parallel: true })).toBe(
      `${path} line ${bad.length}, column 1 ("label"): label 12 is outside the class range 0..9 (10 classes)`,
    );
  });

  it('stays on one thread for gzip, class names and tabular data that may turn from bytes to floats', async () => {
    // These would give wrong results split; that they still load correctly shows the fallback.
    const named = Array.from({ length: 500 }, (_, r) => `${r},${['cat', 'dog'][r % 2]}`);
    const data = await loadCsv(files.file('named.csv', `x,kind\n${named.join('\n')}\n`), { parallel: true, labelColumn: 'kind' });
    expect(data.classNames).toEqual(['cat', 'dog']);
    const mixed = Array.from({ length: 500 }, (_, r) => `${r % 2},${r === 499 ? 0.5 : r % 256}`);
    const floats = await loadCsv(files.file('mixed.csv', mixed.join('\n')), { parallel: true });
    expect(floats.features).toBeInstanceOf(Float32Array);
    expect(floats.features[499]).toBe(0.5);
    const zipped = await loadCsv(files.file('sections.csv.gz', lines.join('\n')), { parallel: true });
    expect(zipped.count).toBe(3000);
  });
});
