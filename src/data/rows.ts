import { gunzipSync } from 'node:zlib';
import { ScratchnetError } from '../errors.js';
import { readFileOrFail } from '../util/fs.js';

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
  let bytes = readFileOrFail(path, 'CSV file');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new ScratchnetError(`${path}: cannot decompress (gzip): ${(error as Error).message}`);
    }
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
        throw new ScratchnetError(`${path}, line ${lineNumber}, column ${column + 1}: '${cell}' is not a number`);
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
