import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

export interface RenderOptions {
  /** Each MNIST pixel becomes scale × scale pixels. */
  scale?: number;
  /** White paper around the digit, in output pixels: left, top, right, bottom. */
  margin?: [number, number, number, number];
  format?: 'png' | 'jpeg';
  /** Dark ink on white paper (as people write); false keeps MNIST's light ink on black. */
  darkOnLight?: boolean;
}

/**
 * Draws a 28×28 MNIST digit (bytes 0–255, light ink on black) as a larger picture the way a person
 * would photograph or draw one: dark ink on white paper, off-centre, any size; PNG or JPEG bytes.
 */
export function renderDigit(pixels: ArrayLike<number>, options: RenderOptions = {}): Buffer {
  const { scale = 5, margin = [30, 10, 12, 40], format = 'png', darkOnLight = true } = options;
  const width = 28 * scale + margin[0] + margin[2];
  const height = 28 * scale + margin[1] + margin[3];
  const rgba = Buffer.alloc(width * height * 4, darkOnLight ? 255 : 0);
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255; // opaque
  for (let y = 0; y < 28 * scale; y++) {
    for (let x = 0; x < 28 * scale; x++) {
      const v = pixels[Math.floor(y / scale) * 28 + Math.floor(x / scale)];
      const shade = darkOnLight ? 255 - v : v;
      const at = ((y + margin[1]) * width + x + margin[0]) * 4;
      rgba[at] = rgba[at + 1] = rgba[at + 2] = shade;
      rgba[at + 3] = 255;
    }
  }
  if (format === 'jpeg') return Buffer.from(jpeg.encode({ data: rgba, width, height }, 90).data);
  const png = new PNG({ width, height });
  rgba.copy(png.data);
  return PNG.sync.write(png);
}
