import { statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ScratchnetError } from '../errors.js';
import { MAX_CSV_LINE_BYTES, MAX_PREDICT_CSV_BYTES, gzipLimit } from '../limits.js';
import { readFileOrFail } from '../util/fs.js';
import { printable } from '../util/printable.js';
import { megabytes } from './source.js';

/** Rows of features read for prediction, each with where it came from and its label when the file has one. */
export interface FeatureRows {
  /** [count × inputs], normalised to [0, 1] (pixel / 255). */
  features: Float32Array;
  count: number;
  /** 1-based line number of each row in the file. */
  lines: number[];
  /** Label of each row, or null when the rows have no label column. */
  labels: number[] | null;
}

/**
 * Reads a CSV (or .csv.gz) of pixel rows to classify: each line either `inputs` values (pixels 0–255)
 * or a label followed by them (the tutorial's mnist_test.csv layout). A first line that is not numbers
 * is a header and skipped. Any other line length or a non-number names its line and column.
 */
export function readFeatureRows(path: string, inputs: number): FeatureRows {
  const tooLarge = () =>
    new ScratchnetError(
      `${path}: more than ${megabytes(MAX_PREDICT_CSV_BYTES)} of CSV, the most predict reads at once (evaluate reads any size); split the file`,
    );
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    // readFileOrFail reports a missing or unreadable file in its words
  }
  if (size > MAX_PREDICT_CSV_BYTES) throw tooLarge();
  let bytes = readFileOrFail(path, 'CSV file');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const limit = Math.min(gzipLimit(bytes.length), MAX_PREDICT_CSV_BYTES);
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: limit });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        if (limit === MAX_PREDICT_CSV_BYTES) throw tooLarge();
        throw new ScratchnetError(
          `${path}: decompresses to more than ${megabytes(limit)}, the limit for a ${megabytes(bytes.length)} gzip file; a damaged file or a "gzip bomb"?`,
        );
      }
      throw new ScratchnetError(`${path}: cannot decompress (gzip): ${(error as Error).message}`);
    }
  }
  for (let start = 0, line = 1; start < bytes.length; line++) {
    const end = bytes.indexOf(10, start);
    if ((end < 0 ? bytes.length : end) - start > MAX_CSV_LINE_BYTES)
      throw new ScratchnetError(
        `${path}, line ${line}: longer than ${MAX_CSV_LINE_BYTES.toLocaleString('en-US')} bytes without a line break (the limit for one row)`,
      );
    start = end < 0 ? bytes.length : end + 1;
  }
  const text = bytes.toString('utf8');
  const rows: number[][] = [];
  const lines: number[] = [];
  let withLabel: boolean | null = null;
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const cells = line.split(',');
    if (rows.length === 0 && lines.length === 0 && cells.some((c) => c.trim() === '' || Number.isNaN(Number(c)))) {
      lines.push(-1); // header: remembered only so that no later line is taken for one
      return;
    }
    const lineNumber = index + 1;
    const hasLabel = cells.length === inputs + 1;
    if (cells.length !== inputs && !hasLabel)
      throw new ScratchnetError(
        `${path}, line ${lineNumber}: ${cells.length} values; the model takes ${inputs} (or a label and ${inputs})`,
      );
    if (withLabel !== null && withLabel !== hasLabel)
      throw new ScratchnetError(
        `${path}, line ${lineNumber}: ${cells.length} values, but earlier lines have ${withLabel ? inputs + 1 : inputs}`,
      );
    withLabel = hasLabel;
    const values = cells.map((cell, column) => {
      const v = Number(cell);
      if (cell.trim() === '' || !Number.isFinite(v))
        throw new ScratchnetError(`${path}, line ${lineNumber}, column ${column + 1}: '${printable(cell, 40)}' is not a number`);
      return v;
    });
    rows.push(values);
    lines.push(lineNumber);
  });
  const dataLines = lines.filter((l) => l > 0);
  if (rows.length === 0) throw new ScratchnetError(`${path}: no rows of numbers`);
  const features = new Float32Array(rows.length * inputs);
  rows.forEach((row, r) => {
    const pixels = withLabel ? row.slice(1) : row;
    for (let i = 0; i < inputs; i++) features[r * inputs + i] = pixels[i] / 255;
  });
  return { features, count: rows.length, lines: dataLines, labels: withLabel ? rows.map((row) => row[0]) : null };
}
