import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countImages, countMarks, pngSize, svgDocumentSize } from '../../test/viz-run.js';
import { loadBuiltinMnist } from '../data/builtin.js';
import { sampleFeatures, selectRows } from '../data/dataset.js';
import { Conv2d } from '../layers/conv2d.js';
import { layersFromSpec } from '../network/from-spec.js';
import { parseLayerSpec } from '../network/layer-spec.js';
import { Sequential } from '../network/sequential.js';
import { Rng } from '../tensor/rng.js';
import { convFilters, convFiltersChart, featureMaps, featureMapsChart } from './conv-charts.js';
import { writeRunFigures } from './figures.js';
import { renderSvg } from './render.js';
import { readFileSync } from 'node:fs';

/** The small convnet of the figures: 8 filters of 3×3 on [1, 28, 28] digits. */
function convnet(spec = 'conv2d(8,3),relu,maxpool2d(2),flatten,dense(10)'): Sequential {
  const { layers, inputShape } = layersFromSpec(parseLayerSpec(spec), [1, 28, 28], 10, new Rng(1));
  return new Sequential(layers, inputShape);
}

const digits = selectRows(loadBuiltinMnist().test, [0, 1, 2, 3, 4], 'five test digits');

describe('convolution figures', () => {
  it('the filters are W[o, c, ·, ·] in order: filter 1 is weights 9..17 of W [8, 1, 3, 3]', () => {
    const network = convnet();
    const conv = network.layers[0] as Conv2d;
    conv.weight.value.data.forEach((_, i, w) => (w[i] = i));
    const filters = convFilters(conv);
    expect(filters).toHaveLength(8);
    expect(filters[1]).toEqual({ channel: 1, input: 0, weights: Float32Array.from([9, 10, 11, 12, 13, 14, 15, 16, 17]) });
  });

  it('filters: one 3×3 image per output channel, titled, with one diverging weight legend', async () => {
    const svg = await renderSvg(convFiltersChart(convnet()));
    expect(countImages(svg)).toBe(8);
    expect(countMarks(svg, 'legend')).toBe(1);
    for (const name of ['filter 0', 'filter 7']) expect(svg).toContain(`>${name}<`);
    expect(svg).toContain('Conv2d(1 → 8, 3×3): 8 filters × 1 input channel, each 3×3');
  });

  it('with several input channels, one image per (output, input) pair', async () => {
    const network = convnet('conv2d(4,3),relu,conv2d(3,3),relu,flatten,dense(10)');
    expect(convFilters(network.layers[2] as Conv2d)).toHaveLength(12);
    // The first convolution is drawn: 4 filters over 1 channel.
    expect(countImages(await renderSvg(convFiltersChart(network)))).toBe(4);
  });

  it("feature maps: a convolution that copies the centre pixel shows the digit cropped by the kernel's border, after the ReLU", () => {
    const network = convnet();
    const conv = network.layers[0] as Conv2d;
    conv.weight.value.data.fill(0);
    for (let o = 0; o < 8; o++) conv.weight.value.data[o * 9 + 4] = o % 2 === 0 ? 1 : -1; // even: x, odd: −x
    conv.bias!.value.data.fill(0);
    const sample = sampleFeatures(digits, 0);
    const [maps] = featureMaps(network, sample);
    expect(maps).toMatchObject({ layer: 0, name: 'Conv2d(1 → 8, 3×3) → ReLU', shape: [8, 26, 26] });
    for (const [i, j] of [
      [0, 0],
      [13, 12],
      [20, 7],
    ]) {
      expect(maps.values[i * 26 + j]).toBe(sample[(i + 1) * 28 + j + 1]); // map 0: y[i, j] = x[i + 1, j + 1]
      expect(maps.values[676 + i * 26 + j]).toBe(0); // map 1: ReLU(−x) = 0 for ink ≥ 0
    }
  });

  it('feature maps of every convolution: the input, then one grid per Conv2d (8 maps of 26×26, 16 of 11×11)', async () => {
    const network = convnet('conv2d(8,3),relu,maxpool2d(2),conv2d(16,3),batchnorm,relu,maxpool2d(2),flatten,dense(10)');
    const maps = featureMaps(network, sampleFeatures(digits, 1));
    expect(maps.map((m) => [m.layer, m.name, m.shape])).toEqual([
      [0, 'Conv2d(1 → 8, 3×3) → ReLU', [8, 26, 26]],
      [3, 'Conv2d(8 → 16, 3×3) → BatchNorm(16) → ReLU', [16, 11, 11]],
    ]);
    const svg = await renderSvg(featureMapsChart(network, digits, 1));
    expect(countImages(svg)).toBe(1 + 8 + 16);
    expect(svg).toContain(`>Input: sample 1 of five test digits, label ${digits.labels[1]}<`);
    expect(svg).toContain('>map 15<');
  });

  it('refuses a network without convolutions and a sample outside the data', () => {
    const mlp = Sequential.mlp({ hidden: [8], rng: new Rng(1) });
    expect(() => convFiltersChart(mlp)).toThrow(/no Conv2d layer/);
    expect(() => featureMapsChart(mlp, digits, 0)).toThrow(/no Conv2d layer/);
    expect(() => featureMapsChart(convnet(), digits, 5)).toThrow(/index 5 outside 0..4/);
  });

  it("a convnet's run figures are its filters and feature maps, without the MLP's first-layer weights", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scratchnet-conv-figures-'));
    const figures = await writeRunFigures(dir, { network: convnet(), train: digits });
    const ids = figures.map((f) => f.id);
    expect(ids).toContain('conv-filters');
    expect(ids).toContain('feature-maps');
    expect(ids).not.toContain('first-layer-weights');
    for (const figure of figures.filter((f) => f.id === 'conv-filters' || f.id === 'feature-maps')) {
      const size = svgDocumentSize(readFileSync(join(dir, figure.svg), 'utf8'));
      expect(pngSize(readFileSync(join(dir, figure.png)))).toEqual({ width: size.width * 2, height: size.height * 2 });
    }
  });
});
