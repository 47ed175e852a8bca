import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { countImages, countMarks, pngSize, svgDocumentSize } from '../viz-run.js';
import { runCli, tempDir } from './run.js';

/** Checks `<dir>/<id>.svg` and `.png` exist, parse, and the PNG is `scale` × the SVG; returns the SVG text. */
function figure(dir: string, id: string, scale = 2): string {
  const svg = readFileSync(join(dir, `${id}.svg`), 'utf8');
  const size = svgDocumentSize(svg);
  expect(pngSize(readFileSync(join(dir, `${id}.png`))), id).toEqual({ width: size.width * scale, height: size.height * scale });
  return svg;
}

describe('scratchnet train --report and scratchnet plot (the real CLI)', () => {
  const dir = tempDir();
  const model = join(dir, 'tiny.safetensors');
  let trained: ReturnType<typeof runCli>;

  beforeAll(() => {
    trained = runCli([
      'train',
      '--subset',
      '300',
      '--epochs',
      '1',
      '--hidden',
      '16',
      '--out',
      model,
      '--report',
      join(dir, 'report'),
    ]);
  }, 120_000); // a real run with figures: ~10 s on a loaded two-core machine, past the 10 s default for hooks

  it('train --report writes every figure and index.html, and says so', () => {
    expect(trained.stderr).toBe('');
    expect(trained.status).toBe(0);
    expect(trained.stdout).toMatch(
      new RegExp(
        `^Report written: ${join(dir, 'report', 'index.html').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(8 figures\\)$`,
        'm',
      ),
    );
    const html = readFileSync(join(dir, 'report', 'index.html'), 'utf8');
    for (const id of [
      'activation-functions',
      'activation-derivatives',
      'samples',
      'training-history',
      'predictions',
      'confusion-matrix',
      'confidently-wrong',
      'first-layer-weights',
    ]) {
      figure(join(dir, 'report'), id);
      expect(html).toContain(`src="${id}.png"`);
    }
    expect(html).toContain('<th scope="row">learning rate</th><td>0.1</td>');
    expect(html).toContain('<th scope="row">training rows</th><td>300</td>');
  });

  it('plot activations --out DIR writes both activation grids', () => {
    const out = join(dir, 'act');
    const { status, stdout } = runCli(['plot', 'activations', '--out', out, '--scale', '1']);
    expect(status).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(2);
    expect(countMarks(figure(out, 'activation-functions', 1), 'line mark')).toBe(4);
    expect(countMarks(figure(out, 'activation-derivatives', 1), 'line mark')).toBe(8);
  });

  it('plot samples --n 25 draws 25 labelled digits', () => {
    const out = join(dir, 'samples');
    expect(runCli(['plot', 'samples', '--n', '25', '--out', out]).status).toBe(0);
    expect(countImages(figure(out, 'samples'))).toBe(25);
  });

  it('plot samples --train reads a CSV file (label, then 784 pixels) and titles each digit with its label', () => {
    const rows = [3, 1, 4, 1, 5, 9].map((label, r) =>
      [label, ...Array.from({ length: 784 }, (_, i) => ((i + r * 37) % 97 < 20 ? 255 : 0))].join(','),
    );
    const csv = join(dir, 'six.csv');
    writeFileSync(csv, `${rows.join('\n')}\n`);
    const out = join(dir, 'csv-samples');
    const result = runCli(['plot', 'samples', '--train', csv, '--n', '6', '--out', out]);
    expect(result.stderr).toBe('');
    const svg = figure(out, 'samples');
    expect(countImages(svg)).toBe(6);
    for (const label of [3, 1, 4, 5, 9]) expect(svg).toContain(`>Label: ${label}<`);
    expect(svg).toContain('6 of 6 from six.csv');
  });

  it('plot predictions / wrong / confusion / weights --model FILE draw from the saved model', () => {
    const out = join(dir, 'model-figures');
    for (const command of ['predictions', 'wrong', 'confusion', 'weights']) {
      const result = runCli(['plot', command, '--model', model, '--out', out]);
      expect(result.stderr, command).toBe('');
      expect(result.status, command).toBe(0);
    }
    const predictions = figure(out, 'predictions');
    expect(countImages(predictions)).toBe(10);
    expect(countMarks(predictions, 'bar')).toBe(100);
    expect(countImages(figure(out, 'confidently-wrong'))).toBe(10);
    expect(countMarks(figure(out, 'confusion-matrix'), 'rect mark')).toBe(100);
    expect(countImages(figure(out, 'first-layer-weights'))).toBe(16);
  });

  it('a missing model file or data file is one line on stderr', () => {
    const missing = runCli(['plot', 'predictions', '--model', join(dir, 'nope.safetensors'), '--out', join(dir, 'x')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^scratchnet: cannot read model file '.*nope\.safetensors': no such file or folder\n$/);
    const noData = runCli(['plot', 'samples', '--train', join(dir, 'nope.csv'), '--out', join(dir, 'x')]);
    expect(noData.status).toBe(1);
    expect(noData.stderr).toMatch(/^scratchnet: .*nope\.csv: no such file\n$/);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });
});
