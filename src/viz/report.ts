import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs.js';
import type { EpochSummary } from '../training/callbacks.js';
import { percent } from './chart-style.js';
import { type FigureFile, type RunFigureInput, writeRunFigures } from './figures.js';

/**
 * The run report: one `index.html` presenting every figure with the run's configuration and metrics.
 * Self-contained: the page has its styles inline, loads no script and no font, and references only the
 * figure files written beside it — it opens from disk with no network.
 */

/** A value in the report's tables: a scalar, a list (shown comma-separated), null (shown as "–") or undefined (row left out). */
export type ReportValue = string | number | boolean | null | undefined | readonly (string | number)[];

/** What {@link writeReport} presents: the figures' data plus the run's settings and results. */
export interface ReportInput extends RunFigureInput {
  /** Page title; default "scratchnet training report". */
  title?: string;
  /** The run's settings (options, data, network), shown as a table in this order; undefined rows are left out. */
  config?: Record<string, ReportValue>;
  /** Results beyond those derived here (test accuracy and loss, parameters, epochs are added automatically). */
  metrics?: Record<string, ReportValue>;
  /** When the report was made; default now. */
  date?: Date;
}

/** What {@link writeReport} wrote. */
export interface Report {
  /** Path of index.html. */
  index: string;
  /** The figures, in page order. */
  figures: FigureFile[];
}

/** Writes every figure and `index.html` into `dir` (created if missing); returns what was written. */
export async function writeReport(dir: string, input: ReportInput): Promise<Report> {
  const figures = await writeRunFigures(dir, input);
  const html = reportHtml({ ...input, figures });
  for (const figure of figures) {
    for (const file of [figure.svg, figure.png])
      if (!existsSync(join(dir, file))) throw new Error(`internal: writeReport: figure file ${file} is missing from ${dir}`);
  }
  const index = join(dir, 'index.html');
  writeFileAtomic(index, Buffer.from(html, 'utf8'), 'report');
  return { index, figures };
}

/** The metrics every report shows, from the run's own results. */
export function runMetrics(input: ReportInput): Record<string, ReportValue> {
  const last = input.history?.epochs.at(-1);
  return {
    'test accuracy': input.evaluation ? percent(input.evaluation.accuracy) : undefined,
    'test loss': input.evaluation ? input.evaluation.loss.toFixed(4) : undefined,
    'test samples': input.test?.count,
    'final validation accuracy': last?.valAccuracy != null ? percent(last.valAccuracy) : undefined,
    'final validation loss': last?.valLoss != null ? last.valLoss.toFixed(4) : undefined,
    'final training loss (epoch mean)': last ? last.trainLoss.toFixed(4) : undefined,
    'epochs trained': input.history?.epochs.length,
    'batches trained': input.history?.batchLoss.length,
    'training time': input.history ? `${input.history.epochs.reduce((s, e) => s + e.seconds, 0).toFixed(1)} s` : undefined,
    network: String(input.network),
    parameters: input.network.parameterCount().toLocaleString('en-US'),
    ...input.metrics,
  };
}

/** The report page as a string, for figures already written (file names relative to the page). */
export function reportHtml(input: ReportInput & { figures: readonly FigureFile[] }): string {
  const title = input.title ?? 'scratchnet training report';
  const date = input.date ?? new Date();
  const sections = [
    `<div class="summary"><section><h2>Results</h2>${keyValueTable(runMetrics(input))}</section>` +
      (input.config ? `<section><h2>Configuration</h2>${keyValueTable(input.config)}</section>` : '') +
      '</div>',
    input.history && input.history.epochs.length > 0
      ? `<section><h2>Epochs</h2>${epochTable(input.history.epochs)}</section>`
      : '',
    `<section><h2>Figures</h2><nav><ul>${input.figures.map((f) => `<li><a href="#${escape(f.id)}">${escape(f.title)}</a></li>`).join('')}</ul></nav></section>`,
    ...input.figures.map(figureHtml),
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>
${STYLE}
</style>
</head>
<body>
<header><h1>${escape(title)}</h1><p class="meta">Made by scratchnet on ${escape(date.toISOString().replace('T', ' ').slice(0, 19))} UTC. Every figure is a PNG with its SVG beside it.</p></header>
<main>
${sections.filter((s) => s !== '').join('\n')}
</main>
</body>
</html>
`;
}

function figureHtml(figure: FigureFile): string {
  return `<section class="figure" id="${escape(figure.id)}"><h2>${escape(figure.title)}</h2>
<figure><img src="${escape(figure.png)}" width="${Math.round(figure.width)}" height="${Math.round(figure.height)}" alt="${escape(figure.title)}: ${escape(figure.caption)}">
<figcaption>${escape(figure.caption)} <a href="${escape(figure.svg)}">SVG</a> · <a href="${escape(figure.png)}">PNG</a></figcaption></figure></section>`;
}

function keyValueTable(rows: Record<string, ReportValue>): string {
  const cells = Object.entries(rows)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<tr><th scope="row">${escape(k)}</th><td>${escape(formatValue(v))}</td></tr>`);
  return `<table class="kv">${cells.join('')}</table>`;
}

function epochTable(epochs: readonly EpochSummary[]): string {
  const head =
    '<tr><th>epoch</th><th>training loss</th><th>validation loss</th><th>validation accuracy</th><th>learning rate</th><th>seconds</th></tr>';
  const rows = epochs.map(
    (e) =>
      `<tr><td>${e.epoch}</td><td>${e.trainLoss.toFixed(4)}</td><td>${e.valLoss === null ? '–' : e.valLoss.toFixed(4)}</td><td>${e.valAccuracy === null ? '–' : percent(e.valAccuracy)}</td><td>${e.learningRate}</td><td>${e.seconds.toFixed(2)}</td></tr>`,
  );
  return `<table class="epochs">${head}${rows.join('')}</table>`;
}

function formatValue(value: ReportValue): string {
  if (value === null) return '–';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

/** Escapes text for HTML content and double-quoted attribute values. */
export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const STYLE = `body { font-family: "DejaVu Sans", Verdana, system-ui, sans-serif; color: #222; margin: 0; background: #f6f6f4; line-height: 1.45; }
header { background: #fff; border-bottom: 1px solid #ddd; padding: 1.2rem 2rem; }
h1 { margin: 0; font-size: 1.6rem; }
h2 { font-size: 1.2rem; margin: 0 0 .6rem; }
.meta { color: #666; margin: .3rem 0 0; font-size: .9rem; }
main { padding: 1rem 2rem 3rem; max-width: 1800px; }
section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 1rem 1.2rem; margin: 1rem 0; overflow-x: auto; }
table { border-collapse: collapse; font-size: .92rem; }
th, td { padding: .25rem .8rem; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
table.kv th { font-weight: normal; color: #555; white-space: nowrap; }
table.epochs td, table.epochs th { text-align: right; font-variant-numeric: tabular-nums; }
nav ul { margin: 0; padding-left: 1.2rem; columns: 2; }
.summary { display: grid; grid-template-columns: repeat(auto-fit, minmax(26rem, 1fr)); gap: 0 1rem; }
figure { margin: 0; }
figure img { max-width: 100%; height: auto; display: block; }
figcaption { color: #444; font-size: .92rem; margin-top: .5rem; max-width: 70rem; }`;
