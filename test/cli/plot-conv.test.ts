import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveModel } from '../../src/io/model-file.js';
import { layersFromSpec } from '../../src/network/from-spec.js';
import { parseLayerSpec } from '../../src/network/layer-spec.js';
import { Sequential } from '../../src/network/sequential.js';
import { Rng } from '../../src/tensor/rng.js';
import { countImages, pngSize, svgDocumentSize } from '../viz-run.js';
import { runCli, tempDir } from './run.js';

describe('scratchnet plot filters and feature-maps (the real CLI)', () => {
  const dir = tempDir();
  const convModel = join(dir, 'convnet.safetensors');
  const mlpModel = join(dir, 'mlp.safetensors');

  beforeAll(() => {
    const { layers, inputShape } = layersFromSpec(
      parseLayerSpec('conv2d(8,3),relu,maxpool2d(2),flatten,dense(10)'),
      [1, 28, 28],
      10,
      new Rng(1),
    );
    saveModel(convModel, new Sequential(layers, inputShape));
    saveModel(mlpModel, Sequential.mlp({ hidden: [8], rng: new Rng(1) }));
  });

  /** The SVG of `<out>/<id>`, after checking its PNG is twice its size. */
  function figure(out: string, id: string): string {
    const svg = readFileSync(join(out, `${id}.svg`), 'utf8');
    const size = svgDocumentSize(svg);
    expect(pngSize(readFileSync(join(out, `${id}.png`)))).toEqual({ width: size.width * 2, height: size.height * 2 });
    return svg;
  }

  it("plot filters draws the first convolution's 8 filters", () => {
    const out = join(dir, 'filters');
    const result = runCli(['plot', 'filters', '--model', convModel, '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Convolution filters: .*conv-filters\.svg/);
    expect(countImages(figure(out, 'conv-filters'))).toBe(8);
  });

  it('plot feature-maps draws one built-in test digit and its 8 maps; --index picks the digit', () => {
    const out = join(dir, 'maps');
    const result = runCli(['plot', 'feature-maps', '--model', convModel, '--index', '7', '--out', out]);
    expect(result.stderr).toMatch(/^scratchnet: warning: .* does not record what it was trained on;[^\n]*\n$/); // an untrained model
    expect(result.status).toBe(0);
    const svg = figure(out, 'feature-maps');
    expect(countImages(svg)).toBe(9);
    expect(svg).toContain('Input: sample 7 of');
  });

  it('each refuses the other kind of model in one line, naming the command to use', () => {
    const weights = runCli(['plot', 'weights', '--model', convModel, '--out', join(dir, 'w')]);
    expect(weights.status).toBe(1);
    expect(weights.stderr).toMatch(/is a convolutional network.*scratchnet plot filters/);
    const filters = runCli(['plot', 'filters', '--model', mlpModel, '--out', join(dir, 'f')]);
    expect(filters.status).toBe(1);
    expect(filters.stderr).toMatch(/has no convolution.*scratchnet plot weights/);
    const maps = runCli(['plot', 'feature-maps', '--model', mlpModel, '--out', join(dir, 'm')]);
    expect(maps.status).toBe(1);
    expect(maps.stderr).toMatch(/has no convolution: it makes no feature maps/);
  });
});
