import { PNG } from 'pngjs';
import { type Dataset, sampleSize } from '../data/dataset.js';
import { ScratchnetError } from '../errors.js';
import { type Rgb, weightColourTable } from './inside.js';

export { WEIGHT_SCHEME, firstLayerWeights, type UnitWeights } from './inside.js';

/**
 * Digit and weight images as PNG files (pngjs), for the figures and for anyone who wants the pixels:
 * one sample as a grayscale image (0 black, 1 white, as matplotlib's `imshow(cmap='gray')`), a grid of
 * samples, and a first-layer weight vector as a 28×28 image in a diverging colour map.
 */

export interface ImageOptions {
  /** Each source pixel becomes zoom×zoom output pixels (nearest neighbour: crisp, no blur). Default 2. */
  zoom?: number;
}

/** Encodes a [height, width] image given as one colour per pixel into PNG bytes, zoomed. */
function encode(width: number, height: number, colourAt: (pixel: number) => Rgb, zoom: number): Buffer {
  if (!(Number.isInteger(zoom) && zoom >= 1)) throw new ScratchnetError(`zoom must be a positive integer, got ${zoom}`);
  const png = new PNG({ width: width * zoom, height: height * zoom });
  for (let y = 0; y < height * zoom; y++) {
    for (let x = 0; x < width * zoom; x++) {
      const [r, g, b] = colourAt(Math.floor(y / zoom) * width + Math.floor(x / zoom));
      const o = (y * width * zoom + x) * 4;
      png.data[o] = r;
      png.data[o + 1] = g;
      png.data[o + 2] = b;
      png.data[o + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/** The side of a square sample (28 for MNIST's 784 values); throws for samples that are not square images. */
export function imageSide(dataset: Dataset): number {
  const size = sampleSize(dataset);
  const side = Math.round(Math.sqrt(size));
  if (side * side !== size) throw new ScratchnetError(`${dataset.name}: samples of ${size} values are not square images`);
  return side;
}

/** A grayscale image of values in [0, 1] (clamped): v → gray level round(255·v). */
export function grayscalePng(values: ArrayLike<number>, width: number, height: number, options: ImageOptions = {}): Buffer {
  if (values.length !== width * height)
    throw new ScratchnetError(`grayscalePng: ${values.length} values for a ${height}×${width} image`);
  return encode(
    width,
    height,
    (p) => {
      const level = Math.round(255 * Math.min(1, Math.max(0, values[p])));
      return [level, level, level];
    },
    options.zoom ?? 2,
  );
}

/** Sample `index` of `dataset` as a grayscale PNG (white strokes on black, like the tutorial's). */
export function digitPng(dataset: Dataset, index: number, options: ImageOptions = {}): Buffer {
  if (!(Number.isInteger(index) && index >= 0 && index < dataset.count))
    throw new ScratchnetError(`digitPng: index ${index} outside 0..${dataset.count - 1}`);
  const side = imageSide(dataset);
  const size = side * side;
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = dataset.features[index * size + i] * dataset.scale;
  return grayscalePng(values, side, side, options);
}

/** Options of {@link digitGridPng}: the image options plus the grid's layout. */
export interface GridOptions extends ImageOptions {
  /** Images per row; default 10. */
  columns?: number;
  /** Gap between images in output pixels; default 2 (drawn in mid gray). */
  gap?: number;
}

/** The samples at `indices` side by side in rows, one PNG (no text; the charts add labels). */
export function digitGridPng(dataset: Dataset, indices: readonly number[], options: GridOptions = {}): Buffer {
  const { zoom = 2, columns = 10, gap = 2 } = options;
  const side = imageSide(dataset);
  const size = side * side;
  const cols = Math.max(1, Math.min(columns, indices.length));
  const rows = Math.max(1, Math.ceil(indices.length / cols));
  const cell = side * zoom + gap;
  const png = new PNG({ width: cols * cell - gap, height: rows * cell - gap });
  png.data.fill(128);
  for (let k = 0; k < indices.length; k++) {
    const row = indices[k];
    const left = (k % cols) * cell;
    const top = Math.floor(k / cols) * cell;
    for (let y = 0; y < side * zoom; y++) {
      for (let x = 0; x < side * zoom; x++) {
        const v = dataset.features[row * size + Math.floor(y / zoom) * side + Math.floor(x / zoom)] * dataset.scale;
        const level = Math.round(255 * Math.min(1, Math.max(0, v)));
        const o = ((top + y) * png.width + left + x) * 4;
        png.data[o] = level;
        png.data[o + 1] = level;
        png.data[o + 2] = level;
      }
    }
  }
  for (let o = 3; o < png.data.length; o += 4) png.data[o] = 255;
  return PNG.sync.write(png);
}

/**
 * Weights as a diverging-colour image: −limit → blue, 0 → white, +limit → red (values beyond ±limit
 * take the end colours).
 */
export function weightPng(
  weights: ArrayLike<number>,
  width: number,
  height: number,
  limit: number,
  options: ImageOptions = {},
): Buffer {
  if (weights.length !== width * height)
    throw new ScratchnetError(`weightPng: ${weights.length} weights for a ${height}×${width} image`);
  if (!(limit > 0)) throw new ScratchnetError(`weightPng: limit must be positive, got ${limit}`);
  const table = weightColourTable();
  return encode(
    width,
    height,
    (p) => {
      const t = (Math.min(limit, Math.max(-limit, weights[p])) / limit + 1) / 2; // [−limit, limit] → [0, 1]
      return table[Math.round(t * 255)];
    },
    options.zoom ?? 2,
  );
}

/** A PNG as a `data:` URL, to embed in a chart or an HTML page. */
export function pngDataUrl(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}
