import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { TopLevelSpec } from 'vega-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { pngSize, svgDocumentSize } from '../../test/viz-run.js';
import { chartFontFiles, measureText } from './fonts.js';
import { renderPng, renderSvg, svgToPng, writeChart } from './render.js';

const dir = mkdtempSync(join(tmpdir(), 'scratchnet-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A bar chart of three bars under a title: small enough to check pixel by pixel. */
const bars: TopLevelSpec = {
  title: 'Three bars',
  width: 120,
  height: 80,
  data: {
    values: [
      { k: 'a', v: 1 },
      { k: 'b', v: 3 },
      { k: 'c', v: 2 },
    ],
  },
  mark: 'bar',
  encoding: { x: { field: 'k', type: 'nominal' }, y: { field: 'v', type: 'quantitative' } },
};

/** Count of pixels darker than `level` in a rectangle of a decoded PNG. */
function darkPixels(png: PNG, x0: number, y0: number, x1: number, y1: number, level = 100): number {
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (png.data[(y * png.width + x) * 4] < level) n++;
  return n;
}

describe('rendering Vega-Lite headless', () => {
  it('renders a spec to an SVG document with one path per bar', async () => {
    const svg = await renderSvg(bars);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.split('aria-roledescription="bar"').length - 1).toBe(3);
  });

  it('a PNG is the SVG at `scale` times the size (2 by default)', async () => {
    const svg = await renderSvg(bars);
    const size = svgDocumentSize(svg);
    expect(pngSize(svgToPng(svg))).toEqual({ width: size.width * 2, height: size.height * 2 });
    expect(pngSize(svgToPng(svg, { scale: 1 }))).toEqual(size);
    expect(() => svgToPng(svg, { scale: 0 })).toThrow(/scale must be positive/);
  });

  it('draws text with the shipped DejaVu fonts: the title area of a title-only chart has ink', async () => {
    for (const file of chartFontFiles()) expect(existsSync(file), file).toBe(true);
    const titleOnly: TopLevelSpec = {
      title: { text: 'Hello', fontSize: 30 },
      width: 200,
      height: 10,
      data: { values: [] },
      mark: 'point',
    };
    const png = PNG.sync.read(await renderPng(titleOnly, { scale: 1 }));
    expect(darkPixels(png, 0, 0, png.width, 45)).toBeGreaterThan(100); // the glyphs of "Hello" at 30 px
  });

  it('lays text out with the real glyph widths, not the 0.8 × size per character estimate', () => {
    const regular = measureText({ fontSize: 12 }, 'Confidence 0.93');
    expect(regular).toBeGreaterThan(90);
    expect(regular).toBeLessThan(0.8 * 12 * 15); // vega's estimate: 144
    expect(measureText({ fontSize: 12, fontWeight: 'bold' }, 'Confidence 0.93')).toBeGreaterThan(regular);
    expect(measureText({ fontSize: 24 }, 'Confidence 0.93')).toBeCloseTo(2 * regular, 6);
    expect(measureText({ fontSize: 12 }, '')).toBe(0);
  });

  it('writeChart writes <base>.svg and <base>.png and reports the size', async () => {
    const written = await writeChart(bars, join(dir, 'sub', 'bars'));
    expect(written.svg).toBe(join(dir, 'sub', 'bars.svg'));
    const svgSize = svgDocumentSize(readFileSync(written.svg, 'utf8'));
    expect(svgSize).toEqual({ width: written.width, height: written.height });
    expect(pngSize(readFileSync(written.png))).toEqual({ width: written.width * 2, height: written.height * 2 });
  });
});
