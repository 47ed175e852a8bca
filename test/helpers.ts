import type { Dataset } from '../src/data/dataset.js';
import { Rng } from '../src/tensor/rng.js';
import { Tensor } from '../src/tensor/tensor.js';

/** A [rows, cols] tensor of uniform values in [low, high) from a seeded Rng. */
export function randomTensor(shape: number[], rng: Rng, low = -1, high = 1): Tensor {
  const t = Tensor.zeros(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.uniformIn(low, high);
  return t;
}

/** Uniform values whose magnitude is at least `gap` (kept away from the ReLU kink at 0). */
export function awayFromZero(shape: number[], rng: Rng, gap = 0.1): Tensor {
  const t = Tensor.zeros(shape);
  for (let i = 0; i < t.size; i++) {
    const magnitude = rng.uniformIn(gap, 1.5);
    t.data[i] = rng.uniform() < 0.5 ? -magnitude : magnitude;
  }
  return t;
}

/**
 * The classic 2-D spiral: `classes` arms of `perClass` points each, with a little noise.
 * Not linearly separable, so only a network with a hidden layer learns it.
 */
export function spiral(perClass: number, classes: number, rng: Rng): Dataset {
  const count = perClass * classes;
  const features = new Float32Array(count * 2);
  const labels = new Int32Array(count);
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < perClass; i++) {
      const row = c * perClass + i;
      const radius = i / perClass;
      const angle = c * 4 + radius * 4 + rng.normal() * 0.2;
      features[row * 2] = radius * Math.sin(angle);
      features[row * 2 + 1] = radius * Math.cos(angle);
      labels[row] = c;
    }
  }
  return { name: 'spiral', features, labels, count, sampleShape: [2], classes, scale: 1 };
}

/** The backend `--backend auto` picks on this machine: native where the addon is built and the CPU runs it, else wasm. */
export async function autoBackendName(): Promise<'native' | 'wasm'> {
  const { loadNativeAddon } = await import('../src/kernels/native/native.js');
  return 'addon' in (await loadNativeAddon()) ? 'native' : 'wasm';
}
