import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../data/dataset.js';
import { Sequential } from '../network/sequential.js';
import { Rng } from '../tensor/rng.js';
import { digitGridPng, digitPng, firstLayerWeights, grayscalePng, imageSide, pngDataUrl, weightPng } from './digits.js';

/** Two 2×2 "images": a diagonal and its opposite, as bytes with scale 1/255. */
const tiny: Dataset = {
  name: 'tiny',
  features: new Uint8Array([255, 0, 0, 255, 0, 128, 64, 0]),
  labels: new Int32Array([3, 7]),
  count: 2,
  sampleShape: [4],
  classes: 10,
  scale: 1 / 255,
};

function pixel(png: PNG, x: number, y: number): number[] {
  const o = (y * png.width + x) * 4;
  return Array.from(png.data.subarray(o, o + 4));
}

describe('digit images', () => {
  it('a sample becomes a grayscale PNG: 0 black, 1 white, each pixel zoom×zoom', () => {
    const png = PNG.sync.read(digitPng(tiny, 1, { zoom: 3 }));
    expect([png.width, png.height]).toEqual([6, 6]);
    expect(pixel(png, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(pixel(png, 3, 2)).toEqual([128, 128, 128, 255]); // source (1, 0) = 128/255 → gray 128
    expect(pixel(png, 0, 5)).toEqual([64, 64, 64, 255]); // source (0, 1) = 64
    expect(pixel(png, 5, 5)).toEqual([0, 0, 0, 255]);
  });

  it('values outside [0, 1] are clamped, and a wrong value count is refused', () => {
    const png = PNG.sync.read(grayscalePng([-1, 2], 2, 1, { zoom: 1 }));
    expect(pixel(png, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(pixel(png, 1, 0)).toEqual([255, 255, 255, 255]);
    expect(() => grayscalePng([0, 1, 0], 2, 2)).toThrow(/3 values for a 2×2 image/);
  });

  it('a grid puts the samples side by side with a gray gap', () => {
    const png = PNG.sync.read(digitGridPng(tiny, [0, 1, 0], { zoom: 1, columns: 2, gap: 1 }));
    expect([png.width, png.height]).toEqual([5, 5]); // 2 columns × (2 + 1) − 1, 2 rows × 3 − 1
    expect(pixel(png, 0, 0)).toEqual([255, 255, 255, 255]); // sample 0, pixel (0, 0)
    expect(pixel(png, 2, 0)).toEqual([128, 128, 128, 255]); // the gap
    expect(pixel(png, 4, 0)).toEqual([128, 128, 128, 255]); // sample 1, pixel (1, 0) = 128
    expect(pixel(png, 1, 4)).toEqual([255, 255, 255, 255]); // sample 0 again, second row, pixel (1, 1)
  });

  it('imageSide refuses samples that are not square images', () => {
    expect(imageSide(tiny)).toBe(2);
    expect(() => imageSide({ ...tiny, sampleShape: [3] })).toThrow(/not square images/);
  });

  it('weights map to a diverging scale: −limit blue, 0 white, +limit red, beyond clipped', () => {
    const png = PNG.sync.read(weightPng([-0.5, 0, 0.5, 9], 4, 1, 0.5, { zoom: 1 }));
    const [negative, zero, positive, beyond] = [0, 1, 2, 3].map((x) => pixel(png, x, 0));
    expect(negative[2]).toBeGreaterThan(negative[0] + 50); // blue
    expect(positive[0]).toBeGreaterThan(positive[2] + 50); // red
    expect(Math.min(...zero.slice(0, 3))).toBeGreaterThan(235); // near white
    expect(beyond).toEqual(positive);
  });

  it("firstLayerWeights reads unit u's column W[i, u] of the first Dense layer", () => {
    const network = Sequential.mlp({ inputs: 4, hidden: [3], classes: 2, rng: new Rng(1) });
    const w = network.params()[0].value; // [4, 3]
    const units = firstLayerWeights(network);
    expect(units).toHaveLength(3);
    expect(Array.from(units[2].weights)).toEqual([w.data[2], w.data[5], w.data[8], w.data[11]]);
  });

  it('pngDataUrl is a base64 data URL', () => {
    expect(pngDataUrl(Buffer.from([1, 2, 3]))).toBe('data:image/png;base64,AQID');
  });
});
