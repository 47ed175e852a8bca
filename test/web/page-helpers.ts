import type { Page } from 'playwright-core';

/**
 * Strokes that draw a real digit on the page's pad: every run of inked pixels (≥ 128 of 255) in a row of
 * the 28×28 image becomes one horizontal stroke through the centres of its pixels, scaled to the pad (10
 * canvas pixels per MNIST pixel); the pen (22 px) is wider than the rows are apart, so the rows merge
 * into the digit's shape.
 */
export function strokesOf(image: Uint8Array, scale = 10): { from: [number, number]; to: [number, number] }[] {
  const strokes: { from: [number, number]; to: [number, number] }[] = [];
  for (let y = 0; y < 28; y++) {
    let start = -1;
    for (let x = 0; x <= 28; x++) {
      const inked = x < 28 && image[y * 28 + x] >= 128;
      if (inked && start < 0) start = x;
      if (!inked && start >= 0) {
        strokes.push({ from: [(start + 0.5) * scale, (y + 0.5) * scale], to: [(x - 0.5) * scale, (y + 0.5) * scale] });
        start = -1;
      }
    }
  }
  return strokes;
}

/** Draws `strokes` on the pad with the mouse (pointer events), in canvas pixels of a 280×280 pad. */
export async function drawStrokes(page: Page, strokes: ReturnType<typeof strokesOf>): Promise<void> {
  const pad = page.getByRole('img', { name: 'Draw a digit' });
  const box = (await pad.boundingBox())!;
  const at = ([x, y]: [number, number]): [number, number] => [box.x + (x * box.width) / 280, box.y + (y * box.height) / 280];
  for (const { from, to } of strokes) {
    await page.mouse.move(...at(from));
    await page.mouse.down();
    await page.mouse.move(...at(to), { steps: 3 });
    await page.mouse.up();
  }
}

/** What the page exposes to tests (src/web/page.ts, PageProbe). */
export interface Probe {
  probabilities: number[] | null;
  seen: number[] | null;
  latencies: number[];
  charted: { batches: number; epochs: number };
  testAccuracy: number | null;
  engine: { backend: string; threads: number } | null;
  history: { batchLoss: number[]; epochs: { valAccuracy: number | null }[] };
}

export function probe(page: Page): Promise<Probe> {
  return page.evaluate(() => (globalThis as unknown as { scratchnetPage: Probe }).scratchnetPage);
}
