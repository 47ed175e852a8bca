import { PNG } from 'pngjs';
import { Resvg } from '@resvg/resvg-js';
import { loadBuiltinMnist } from '../src/data/builtin.js';
import { type Dataset, selectRows } from '../src/data/dataset.js';
import { type Evaluation, evaluate } from '../src/network/evaluate.js';
import type { History } from '../src/training/callbacks.js';
import { fit } from '../src/training/fit.js';
import { Sequential } from '../src/network/sequential.js';
import { Rng } from '../src/tensor/rng.js';

/** A small real run for the figure tests: 784-16-10 trained 2 epochs on 400 built-in digits, tested on 300. */
export interface TinyRun {
  network: Sequential;
  history: History;
  train: Dataset;
  validation: Dataset;
  test: Dataset;
  evaluation: Evaluation;
}

let cached: TinyRun | null = null;

export function tinyRun(): TinyRun {
  if (cached) return cached;
  const { train: all, test: allTest } = loadBuiltinMnist();
  const rows = (n: number, from: number): number[] => Array.from({ length: n }, (_, i) => from + i);
  const train = selectRows(all, rows(400, 0), 'built-in MNIST train (400)');
  const validation = selectRows(all, rows(100, 400), 'built-in MNIST validation (100)');
  const test = selectRows(allTest, rows(300, 0), 'built-in MNIST test (300)');
  const network = Sequential.mlp({ hidden: [16], rng: new Rng(7) });
  const history = fit(network, train, { epochs: 2, batchSize: 32, validation, rng: new Rng(7) });
  cached = { network, history, train, validation, test, evaluation: evaluate(network, test) };
  return cached;
}

/** Decodes PNG bytes (throws if they are not a valid PNG). */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const png = PNG.sync.read(Buffer.from(bytes));
  return { width: png.width, height: png.height };
}

/** The width and height attributes of an SVG document, after checking resvg can parse it. */
export function svgDocumentSize(svg: string): { width: number; height: number } {
  new Resvg(svg); // throws on a malformed document
  const match = /^<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  if (!match) throw new Error('not an <svg> document with width and height');
  return { width: Number(match[1]), height: Number(match[2]) };
}

/** How many marks of a kind an SVG holds (vega labels each: "line mark", "bar", "rect mark", "text mark", …). */
export function countMarks(svg: string, role: string): number {
  return svg.split(`aria-roledescription="${role}"`).length - 1;
}

export function countImages(svg: string): number {
  return svg.split('<image ').length - 1;
}
