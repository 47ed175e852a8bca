import type { Config } from 'vega-lite';

/** The font family name every chart config asks for (fonts.ts gives vega and resvg its files). */
export const FONT_FAMILY = 'DejaVu Sans';

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

/**
 * A percentage axis's label format and smallest tick step for values spanning [min, max], so that no two
 * labels read alike: a run from 77.0% to 77.5% gets ticks 0.1% apart labelled 77.0%, 77.1%, … (with '.0%'
 * it got 77%, 77%, 77%, 78%, and the point at 77.5% sat at the label 78%). The step is d3's (vega's ticks)
 * for about `ticks` ticks: span / ticks rounded up to 1, 2, 5 or 10 × 10^p; its decimals as a percentage
 * are the labels' decimals, and tickMinStep keeps a finer step (which would need more) from being chosen.
 */
export function percentAxis(values: readonly number[], ticks = 6): { format: string; tickMinStep: number } {
  const finite = values.filter(Number.isFinite);
  const span = finite.length > 1 ? Math.max(...finite) - Math.min(...finite) : 0;
  const rough = Math.max(span, 1e-3) / ticks; // a flat run: steps of about 0.02%
  let power = Math.floor(Math.log10(rough));
  const error = rough / 10 ** power;
  const factor = error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1;
  if (factor === 10) power++;
  const decimals = Math.max(0, -(power + 2)); // 1, 2 or 5 × 10^p as a percentage has −(p + 2) decimals
  return { format: `.${decimals}%`, tickMinStep: (factor === 10 ? 1 : factor) * 10 ** power };
}
