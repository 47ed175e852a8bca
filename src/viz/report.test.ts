import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countImages, pngSize, svgDocumentSize, tinyRun } from '../../test/viz-run.js';
import { type Report, escape, writeReport } from './report.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.log(
    `report.test: skipping the headless-browser check: ${CHROMIUM} is not installed (Debian package chromium; .ci/run installs it)`,
  );

const dir = mkdtempSync(join(tmpdir(), 'scratchnet-report-'));
let report: Report;
let html: string;

beforeAll(async () => {
  const run = tinyRun();
  report = await writeReport(dir, {
    ...run,
    title: 'Tiny run <test>',
    config: { epochs: 2, 'hidden layers': [16], subset: undefined },
    metrics: { note: 'made by report.test.ts' },
    date: new Date('2026-01-02T03:04:05Z'),
  });
  html = readFileSync(report.index, 'utf8');
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every src= and href= value of the page. */
function references(page: string): string[] {
  return [...page.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
}

describe('the HTML report', () => {
  it('writes every figure of a run as SVG and PNG, each PNG twice the size of its SVG', () => {
    expect(report.figures.map((f) => f.id)).toEqual([
      'activation-functions',
      'activation-derivatives',
      'samples',
      'training-history',
      'predictions',
      'confusion-matrix',
      'confidently-wrong',
      'first-layer-weights',
    ]);
    for (const figure of report.figures) {
      const svg = svgDocumentSize(readFileSync(join(dir, figure.svg), 'utf8'));
      expect(svg, figure.id).toEqual({ width: figure.width, height: figure.height });
      expect(pngSize(readFileSync(join(dir, figure.png))), figure.id).toEqual({ width: svg.width * 2, height: svg.height * 2 });
    }
    expect(countImages(readFileSync(join(dir, 'samples.svg'), 'utf8'))).toBe(25);
    expect(countImages(readFileSync(join(dir, 'predictions.svg'), 'utf8'))).toBe(10);
  });

  it('references only files that exist beside it, and nothing on the network', () => {
    const refs = references(html);
    expect(refs.length).toBeGreaterThan(3 * report.figures.length);
    for (const ref of refs) {
      expect(ref, ref).not.toMatch(/^[a-z]+:/i); // no http:, https:, data: or file: URLs
      if (ref.startsWith('#')) expect(html, ref).toContain(`id="${ref.slice(1)}"`);
      else expect(existsSync(join(dir, ref)), ref).toBe(true);
    }
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
  });

  it('shows the configuration, the metrics and every epoch, escaping text', () => {
    expect(html).toContain('<title>Tiny run &lt;test&gt;</title>');
    expect(html).toContain('<th scope="row">hidden layers</th><td>16</td>');
    expect(html).not.toContain('>subset<'); // undefined settings are left out
    expect(html).toContain(`<th scope="row">test accuracy</th><td>${(tinyRun().evaluation.accuracy * 100).toFixed(1)}%</td>`);
    expect(html).toContain('<th scope="row">note</th><td>made by report.test.ts</td>');
    expect(html.match(/<tr><td>\d+<\/td>/g)).toHaveLength(2); // one row per epoch
    expect(html).toContain('2026-01-02 03:04:05 UTC');
    expect(escape(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it.skipIf(!hasChromium)('opens from disk in headless Chromium with every image rendered and no network request', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const page = await browser.newPage();
      const outside: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith('file:')) outside.push(request.url());
      });
      await page.goto(pathToFileURL(report.index).href, { waitUntil: 'load' });
      const images = await page.$$eval('img', (els) =>
        els.map((e) => ({ src: e.getAttribute('src'), complete: e.complete, naturalWidth: e.naturalWidth })),
      );
      expect(images.map((i) => i.src)).toEqual(report.figures.map((f) => f.png));
      for (const image of images) {
        expect(image.complete, image.src!).toBe(true);
        expect(image.naturalWidth, image.src!).toBeGreaterThan(0);
      }
      expect(images.map((i) => i.naturalWidth)).toEqual(report.figures.map((f) => f.width * 2));
      expect(outside).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
