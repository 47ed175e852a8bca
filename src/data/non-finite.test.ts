import { afterAll, describe, expect, it } from 'vitest';
import { idxBytes, tempDir } from '../../test/data-files.js';
import { ScratchnetError } from '../errors.js';
import { evaluate } from '../network/evaluate.js';
import { Sequential } from '../network/sequential.js';
import { Rng } from '../tensor/rng.js';
import { loadIdx } from './idx.js';
import { loadDataset } from './load.js';

const files = tempDir('scratchnet-nan-data-');
afterAll(() => files.cleanup());

/** Big-endian float32 (type 0x0d) or float64 (0x0e) elements as IDX bytes, with their header. */
function floatIdx(shape: number[], values: number[], type: 0x0d | 0x0e = 0x0d): Uint8Array {
  const size = type === 0x0d ? 4 : 8;
  const bytes = new Uint8Array(values.length * size);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => (type === 0x0d ? view.setFloat32(i * size, v) : view.setFloat64(i * size, v)));
  return idxBytes(shape, bytes, type);
}

async function loadError(load: () => Promise<unknown>): Promise<string> {
  const error = await load().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScratchnetError);
  return (error as Error).message;
}

describe('data loading refuses NaN, ±Inf and empty files, naming the file and where', () => {
  const labels = files.file('labels-idx1-ubyte', idxBytes([2], [0, 1]));

  it('a float32 IDX with NaN or Inf pixels: byte offset, image and value', async () => {
    for (const [value, at] of [
      [NaN, 5],
      [Infinity, 2],
      [-Infinity, 7],
    ] as const) {
      const values = [0, 0.5, 1, 0.25, 0, 0.75, 1, 0.5];
      values[at] = value;
      const images = files.file(`f32-${value}-idx3-ubyte`, floatIdx([2, 2, 2], values));
      expect(await loadError(() => loadIdx(images, labels))).toBe(
        `${images} byte offset ${16 + 4 * at} (image ${Math.floor(at / 4)}, value ${at % 4}): ${value} is not a finite float32; features must be finite numbers`,
      );
    }
  });

  it('a float64 IDX with a value beyond float32 (1e300) is refused, not stored as Infinity', async () => {
    const images = files.file('f64-idx3-ubyte', floatIdx([2, 1, 2], [0, 1, 1e300, 2], 0x0e));
    expect(await loadError(() => loadIdx(images, labels))).toMatch(
      /byte offset 32 \(image 1, value 0\): 1e\+300 is not a finite float32/,
    );
  });

  it('an IDX of 0 images', async () => {
    const images = files.file('empty-idx3-ubyte', idxBytes([0, 28, 28], []));
    const none = files.file('none-idx1-ubyte', idxBytes([0], []));
    expect(await loadError(() => loadIdx(images, none))).toBe(`${images}: IDX holds 0 images; a dataset needs at least one`);
  });

  it('CSV cells nan, inf, -Infinity, 1e999, 1e300 and a 400-digit number: line, column and value', async () => {
    for (const [cell, problem] of [
      ['nan', '"nan" is not a number'],
      ['inf', '"inf" is not a number'],
      ['-Infinity', '"-Infinity" is not a number'],
      ['1e999', '"1e999" overflows to Infinity; values must be finite'],
      ['1e300', "1e+300 is beyond float32's range (±3.4e38); features must be finite"],
      ['9'.repeat(400), "Infinity is beyond float32's range (±3.4e38); features must be finite"],
    ]) {
      const path = files.file(`cell-${cell.slice(0, 8)}.csv`, `label,a,b\n0,1,2\n1,${cell},3\n`);
      expect(await loadError(() => loadDataset(path))).toBe(`${path} line 3, column 2 ("a"): ${problem}`);
    }
  });

  it('empty CSV files: no bytes, only blank lines, only a header, gzip of nothing', async () => {
    for (const [name, content, problem] of [
      ['empty.csv', '', 'file is empty (no data rows)'],
      ['blank.csv', '\n\n', 'file is empty (no data rows)'],
      ['header.csv', 'label,a,b\n', 'has a header line (line 1) but no data rows'],
      ['empty.csv.gz', '', 'file is empty (no data rows)'],
    ]) {
      const path = files.file(name, content);
      expect(await loadError(() => loadDataset(path))).toBe(`${path}: ${problem}`);
    }
  });

  it('an empty IDX file', async () => {
    const path = files.file('zero-idx3-ubyte', new Uint8Array(0));
    expect(await loadError(() => loadIdx(path, labels))).toBe(`${path}: file is empty (expected an IDX header)`);
  });

  it('evaluate refuses a dataset of no samples instead of reporting NaN accuracy', () => {
    const network = Sequential.mlp({ inputs: 2, hidden: [], classes: 2, rng: new Rng(1) });
    const empty = {
      name: 'nothing',
      features: new Float32Array(0),
      labels: new Int32Array(0),
      count: 0,
      sampleShape: [2],
      classes: 2,
      scale: 1,
    };
    expect(() => evaluate(network, empty)).toThrow('nothing: no samples to evaluate on');
  });
});
