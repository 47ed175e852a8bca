import { Conv2d } from '../layers/conv2d.js';
import { Dense } from '../layers/dense.js';
import type { Sequential } from '../network/sequential.js';
import { Tensor } from '../tensor/tensor.js';
import { convFilters, featureMaps, firstConv, firstLayerWeights, weightColourTable, weightLimit } from '../viz/inside.js';

/**
 * "Look inside" on canvases: the same numbers and colours as the report's figures (viz/inside.ts), painted
 * pixel by pixel instead of encoded as PNGs: the first layer's weights (or a convnet's first filters), the
 * activations of each layer for the drawn digit, and a convnet's feature maps.
 */

/** Paints `count` images of `side`×`side` values in a grid on `canvas`, each value through `colour`, zoomed. */
function paintGrid(
  canvas: HTMLCanvasElement,
  images: readonly ArrayLike<number>[],
  side: number,
  zoom: number,
  columns: number,
  colour: (value: number) => readonly [number, number, number],
): void {
  const gap = 2;
  const cell = side * zoom + gap;
  const rows = Math.ceil(images.length / columns);
  canvas.width = Math.max(1, Math.min(images.length, columns) * cell - gap);
  canvas.height = Math.max(1, rows * cell - gap);
  const context = canvas.getContext('2d')!;
  const pixels = context.createImageData(canvas.width, canvas.height);
  pixels.data.fill(255);
  images.forEach((image, n) => {
    const left = (n % columns) * cell;
    const top = Math.floor(n / columns) * cell;
    for (let y = 0; y < side * zoom; y++)
      for (let x = 0; x < side * zoom; x++) {
        const [r, g, b] = colour(image[Math.floor(y / zoom) * side + Math.floor(x / zoom)]);
        const at = ((top + y) * canvas.width + left + x) * 4;
        pixels.data[at] = r;
        pixels.data[at + 1] = g;
        pixels.data[at + 2] = b;
      }
  });
  context.putImageData(pixels, 0, 0);
}

/** −limit → blue, 0 → white, +limit → red: the report's weight colours. */
function diverging(limit: number): (value: number) => readonly [number, number, number] {
  const table = weightColourTable();
  return (v) => table[Math.round(((Math.min(limit, Math.max(-limit, v)) / limit + 1) / 2) * 255)];
}

/** 0 → black, `high` → white. */
function grayscale(high: number): (value: number) => readonly [number, number, number] {
  return (v) => {
    const level = Math.round(255 * Math.min(1, Math.max(0, v / high)));
    return [level, level, level];
  };
}

/** What the first layer looks for: a 28×28 image per unit of a first Dense layer on the pixels, or a convnet's first filters. Returns a caption. */
export function paintFirstLayer(canvas: HTMLCanvasElement, network: Sequential): string {
  const conv = firstConv(network);
  if (conv && network.layers.indexOf(conv) === 0) {
    const filters = convFilters(conv);
    const weights = filters.map((f) => f.weights);
    paintGrid(canvas, weights, conv.kernel, 10, 16, diverging(weightLimit(weights)));
    return `The ${filters.length} filters (${conv.kernel}×${conv.kernel}) of the first convolution: red responds to ink, blue to its absence.`;
  }
  const dense = network.layers.find((layer): layer is Dense => layer instanceof Dense);
  if (!dense || dense.inputs !== 784) {
    canvas.width = canvas.height = 0;
    return 'This network’s first layer does not look at the 28×28 pixels directly.';
  }
  const units = firstLayerWeights(network).map((u) => u.weights);
  paintGrid(canvas, units, 28, 2, 16, diverging(weightLimit(units)));
  return `What each of the ${units.length} units of the first layer looks for: red raises it where there is ink, blue lowers it.`;
}

/** Each layer's output for one input, as a strip of cells (a convolution's channels by their mean); fills `container`. */
export function paintActivations(container: HTMLElement, network: Sequential, input: Float32Array): void {
  const outputs = network.forward(new Tensor(Float32Array.from(input), [1, ...network.inputShape]), 'eval');
  container.replaceChildren();
  network.layers.forEach((layer, i) => {
    const values = outputs[i].data;
    const shape = outputs[i].shape.slice(1);
    let cells: Float32Array = values.slice(
      0,
      shape.reduce((a, b) => a * b, 1),
    );
    let what = `${shape.join('×')}`;
    if (shape.length === 3) {
      const [channels, height, width] = shape;
      const plane = height * width;
      cells = Float32Array.from(
        { length: channels },
        (_, c) => values.subarray(c * plane, (c + 1) * plane).reduce((a, b) => a + b, 0) / plane,
      );
      what = `${channels} channels of ${height}×${width}, mean of each`;
    }
    let limit = 1e-6;
    for (const v of cells) limit = Math.max(limit, Math.abs(v));
    const row = document.createElement('div');
    row.className = 'layer';
    const label = document.createElement('span');
    label.textContent = `${i}: ${String(layer)} (${what})`;
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `activations of layer ${i}, ${String(layer)}`);
    canvas.width = cells.length;
    canvas.height = 1;
    const context = canvas.getContext('2d')!;
    const pixels = context.createImageData(cells.length, 1);
    const colour = cells.some((v) => v < 0) ? diverging(limit) : grayscale(limit);
    cells.forEach((v, x) => {
      const [r, g, b] = colour(v);
      pixels.data.set([r, g, b, 255], 4 * x);
    });
    context.putImageData(pixels, 0, 0);
    row.append(label, canvas);
    container.append(row);
  });
}

/** A convnet's feature maps for one input, one grid per convolution; returns false (and empties `container`) for a network without one. */
export function paintFeatureMaps(container: HTMLElement, network: Sequential, input: Float32Array): boolean {
  container.replaceChildren();
  if (!network.layers.some((layer) => layer instanceof Conv2d)) return false;
  for (const maps of featureMaps(network, input)) {
    const [channels, height, width] = maps.shape;
    const plane = height * width;
    let low = 0;
    let high = 1e-6;
    for (const v of maps.values) {
      low = Math.min(low, v);
      high = Math.max(high, v);
    }
    const images = Array.from({ length: channels }, (_, c) => maps.values.subarray(c * plane, (c + 1) * plane));
    const title = document.createElement('p');
    title.className = 'note';
    title.textContent = `${maps.name}: ${channels} maps of ${height}×${width}`;
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `feature maps of ${maps.name}`);
    const box = document.createElement('div');
    box.className = 'maps';
    paintGrid(
      canvas,
      images,
      Math.max(height, width),
      Math.max(1, Math.round(40 / height)),
      16,
      low < 0 ? diverging(Math.max(high, -low)) : grayscale(high),
    );
    box.append(title, canvas);
    container.append(box);
  }
  return true;
}
