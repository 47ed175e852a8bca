import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, it } from 'vitest';
import { idxBytes, mnistRows, MNIST_HEADER, tempDir } from '../../test/data-files.js';
import { renderDigit } from '../../test/digit-images.js';
import { fuzzReader } from '../../test/fuzz.js';
import { loadCsv } from './csv/load.js';
import { decodeImage, mnistStyle } from './image.js';
import { loadIdx } from './idx.js';

// Damaged data files: each reader returns a dataset or throws a ScratchnetError naming the problem,
// never another exception or a hang (test/fuzz.ts).
const files = tempDir('scratchnet-fuzz-');
afterAll(() => files.cleanup());
let counter = 0;
const write = (name: string, bytes: Uint8Array): string => {
  const path = join(files.dir, `${counter++}-${name}`);
  writeFileSync(path, bytes); // as they are: tempDir's file() would gzip a .gz name again
  return path;
};

describe('reading damaged data files', () => {
  const { lines } = mnistRows(4);
  const csv = Buffer.from([MNIST_HEADER, ...lines].join('\n') + '\n');
  const small = Buffer.from('label,a,b,c\n1,0.5,2,3\n0,1,1e-3,-4\n2,7,8,9\n');

  it('CSV, plain and gzipped: a dataset or a clean error', async () => {
    await fuzzReader('CSV', [csv, small], (bytes) => loadCsv(write('data.csv', bytes), { parallel: false }));
    await fuzzReader('CSV.gz', [gzipSync(csv), gzipSync(small)], (bytes) => loadCsv(write('data.csv.gz', bytes)));
  });

  it('IDX images and labels: a dataset or a clean error', async () => {
    const images = idxBytes(
      [3, 28, 28],
      Array.from({ length: 3 * 784 }, (_, i) => (i * 13) % 256),
    );
    const labels = idxBytes([3], [1, 7, 3]);
    const labelsPath = write('labels-idx1-ubyte', labels);
    await fuzzReader('IDX images', [images], (bytes) => loadIdx(write('images-idx3-ubyte', bytes), labelsPath));
    const imagesPath = write('images-idx3-ubyte', images);
    await fuzzReader('IDX labels', [labels], (bytes) => loadIdx(imagesPath, write('labels-idx1-ubyte', bytes)));
  });

  it('PNG and JPEG pictures: a 28×28 digit or a clean error', async () => {
    const pixels = Array.from({ length: 784 }, (_, i) => ((i % 28) - 14) ** 2 + ((Math.floor(i / 28) - 14) ** 2 < 40 ? 255 : 0));
    const png = renderDigit(pixels, { scale: 1, margin: [2, 2, 2, 2] });
    const jpeg = renderDigit(pixels, { scale: 1, margin: [2, 2, 2, 2], format: 'jpeg' });
    await fuzzReader('PNG/JPEG', [png, jpeg], (bytes) => mnistStyle(decodeImage(bytes, 'digit'), 'digit'));
  });
});
