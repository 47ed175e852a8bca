import { Resvg } from '@resvg/resvg-js';
import { View, parse } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { FONT_FAMILY, chartFontFiles, useChartFontMetrics } from './fonts.js';
import { writeFileAtomic } from '../util/fs.js';
import { ScratchnetError } from '../errors.js';

/**
 * Vega-Lite spec → SVG → PNG, headless in Node, no browser: vega-lite compiles the spec to Vega, a vega
 * `View` with no renderer runs the dataflow and serialises its scene graph as SVG, and resvg (Rust,
 * via @resvg/resvg-js) rasterises the SVG with the DejaVu fonts shipped in the npm package
 * dejavu-fonts-ttf — never the system's fonts, so a PNG is the same on every machine.
 */

export interface PngOptions {
  /** Output pixels per SVG pixel; default 2 (sharp on high-density screens and in print). */
  scale?: number;
}

/** Compiles Vega-Lite to a Vega spec (what `vega.parse` takes). */
export function toVega(spec: TopLevelSpec): ReturnType<typeof compile>['spec'] {
  return compile(spec).spec;
}

/** Renders a Vega-Lite spec to an SVG document (a string). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  useChartFontMetrics();
  const view = new View(parse(toVega(spec)), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG document to PNG bytes. */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  const { scale = 2 } = options;
  if (!(scale > 0)) throw new ScratchnetError(`PNG scale must be positive, got ${scale}`);
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: false, fontFiles: chartFontFiles(), defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  });
  return resvg.render().asPng();
}

/** Renders a Vega-Lite spec straight to PNG bytes. */
export async function renderPng(spec: TopLevelSpec, options: PngOptions = {}): Promise<Buffer> {
  return svgToPng(await renderSvg(spec), options);
}

/** The size in CSS pixels of an SVG document made by `renderSvg` (its width and height attributes). */
export function svgSize(svg: string): { width: number; height: number } {
  const match = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  if (!match) throw new Error('internal: svgSize: no width and height on the <svg> element');
  return { width: Number(match[1]), height: Number(match[2]) };
}

/** What {@link writeChart} wrote: the two files and the chart's size. */
export interface WrittenChart {
  /** Path of the SVG file. */
  svg: string;
  /** Path of the PNG file. */
  png: string;
  /** Width in CSS pixels (the PNG has scale × as many). */
  width: number;
  /** Height in CSS pixels. */
  height: number;
}

/** Writes `<base>.svg` and `<base>.png` (atomically) for a spec; returns their paths and size. */
export async function writeChart(spec: TopLevelSpec, base: string, options: PngOptions = {}): Promise<WrittenChart> {
  const svg = await renderSvg(spec);
  const png = svgToPng(svg, options);
  writeFileAtomic(`${base}.svg`, Buffer.from(svg, 'utf8'), 'figure');
  writeFileAtomic(`${base}.png`, png, 'figure');
  return { svg: `${base}.svg`, png: `${base}.png`, ...svgSize(svg) };
}
