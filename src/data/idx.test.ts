import { afterAll, describe, expect, it } from 'vitest';
import { idxBytes, tempDir } from '../../test/data-files.js';
import { loadIdx, readIdx } from './idx.js';
import { loadDataset } from './load.js';

const files = tempDir();
afterAll(() => files.cleanup());

const pixels = Array.from({ length: 3 * 784 }, (_, i) => (i * 13) % 256);
const images = idxBytes([3, 28, 28], pixels);
const labels = idxBytes([3], [7, 2, 9], 0x08);

describe('IDX', () => {
  it('reads shape, element type and data of one file', async () => {
    const file = await readIdx(files.file('one-idx3-ubyte', images));
    expect(file.shape).toEqual([3, 28, 28]);
    expect(file.type).toBe(0x08);
    expect(Array.from(file.data.subarray(0, 5))).toEqual(pixels.slice(0, 5));
  });

  it('loads an images/labels pair, plain or gzipped, as [1, 28, 28] images of bytes with scale 1/255', async () => {
    for (const suffix of ['', '.gz']) {
      const data = await loadIdx(
        files.file(`a-images-idx3-ubyte${suffix}`, images),
        files.file(`a-labels-idx1-ubyte${suffix}`, labels),
      );
      expect(data.count).toBe(3);
      expect(data.sampleShape).toEqual([1, 28, 28]);
      expect(data.classes).toBe(10);
      expect(data.scale).toBeCloseTo(1 / 255, 15);
      expect(Array.from(data.labels)).toEqual([7, 2, 9]);
      expect(Array.from(data.features)).toEqual(pixels);
    }
  });

  it('loadDataset finds the labels file beside the images file, with or without .gz', async () => {
    const dir = tempDir();
    const imagesPath = dir.file('train-images-idx3-ubyte.gz', images);
    dir.file('train-labels-idx1-ubyte', labels);
    const data = await loadDataset(imagesPath);
    expect(Array.from(data.labels)).toEqual([7, 2, 9]);
    const explicit = await loadDataset(files.file('pictures.idx3', images), { labelsPath: files.file('answers.idx1', labels) });
    expect(Array.from(explicit.labels)).toEqual([7, 2, 9]);
    dir.cleanup();
  });

  it('float32 elements become float features with scale 1, big-endian decoded', async () => {
    const raw = idxBytes([2, 2], [], 0x0d);
    const bytes = new Uint8Array(raw.length + 16);
    bytes.set(raw);
    const view = new DataView(bytes.buffer);
    [0.5, -1.25, 3, 1e-3].forEach((v, i) => view.setFloat32(raw.length + 4 * i, v));
    const data = await loadIdx(files.file('f-images-idx3', bytes), files.file('f-labels-idx1', idxBytes([2], [1, 0])));
    expect(data.features).toBeInstanceOf(Float32Array);
    expect(data.scale).toBe(1);
    expect(Array.from(data.features)).toEqual([0.5, -1.25, 3, Math.fround(1e-3)]);
    expect(data.classes).toBe(2);
  });

  it('labels Fashion-MNIST classes by name when the path says fashion', async () => {
    const data = await loadIdx(files.file('fashion-images-idx3-ubyte', images), files.file('fashion-labels-idx1-ubyte', labels));
    expect(data.classNames?.[9]).toBe('Ankle boot');
  });
});
