import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { statSync } from 'node:fs';
import { ScratchnetError } from '../errors.js';
import { MAX_IMAGE_FILE_BYTES, MAX_IMAGE_PIXELS } from '../limits.js';
import { readFileOrFail } from '../util/fs.js';
import { type GrayImage, grayFromRgba } from './mnist-style.js';

export { type GrayImage, FIELD, BOX, grayFromRgba, mnistStyle, resampleArea } from './mnist-style.js';

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
  return grayFromRgba(rgba, width, height);
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
