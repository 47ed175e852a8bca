import { access } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ScratchnetError } from '../errors.js';
import { type CsvOptions, loadCsv } from './csv/load.js';
import type { Dataset } from './dataset.js';
import { loadIdx } from './idx.js';
import { openByteSource } from './source.js';

/** Options for any data file; CSV-only and IDX-only options are ignored by the other format. */
export interface LoadOptions extends CsvOptions {
  /** CSV: label column, 0-based (−1 = last) or a header name; default the column named "label", else 0. */
  labelColumn?: number | string;
  /** Number of classes; default 10 for MNIST-shaped data, else inferred (largest label + 1). */
  classes?: number;
  /** CSV: is line 1 a header? Default 'auto' (detected). */
  header?: 'auto' | boolean;
  /** IDX: the labels file; default the images file's name with "images-idx3" → "labels-idx1", beside it. */
  labelsPath?: string;
  /** Dataset name for messages and reports; default the file name. */
  name?: string;
}

const CSV_NAME = /\.(csv|txt)(\.gz)?$/i;
const IDX_NAME = /idx\d-ubyte(\.gz)?$|\.idx\d?(\.gz)?$/i;

/**
 * Loads a labelled dataset from a file, choosing the loader by name and, failing that, by content:
 * `.csv` / `.csv.gz` → CSV (loadCsv); an IDX images file (`*-images-idx3-ubyte[.gz]`) → IDX (loadIdx)
 * with its labels file found beside it. MNIST-shaped data comes back as bytes with scale 1/255, with
 * sampleShape [1, 28, 28] from IDX and [784] from CSV (a network reads either; layersFromSpec reads a
 * square flat sample as a one-channel image); see loadCsv for other tabular data.
 */
export async function loadDataset(path: string, options: LoadOptions = {}): Promise<Dataset> {
  const name = basename(path);
  let format: 'csv' | 'idx';
  if (CSV_NAME.test(name)) format = 'csv';
  else if (IDX_NAME.test(name) || options.labelsPath !== undefined) format = 'idx';
  else format = (await looksLikeIdx(path)) ? 'idx' : 'csv';
  if (format === 'csv') {
    if (options.labelsPath !== undefined)
      throw new ScratchnetError(`${path}: a labels file was given, but this is a CSV file: its labels are one of its columns`);
    return loadCsv(path, options);
  }
  if (options.labelColumn !== undefined)
    throw new ScratchnetError(
      `${path}: a label column was given, but this is an IDX file: its labels come from its labels file, not a column`,
    );
  const labelsPath = options.labelsPath ?? (await labelsBeside(path));
  return loadIdx(path, labelsPath, options);
}

/** IDX files start with two zero bytes, an element type and a dimension count; text files never do. */
async function looksLikeIdx(path: string): Promise<boolean> {
  const source = await openByteSource(path);
  try {
    const head = new Uint8Array(4);
    const got = await source.read(head, 0, 4);
    return got === 4 && head[0] === 0 && head[1] === 0 && [8, 9, 11, 12, 13, 14].includes(head[2]) && head[3] > 0;
  } finally {
    await source.close();
  }
}

/**
 * The labels file that goes with an images file: `train-images-idx3-ubyte.gz` → `train-labels-idx1-ubyte.gz`
 * (also tried with and without `.gz`, and `images`/`labels` separated by '.' or '_').
 */
export async function labelsBeside(imagesPath: string): Promise<string> {
  // Only a file that exists can have a partner: report a missing or unreadable images file first.
  await (await openByteSource(imagesPath)).close();
  const name = basename(imagesPath);
  const partner = name.replace(/images([-._])idx3/i, (_, sep: string) => `labels${sep}idx1`);
  if (partner === name) {
    throw new ScratchnetError(
      `${imagesPath}: cannot tell which file holds the labels (expected "images-idx3" in the name); name the labels file (the CLI's --train-labels or --test-labels, the library's labelsPath)`,
    );
  }
  const candidates = [partner, partner.endsWith('.gz') ? partner.slice(0, -3) : `${partner}.gz`].map((n) =>
    join(dirname(imagesPath), n),
  );
  for (const candidate of candidates) {
    if (
      await access(candidate).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  throw new ScratchnetError(
    `${imagesPath}: labels file ${candidates[0]} not found beside it (nor ${basename(candidates[1])}); name the labels file (the CLI's --train-labels or --test-labels, the library's labelsPath)`,
  );
}
