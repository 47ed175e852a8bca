import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Dataset } from '../src/data/dataset.js';

/**
 * The benchmark's data: IDX files (MNIST's format) read directly — a tiny reader, so the benchmark
 * depends on nothing but the files. Fashion-MNIST comes from Debian's dataset-fashion-mnist, MNIST from
 * ../shared/data/mnist beside the repository when present. SCRATCHNET_BENCH_DATA names another directory.
 */
export interface BenchData {
  name: string;
  directory: string;
  train: Dataset;
  test: Dataset;
}

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root: bench/ sits in it, or in dist/ when compiled. */
export const repoRoot = resolve(here, existsSync(resolve(here, '../package.json')) ? '..' : '../..');

export function dataCandidates(): { name: string; directory: string }[] {
  const candidates = [
    { name: 'Fashion-MNIST', directory: '/usr/share/datasets/fashion-mnist' },
    { name: 'MNIST', directory: resolve(repoRoot, '../shared/data/mnist') },
    { name: 'MNIST', directory: resolve(repoRoot, '../../shared/data/mnist') },
  ];
  const custom = process.env.SCRATCHNET_BENCH_DATA;
  return custom ? [{ name: custom, directory: custom }, ...candidates] : candidates;
}

function idxPath(directory: string, stem: string): string | null {
  for (const name of [`${stem}.gz`, stem]) if (existsSync(join(directory, name))) return join(directory, name);
  return null;
}

export function hasIdx(directory: string): boolean {
  return ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'].every((s) => idxPath(directory, s));
}

/** An unsigned-byte IDX file: its dimensions and its bytes. */
function readIdx(path: string): { dims: number[]; bytes: Uint8Array } {
  let raw: Buffer = readFileSync(path);
  if (path.endsWith('.gz')) raw = gunzipSync(raw);
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0 || raw[2] !== 0x08) throw new Error(`${path}: not an unsigned-byte IDX file (magic ${raw.subarray(0, 4).toString('hex')})`);
  const dims = Array.from({ length: raw[3] }, (_, i) => raw.readUInt32BE(4 + 4 * i));
  const offset = 4 + 4 * dims.length;
  const size = dims.reduce((a, b) => a * b, 1);
  if (raw.length !== offset + size) throw new Error(`${path}: ${raw.length - offset} data bytes, header says ${size}`);
  return { dims, bytes: new Uint8Array(raw.buffer, raw.byteOffset + offset, size) };
}

function readSplit(directory: string, prefix: string, name: string, limit: number): Dataset {
  const images = readIdx(idxPath(directory, `${prefix}-images-idx3-ubyte`)!);
  const labels = readIdx(idxPath(directory, `${prefix}-labels-idx1-ubyte`)!);
  const count = Math.min(images.dims[0], labels.dims[0], limit);
  const size = images.dims[1] * images.dims[2];
  return {
    name,
    features: images.bytes.slice(0, count * size),
    labels: Int32Array.from(labels.bytes.subarray(0, count)),
    count,
    sampleShape: [size],
    classes: 10,
    scale: 1 / 255,
  };
}

/** The first data set found, its first `trainSamples` training images and its whole test set; null if none. */
export function loadBenchData(trainSamples: number): BenchData | null {
  for (const { name, directory } of dataCandidates()) {
    if (!hasIdx(directory)) continue;
    return { name, directory, train: readSplit(directory, 'train', `${name} train`, trainSamples), test: readSplit(directory, 't10k', `${name} test`, Infinity) };
  }
  return null;
}
