import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { statSync } from 'node:fs';
import { ScratchnetError } from '../errors.js';
import { MAX_IMAGE_FILE_BYTES, MAX_IMAGE_PIXELS } from '../limits.js';
import { readFileOrFail } from '../util/fs.js';

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

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Reads a picture file whole, refusing one larger than {@link MAX_IMAGE_FILE_BYTES} before reading it. */
export function readImageFile(path: string): Buffer {
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    // readFileOrFail reports a missing or unreadable file in its words
  }
  if (size > MAX_IMAGE_FILE_BYTES)
    throw new ScratchnetError(
      `${path}: a ${Math.round(size / 1e6)} MB picture file; the limit is ${MAX_IMAGE_FILE_BYTES >> 20} MiB`,
    );
  return readFileOrFail(path, 'image');
}

/**
 * Decodes a PNG (pngjs) or JPEG (jpeg-js), recognised by its first bytes, to grayscale
 * (luma Y = 0.299 R + 0.587 G + 0.114 B). Transparent pixels are laid on white paper. The dimensions are
 * read from the header first and a picture above {@link MAX_IMAGE_PIXELS} is refused before decoding.
 */
export function decodeImage(bytes: Uint8Array, source: string): GrayImage {
  let width: number;
  let height: number;
  let rgba: Uint8Array;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const png = buffer.subarray(0, 8).equals(PNG_SIGNATURE);
  const isJpeg = buffer[0] === 0xff && buffer[1] === 0xd8;
  if (!png && !isJpeg) throw new ScratchnetError(`${source}: not a PNG or JPEG image (its first bytes are neither)`);
  const size = png ? pngSize(buffer, source) : jpegSize(buffer, source);
  if (size.width === 0 || size.height === 0)
    throw new ScratchnetError(
      `${source}: the ${png ? 'PNG' : 'JPEG'} header says ${size.width}×${size.height} pixels: an empty picture`,
    );
  if (size.width * size.height > MAX_IMAGE_PIXELS) {
    throw new ScratchnetError(
      `${source}: a ${size.width}×${size.height} picture (${megapixels(size.width * size.height)} megapixels); the limit is ${megapixels(MAX_IMAGE_PIXELS)} megapixels: scale it down`,
    );
  }
  try {
    if (png) {
      ({ width, height, data: rgba } = PNG.sync.read(buffer));
    } else {
      const maxResolutionInMP = MAX_IMAGE_PIXELS / 1e6;
      ({
        width,
        height,
        data: rgba,
      } = jpeg.decode(buffer, { useTArray: true, formatAsRGBA: true, maxResolutionInMP, maxMemoryUsageInMB: 1024 }));
    }
  } catch (error) {
    const message = (error as Error).message;
    // pngjs's words for data that stops early: "unexpected end of file", "… waiting on finished stream".
    if (/unexpected end|finished stream|premature/i.test(message))
      throw new ScratchnetError(`${source}: the ${png ? 'PNG' : 'JPEG'} file is truncated (it ends before its image data does)`);
    throw new ScratchnetError(`${source}: cannot decode the image: ${message}`);
  }
  const pixels = new Float32Array(width * height);
  for (let i = 0; i < pixels.length; i++) {
    const luma = (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]) / 255;
    const alpha = rgba[4 * i + 3] / 255;
    pixels[i] = alpha * luma + (1 - alpha); // over white paper
  }
  return { width, height, pixels };
}

/** A PNG's size from its first chunk, IHDR: width and height as big-endian uint32 at bytes 16 and 20. */
function pngSize(buffer: Buffer, source: string): { width: number; height: number } {
  if (buffer.length < 24 || buffer.toString('latin1', 12, 16) !== 'IHDR')
    throw new ScratchnetError(`${source}: the PNG file is truncated or damaged (no IHDR header after the signature)`);
  return { width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20) };
}

/**
 * A JPEG's size from its start-of-frame segment (markers C0–CF except C4 DHT, C8 JPG, CC DAC):
 * [FF Cn] [length: 2] [precision: 1] [height: 2] [width: 2], all big-endian. Segments before it are skipped by length.
 */
function jpegSize(buffer: Buffer, source: string): { width: number; height: number } {
  let at = 2;
  while (at + 9 <= buffer.length) {
    if (buffer[at] !== 0xff) break;
    const marker = buffer[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return { height: buffer.readUInt16BE(at + 5), width: buffer.readUInt16BE(at + 7) };
    at += 2 + buffer.readUInt16BE(at + 2);
  }
  throw new ScratchnetError(`${source}: the JPEG file is truncated or damaged (no frame header giving its size)`);
}

function megapixels(pixels: number): string {
  return (pixels / 1e6).toFixed(1);
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

/** A PNG of `pixels` [height, width] in [0, 1] (1 = white): how to look at what the network is given. */
export function encodeGrayPng(pixels: Float32Array, width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) {
    const v = Math.round(Math.min(1, Math.max(0, pixels[i])) * 255);
    png.data[4 * i] = png.data[4 * i + 1] = png.data[4 * i + 2] = v;
    png.data[4 * i + 3] = 255;
  }
  return PNG.sync.write(png);
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
