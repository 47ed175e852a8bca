import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Dataset, selectRows } from '../src/data/dataset.js';
import { loadIdx } from '../src/data/idx.js';

/**
 * The benchmark's data: IDX files (MNIST's format) read by the library's own loader. Fashion-MNIST comes from Debian's dataset-fashion-mnist, MNIST from
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
  return ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'].every((s) =>
    idxPath(directory, s),
  );
}

async function readSplit(directory: string, prefix: string, name: string, limit: number): Promise<Dataset> {
  const all = await loadIdx(
    idxPath(directory, `${prefix}-images-idx3-ubyte`)!,
    idxPath(directory, `${prefix}-labels-idx1-ubyte`)!,
    { name },
  );
  if (all.count <= limit) return all;
  return selectRows(
    all,
    Int32Array.from({ length: limit }, (_, i) => i),
    name,
  );
}

/**
 * The first data set found — or the first named `only` ('fashion', 'mnist', or a directory of IDX files) —
 * its first `trainSamples` training images and its whole test set; null if none.
 */
export async function loadBenchData(trainSamples: number, only?: string): Promise<BenchData | null> {
  const wanted = (candidate: { name: string; directory: string }) =>
    !only ||
    (only === 'fashion'
      ? candidate.name === 'Fashion-MNIST'
      : only === 'mnist'
        ? candidate.name === 'MNIST'
        : candidate.directory === resolve(only));
  const candidates =
    only && only !== 'fashion' && only !== 'mnist' ? [{ name: only, directory: resolve(only) }] : dataCandidates();
  for (const { name, directory } of candidates.filter(wanted)) {
    if (!hasIdx(directory)) continue;
    return {
      name,
      directory,
      train: await readSplit(directory, 'train', `${name} train`, trainSamples),
      test: await readSplit(directory, 't10k', `${name} test`, Infinity),
    };
  }
  return null;
}
