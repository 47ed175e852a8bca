import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import opentype from 'opentype.js';
import * as vega from 'vega';

/**
 * The fonts of every figure: DejaVu Sans (matplotlib's default) from the npm package dejavu-fonts-ttf.
 * resvg draws text with these files, and vega lays text out with their real glyph widths (measured with
 * opentype.js) instead of its no-canvas guess of 0.8 × font size per character, which leaves titles
 * too wide, legends too roomy and labels truncated early.
 */

export { FONT_FAMILY } from './chart-style.js';

const FACES = {
  regular: 'DejaVuSans.ttf',
  bold: 'DejaVuSans-Bold.ttf',
  oblique: 'DejaVuSans-Oblique.ttf',
  boldOblique: 'DejaVuSans-BoldOblique.ttf',
} as const;

type Face = keyof typeof FACES;

let fontDir: string | null = null;

function fontDirectory(): string {
  if (fontDir) return fontDir;
  const require = createRequire(import.meta.url);
  fontDir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  return fontDir;
}

/** The TrueType files resvg draws text with. */
export function chartFontFiles(): string[] {
  return Object.values(FACES).map((file) => join(fontDirectory(), file));
}

const loaded = new Map<Face, opentype.Font>();

function face(bold: boolean, oblique: boolean): opentype.Font {
  const name: Face = bold ? (oblique ? 'boldOblique' : 'bold') : oblique ? 'oblique' : 'regular';
  let font = loaded.get(name);
  if (!font) {
    font = opentype.loadSync(join(fontDirectory(), FACES[name]));
    loaded.set(name, font);
  }
  return font;
}

/** What vega passes to a text-width function: a text mark item (only these fields matter here). */
export interface TextItem {
  /** In px; default 11 (vega's). */
  fontSize?: number;
  /** `bold`, `bolder` or a number ≥ 600 selects the bold face. */
  fontWeight?: string | number;
  /** `italic` or `oblique` selects the oblique face. */
  fontStyle?: string;
  /** Vega's truncation width in px; not read here. */
  limit?: number;
}

/** Advance width in px of `text` set in DejaVu Sans at the item's size, weight and style. */
export function measureText(item: TextItem, text: string): number {
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
  const value = text == null ? '' : String(text).trim();
  if (size <= 0 || value.length === 0) return 0;
  const weight = item.fontWeight;
  const bold =
    weight === 'bold' ||
    weight === 'bolder' ||
    (typeof weight === 'number' && weight >= 600) ||
    (typeof weight === 'string' && Number(weight) >= 600);
  const oblique = item.fontStyle === 'italic' || item.fontStyle === 'oblique';
  return face(bold, oblique).getAdvanceWidth(value, size, { kerning: true });
}

let installed = false;

/**
 * Makes vega measure text with DejaVu Sans from now on (vega's `textMetrics.width` is one setting for
 * the whole process; this replaces only the fallback estimate vega uses when no canvas is installed).
 */
export function useChartFontMetrics(): void {
  if (installed) return;
  // vega exports textMetrics at run time, but its type declarations leave it out.
  const { textMetrics } = vega as unknown as { textMetrics: { width: (item: TextItem, text: string) => number } };
  textMetrics.width = measureText;
  installed = true;
}
