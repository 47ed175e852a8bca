import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { renderDigit } from '../../test/digit-images.js';
import { ScratchnetError } from '../errors.js';
import { loadBuiltinMnist } from './builtin.js';
import { decodeImage, mnistStyle, resampleArea } from './image.js';

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('MNIST-style preprocessing of pictures', () => {
  it('area resampling averages exactly: 4 pixels [0, 1, 1, 0] → 2 pixels [0.5, 0.5]; 1 → 3 repeats', () => {
    expect(Array.from(resampleArea(Float32Array.of(0, 1, 1, 0), 4, 1, 2, 1))).toEqual([0.5, 0.5]);
    expect(Array.from(resampleArea(Float32Array.of(0.25), 1, 1, 3, 1))).toEqual([0.25, 0.25, 0.25]);
  });

  it('a dark bar on white paper becomes a light 20-pixel bar on black, its centre of mass on pixel (14, 14)', () => {
    const width = 50;
    const height = 60;
    const pixels = new Float32Array(width * height).fill(1);
    for (let y = 5; y < 45; y++) for (let x = 30; x < 40; x++) pixels[y * width + x] = 0; // 10 × 40, off-centre
    const out = mnistStyle({ width, height, pixels }, 'bar');
    const lit: [number, number][] = [];
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) if (out[y * 28 + x] > 0.5) lit.push([x, y]);
    const xs = lit.map(([x]) => x);
    const ys = lit.map(([, y]) => y);
    expect([Math.min(...xs), Math.max(...xs)]).toEqual([12, 16]); // 10 × 40 scaled by 1/2: 5 wide, 20 tall
    expect([Math.min(...ys), Math.max(...ys)]).toEqual([5, 24]); // centre of mass (2, 9.5) → (14, 14): shift (12, round(4.5) = 5)
    expect(out.filter((v) => v > 0).length).toBe(100);
  });

  it('MNIST test digits drawn large, off-centre, dark on white (PNG and JPEG) come back as the originals (correlation > 0.97)', () => {
    const { test } = loadBuiltinMnist();
    for (let i = 0; i < 12; i++) {
      const original = (test.features as Uint8Array).subarray(i * 784, (i + 1) * 784);
      for (const format of ['png', 'jpeg'] as const) {
        const bytes = renderDigit(original, { format, scale: 3 + (i % 4), margin: [5 + i, 40 - i, 7, 3 * i] });
        const restored = mnistStyle(decodeImage(bytes, `digit${i}.${format}`), `digit${i}`);
        expect(correlation(restored, original)).toBeGreaterThan(0.97);
      }
    }
  });

  it('light ink on black is kept as it is, and transparency counts as white paper', () => {
    const { test } = loadBuiltinMnist();
    const original = (test.features as Uint8Array).subarray(0, 784);
    const restored = mnistStyle(decodeImage(renderDigit(original, { darkOnLight: false }), 'x.png'), 'x.png');
    expect(correlation(restored, original)).toBeGreaterThan(0.97);
    const clear = new PNG({ width: 4, height: 4 }); // all transparent: white paper, nothing drawn
    expect(() => mnistStyle(decodeImage(PNG.sync.write(clear), 'clear.png'), 'clear.png')).toThrow(
      new ScratchnetError('clear.png: no digit found: the picture is a single flat shade'),
    );
  });

  it('refuses bytes that are neither PNG nor JPEG, and broken images, with one clear error', () => {
    expect(() => decodeImage(Buffer.from('GIF89a....'), 'a.gif')).toThrow(
      new ScratchnetError('a.gif: not a PNG or JPEG image (its first bytes are neither)'),
    );
    const truncated = renderDigit(new Uint8Array(784).fill(255)).subarray(0, 60);
    expect(() => decodeImage(truncated, 'cut.png')).toThrow(/^cut\.png: the PNG file is truncated/);
    expect(() => decodeImage(truncated.subarray(0, 20), 'head.png')).toThrow(/^head\.png: the PNG file is truncated or damaged/);
  });

  it('refuses a picture above MAX_IMAGE_PIXELS from its header, before decoding (PNG and JPEG)', () => {
    const png = Buffer.from(renderDigit(new Uint8Array(784).fill(255)));
    png.writeUInt32BE(6000, 16);
    png.writeUInt32BE(4200, 20); // 25.2 megapixels
    expect(() => decodeImage(png, 'big.png')).toThrow(
      'big.png: a 6000×4200 picture (25.2 megapixels); the limit is 25.0 megapixels',
    );
    // SOI, an APP0 segment of 16 bytes, then SOF0: precision 8, height 7000, width 7000
    const jpeg = Buffer.from([
      0xff,
      0xd8,
      0xff,
      0xe0,
      0,
      16,
      ...new Array<number>(14).fill(0),
      0xff,
      0xc0,
      0,
      17,
      8,
      0x1b,
      0x58,
      0x1b,
      0x58,
      3,
    ]);
    expect(() => decodeImage(jpeg, 'big.jpg')).toThrow('big.jpg: a 7000×7000 picture (49.0 megapixels)');
  });
});
