import { ScratchnetError } from '../errors.js';

/**
 * What `scratchnet predict` does to a picture before the network sees it, with no file or decoder: the
 * CLI (image.ts decodes PNG and JPEG files into RGBA) and the browser page (a canvas's RGBA) both come
 * through {@link grayFromRgba} and {@link mnistStyle}, so a drawing and its PNG are classified alike.
 */

/** A grayscale picture: brightness per pixel in [0, 1] (0 black, 1 white), row-major [height, width]. */
export interface GrayImage {
  width: number;
  height: number;
  pixels: Float32Array;
}

/** MNIST's field: 28×28, the digit scaled into a 20×20 box and centred by its centre of mass. */
export const FIELD = 28;
/** Side of the box MNIST scales each digit into, inside the {@link FIELD}. */
export const BOX = 20;

/**
 * RGBA bytes [height, width, 4] to grayscale (luma Y = 0.299 R + 0.587 G + 0.114 B, in [0, 1]), transparent
 * pixels laid on white paper: what a PNG or JPEG file, or a canvas, looks like printed.
 */
export function grayFromRgba(rgba: ArrayLike<number>, width: number, height: number): GrayImage {
  const pixels = new Float32Array(width * height);
  for (let i = 0; i < pixels.length; i++) {
    const luma = (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]) / 255;
    const alpha = rgba[4 * i + 3] / 255;
    pixels[i] = alpha * luma + (1 - alpha); // over white paper
  }
  return { width, height, pixels };
}

/**
 * Turns a picture of one digit into what an MNIST-trained network expects — 784 values in [0, 1],
 * bright ink on black — by MNIST's own recipe:
 * 1. ink: MNIST digits are light on dark; a picture with a light border (dark ink on light paper) is inverted;
 * 2. the paper's level (median of the border) becomes 0 and the darkest ink 1; faint noise below 0.15 is dropped;
 * 3. crop to the ink's bounding box;
 * 4. scale so the longer side is 20 pixels, keeping the aspect ratio (each output pixel the area average
 *    of the source pixels it covers);
 * 5. paste into 28×28 so that the ink's centre of mass sits on pixel (14, 14), the centre of the field.
 */
export function mnistStyle(image: GrayImage, source: string): Float32Array {
  const { width, height, pixels } = image;
  const border: number[] = [];
  for (let x = 0; x < width; x++) border.push(pixels[x], pixels[(height - 1) * width + x]);
  for (let y = 0; y < height; y++) border.push(pixels[y * width], pixels[y * width + width - 1]);
  const invert = median(border) > 0.5;
  const ink = invert ? pixels.map((v) => 1 - v) : pixels.slice();
  const paper = invert ? 1 - median(border) : median(border);
  let peak = 0;
  for (const v of ink) peak = Math.max(peak, v);
  if (peak - paper < 0.1) throw new ScratchnetError(`${source}: no digit found: the picture is a single flat shade`);
  let left = width;
  let right = -1;
  let top = height;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = (ink[y * width + x] - paper) / (peak - paper);
      v = v < 0.15 ? 0 : Math.min(1, v);
      ink[y * width + x] = v;
      if (v > 0) {
        left = Math.min(left, x);
        right = Math.max(right, x);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
      }
    }
  }
  const cropWidth = right - left + 1;
  const cropHeight = bottom - top + 1;
  const crop = new Float32Array(cropWidth * cropHeight);
  for (let y = 0; y < cropHeight; y++)
    crop.set(ink.subarray((top + y) * width + left, (top + y) * width + left + cropWidth), y * cropWidth);

  const scale = BOX / Math.max(cropWidth, cropHeight);
  const boxWidth = Math.max(1, Math.round(cropWidth * scale));
  const boxHeight = Math.max(1, Math.round(cropHeight * scale));
  const box = resampleArea(crop, cropWidth, cropHeight, boxWidth, boxHeight);

  // Centre of mass in pixel indices (as scipy's center_of_mass gives it); it moves to pixel (14, 14).
  let mass = 0;
  let sumX = 0;
  let sumY = 0;
  for (let y = 0; y < boxHeight; y++) {
    for (let x = 0; x < boxWidth; x++) {
      const v = box[y * boxWidth + x];
      mass += v;
      sumX += v * x;
      sumY += v * y;
    }
  }
  const shiftX = Math.round(FIELD / 2 - sumX / mass);
  const shiftY = Math.round(FIELD / 2 - sumY / mass);
  const out = new Float32Array(FIELD * FIELD);
  for (let y = 0; y < boxHeight; y++) {
    for (let x = 0; x < boxWidth; x++) {
      const tx = x + shiftX;
      const ty = y + shiftY;
      if (tx >= 0 && tx < FIELD && ty >= 0 && ty < FIELD) out[ty * FIELD + tx] = box[y * boxWidth + x];
    }
  }
  return out;
}

/**
 * Resizes src [height, width] to [newHeight, newWidth]: each output pixel is the average of the source
 * area it covers (fractional pixels weighted by overlap). Done along x, then along y.
 */
export function resampleArea(
  src: Float32Array,
  width: number,
  height: number,
  newWidth: number,
  newHeight: number,
): Float32Array {
  const rows = new Float32Array(height * newWidth);
  for (let y = 0; y < height; y++) resample1d(src, y * width, 1, width, rows, y * newWidth, 1, newWidth);
  const out = new Float32Array(newHeight * newWidth);
  for (let x = 0; x < newWidth; x++) resample1d(rows, x, newWidth, height, out, x, newWidth, newHeight);
  return out;
}

function resample1d(
  src: Float32Array,
  srcStart: number,
  srcStride: number,
  n: number,
  dst: Float32Array,
  dstStart: number,
  dstStride: number,
  m: number,
): void {
  const step = n / m; // source pixels per output pixel
  for (let i = 0; i < m; i++) {
    const from = i * step;
    const to = from + step;
    let sum = 0;
    for (let j = Math.floor(from); j < Math.min(n, Math.ceil(to)); j++) {
      const overlap = Math.min(to, j + 1) - Math.max(from, j);
      sum += src[srcStart + j * srcStride] * overlap;
    }
    dst[dstStart + i * dstStride] = sum / step;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
