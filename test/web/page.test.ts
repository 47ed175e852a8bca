import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from '../../scripts/web/build.mjs';
import { serveWeb } from '../../scripts/web/serve.mjs';
import { loadBuiltinMnist } from '../../src/data/builtin.js';
import { runCli } from '../cli/run.js';
import { type Probe, drawStrokes, probe, strokesOf } from './page-helpers.js';

// The page as `npm run web` builds and serves it, in Debian's Chromium (never a downloaded browser).
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.log(
    `page.test: skipping the browser page tests: ${CHROMIUM} is not installed (Debian package chromium; .ci/run installs it)`,
  );
/** Screenshots kept for CI's artifacts (gitignored). */
const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), '../../test-output/web');

const dir = mkdtempSync(join(tmpdir(), 'scratchnet-page-'));
const site = join(dir, 'site');
let browser: Browser;
let server: { url: string; close: () => Promise<void> };
/** Three real digits of the built-in test set, as strokes. */
const digits = [0, 1, 2].map((row) => {
  const { test } = loadBuiltinMnist();
  return { label: test.labels[row], strokes: strokesOf(test.features.subarray(row * 784, (row + 1) * 784) as Uint8Array) };
});

beforeAll(async () => {
  if (!hasChromium) return;
  await buildWeb(site);
  server = await serveWeb(site, { port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh page at `url` that records console errors, page errors and failed requests. */
async function open(url: string, viewport = { width: 1280, height: 800 }): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport, acceptDownloads: true }); // closed with its page (page.close below)
  const page = await context.newPage();
  page.on('close', () => void context.close());
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()}: ${r.url()}`));
  await page.goto(url);
  await page.waitForFunction(() => !(document.getElementById('train-button') as HTMLButtonElement).disabled, null, {
    timeout: 60_000,
  });
  return { page, problems };
}

/** The pad as a PNG file, and what `scratchnet predict --backend js` makes of it with `model` (the page predicts on js kernels too). */
async function predictLikeTheCli(
  page: Page,
  model: string,
  name: string,
): Promise<{ class: number; probabilities: number[]; seen: Float32Array }> {
  const dataUrl = await page.evaluate(() => (document.getElementById('pad') as HTMLCanvasElement).toDataURL('image/png'));
  const picture = join(dir, `${name}.png`);
  writeFileSync(picture, Buffer.from(dataUrl.split(',')[1], 'base64'));
  const preprocessed = join(dir, `${name}-seen`);
  const result = runCli(['predict', '--model', model, '--backend', 'js', '--json', '--save-preprocessed', preprocessed, picture]);
  expect(result.stderr).toBe('');
  const png = PNG.sync.read(readFileSync(join(preprocessed, `${name}.28x28.png`)));
  const seen = Float32Array.from({ length: 784 }, (_, i) => png.data[4 * i] / 255);
  return { ...(JSON.parse(result.stdout) as { class: number; probabilities: number[] }), seen };
}

/** Draws each test digit and checks the page's probabilities against the CLI's on the pad's own PNG; returns how many were right. */
async function drawAndCompare(page: Page, model: string, tag: string): Promise<number> {
  let right = 0;
  for (const [n, { label, strokes }] of digits.entries()) {
    await page.getByRole('button', { name: 'Clear' }).click();
    await drawStrokes(page, strokes);
    const shown: Probe = await probe(page);
    const cli = await predictLikeTheCli(page, model, `${tag}-${n}`);
    expect(shown.probabilities, `digit ${n}`).toEqual(cli.probabilities); // the same preprocessing and kernels: the same bits
    shown.seen!.forEach((v, i) => expect(Math.abs(v - cli.seen[i])).toBeLessThanOrEqual(0.5 / 255 + 1e-6));
    await expect.poll(() => page.getByRole('status').textContent()).toContain(`Prediction: ${cli.class}`);
    if (cli.class === label) right++;
  }
  return right;
}

describe.skipIf(!hasChromium)('the browser page', () => {
  let trained: { page: Page; model: string; accuracyText: string };

  it('loads with no console error and no failed request, cross-origin isolated: WebAssembly with threads', async () => {
    const { page, problems } = await open(server.url);
    expect((await probe(page)).engine?.backend).toBe('wasm');
    await expect.poll(() => page.locator('#activation-chart svg').count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('trains the tutorial network for one epoch to ≥ 90% validation accuracy, charting every batch and epoch', async () => {
    const { page, problems } = await open(server.url);
    await page.getByLabel('Network', { exact: true }).selectOption('tutorial');
    await page.getByLabel('Epochs', { exact: true }).fill('1');
    await page.getByRole('button', { name: 'Train' }).click();
    await page.waitForFunction(
      () => (globalThis as unknown as { scratchnetPage: Probe }).scratchnetPage.testAccuracy !== null,
      null,
      {
        timeout: 120_000,
      },
    );
    const batches = Math.ceil(7200 / 16);
    await expect.poll(async () => (await probe(page)).charted).toEqual({ batches, epochs: 1 });
    const state = await probe(page);
    expect(state.history.batchLoss.length).toBe(batches);
    expect(state.history.epochs[0].valAccuracy).toBeGreaterThanOrEqual(0.9);
    // What the chart drew: the batch-loss line has a vertex per batch, the accuracy line a point per epoch.
    const drawn = await page.evaluate(() => {
      const svg = document.querySelector('#history-chart svg')!;
      const line = svg.querySelector('.mark-line path')!.getAttribute('d')!;
      const panels = Array.from(svg.querySelectorAll('.mark-group.role-scope'));
      const accuracy = panels.find((g) => g.textContent?.includes('Validation accuracy per epoch'))!;
      return { vertices: (line.match(/L/g)?.length ?? 0) + 1, points: accuracy.querySelectorAll('.mark-symbol path').length };
    });
    expect(drawn).toEqual({ vertices: batches, points: 1 });
    const accuracyText = /test accuracy (\d+\.\d\d)%/.exec((await page.locator('#progress').textContent())!)![1];
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: /Download the model/ }).click();
    const model = join(dir, 'page-model.safetensors');
    await (await download).saveAs(model);
    expect(problems).toEqual([]);
    trained = { page, model, accuracyText };
  });

  it('a model downloaded from the page evaluates in the CLI to the test accuracy the page showed', () => {
    const result = runCli(['evaluate', '--model', trained.model, '--backend', 'wasm', '--json']);
    expect(result.stderr).toBe('');
    const { accuracy, count } = JSON.parse(result.stdout) as { accuracy: number; count: number };
    expect(count).toBe(2000);
    expect((accuracy * 100).toFixed(2)).toBe(trained.accuracyText);
  });

  it('drawing real test digits with pointer events gives the probabilities `scratchnet predict` gives for the pad’s picture', async () => {
    const right = await drawAndCompare(trained.page, trained.model, 'page');
    expect(right).toBeGreaterThanOrEqual(2);
    await trained.page.close();
  }, 240_000);

  it('a model trained by the CLI, opened in the page, predicts exactly what `scratchnet predict` predicts', async () => {
    const model = join(dir, 'cli-model.safetensors');
    const train = runCli(['train', '--hidden', '64,32', '--epochs', '2', '--seed', '3', '--out', model]);
    expect(train.status, train.stderr).toBe(0);
    const { page, problems } = await open(server.url);
    await page.locator('#model-file').setInputFiles(model);
    await expect.poll(() => page.locator('#model-info').textContent()).toContain('cli-model.safetensors');
    expect(await drawAndCompare(page, model, 'cli')).toBeGreaterThanOrEqual(2);
    expect(problems).toEqual([]);
    await page.close();
  }, 240_000); // a CLI run and six pictures through the CLI: minutes when the machine is busy

  it('a convnet from the CLI shows its first filters and the feature maps of the drawn digit', async () => {
    const model = join(dir, 'convnet.safetensors');
    const train = runCli([
      'train',
      '--layers',
      'conv2d(8,3),relu,maxpool2d(2),flatten,dense(10)',
      '--subset',
      '300',
      '--epochs',
      '1',
      '--out',
      model,
    ]);
    expect(train.status, train.stderr).toBe(0);
    const { page, problems } = await open(server.url);
    await page.locator('#model-file').setInputFiles(model);
    await expect
      .poll(() => page.locator('#weights-note').textContent())
      .toContain('The 8 filters (3×3) of the first convolution');
    await drawStrokes(page, digits[0].strokes);
    await expect.poll(() => page.getByRole('img', { name: /^feature maps of Conv2d\(1 → 8, 3×3\)/ }).count()).toBe(1);
    expect(await page.locator('#activations .layer').count()).toBe(5);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('pauses, resumes and resets a run: no batch arrives while paused', async () => {
    const { page, problems } = await open(server.url);
    await page.getByLabel('Epochs', { exact: true }).fill('100'); // minutes: it must still run when Reset is pressed
    await page.getByRole('button', { name: 'Train' }).click();
    const batches = async () => (await probe(page)).history.batchLoss.length;
    await expect.poll(batches).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.locator('#progress').textContent()).toMatch(/^Paused after batch \d+/);
    const paused = await batches();
    await page.waitForTimeout(500);
    expect(await batches()).toBe(paused);
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(batches).toBeGreaterThan(paused);
    await page.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => page.locator('#progress').textContent()).toMatch(/^Reset/);
    await page.waitForTimeout(300);
    expect(await batches()).toBe(0);
    expect(await page.locator('#progress').textContent()).toMatch(/^Reset/);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a file that is not a model gets a message in the page naming it', async () => {
    const { page } = await open(server.url);
    await page
      .locator('#model-file')
      .setInputFiles({ name: 'notes.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model') });
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^notes\.safetensors: /);
    await page.close();
  });

  it('without the isolation headers it runs single-threaded on the JavaScript kernels and says so', async () => {
    const plain = await serveWeb(site, { port: 0, isolation: false });
    const { page, problems } = await open(plain.url);
    expect((await probe(page)).engine).toEqual({ backend: 'js', threads: 0 });
    expect(await page.locator('#engine').textContent()).toContain('single-threaded');
    expect(problems).toEqual([]);
    await page.close();
    await plain.close();
  });

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 375, height: 812 },
  ])
    it(`lays out at ${viewport.width} px wide: no region overlaps another or leaves the window (screenshot kept)`, async () => {
      const { page } = await open(server.url, viewport);
      await expect.poll(() => page.locator('#derivative-chart svg').count()).toBe(1);
      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: join(OUTPUT, `page-${viewport.width}.png`), fullPage: true });
      const layout = await page.evaluate(() => {
        const box = (e: Element) => {
          const r = e.getBoundingClientRect();
          return { name: e.id || e.tagName, left: r.left, right: r.right, top: r.top + scrollY, bottom: r.bottom + scrollY };
        };
        const regions = [
          'header',
          '#train',
          '#draw',
          '#models',
          '#inside',
          '#pad',
          '#bars',
          '#prediction',
          '#settings',
          '#history-chart',
        ];
        return { boxes: regions.map((s) => box(document.querySelector(s)!)), scrollWidth: document.documentElement.scrollWidth };
      });
      expect(layout.scrollWidth).toBeLessThanOrEqual(viewport.width); // nothing sticks out sideways
      for (const b of layout.boxes) {
        expect(b.left, b.name).toBeGreaterThanOrEqual(0);
        expect(b.right, b.name).toBeLessThanOrEqual(viewport.width);
        expect(b.bottom - b.top, b.name).toBeGreaterThan(0);
      }
      const overlap = (a: (typeof layout.boxes)[0], b: (typeof layout.boxes)[0]) =>
        a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
      const sections = layout.boxes.slice(0, 5);
      const inDraw = layout.boxes.slice(5, 8);
      for (const group of [sections, inDraw, layout.boxes.slice(8)])
        for (const [i, a] of group.entries())
          for (const b of group.slice(i + 1)) expect(overlap(a, b), `${a.name} overlaps ${b.name}`).toBe(false);
      await page.close();
    });
});
