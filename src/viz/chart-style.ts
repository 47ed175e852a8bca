import type { Config } from 'vega-lite';
import { FONT_FAMILY } from './fonts.js';

/**
 * The look shared by every scratchnet figure: one font (DejaVu Sans, matplotlib's default, shipped by
 * the npm package dejavu-fonts-ttf so PNGs render the same on every machine), white background,
 * readable sizes, and colour choices named once.
 */

export const CHART_CONFIG: Config = {
  font: `${FONT_FAMILY}, Verdana, sans-serif`,
  background: 'white',
  padding: 16,
  title: { fontSize: 17, fontWeight: 'bold', anchor: 'middle', offset: 14, subtitleFontSize: 12, subtitleColor: '#555' },
  axis: {
    labelFontSize: 11,
    labelFlush: false,
    titleFontSize: 12,
    titleFontWeight: 'normal',
    gridColor: '#e3e3e3',
    domainColor: '#888',
    tickColor: '#888',
  },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  header: { labelFontSize: 11, titleFontSize: 12 },
  view: { stroke: '#bbb' },
  concat: { spacing: 24 },
};

/** Panel titles (one chart inside a grid): smaller than a figure title. */
export const PANEL_TITLE = { fontSize: 14, fontWeight: 'normal', offset: 8 } as const;

/** The figures' palette (CSS colours by role): right and wrong predictions, the true label, other classes, line series. */
export const COLOURS = {
  correct: '#1a8a34',
  wrong: '#d62728',
  trueLabel: '#54565b',
  otherClass: '#9ecae1',
  line: '#1f77b4',
  secondLine: '#ff7f0e',
  faint: '#aec7e8',
} as const;

/** Formats a fraction as a percentage with one decimal: 0.9134 → "91.3%". */
export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}
