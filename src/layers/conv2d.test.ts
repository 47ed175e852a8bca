import { describe, expect, it } from 'vitest';
import { randomTensor } from '../../test/helpers.js';
import { checkLayerGradients } from '../network/gradcheck.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { Conv2d } from './conv2d.js';
import { layerFromConfig } from './layer.js';

/** The 3×3 image 1..9 as a [1, 1, 3, 3] batch. */
const nine = () =>
  new Tensor(
    Float32Array.from({ length: 9 }, (_, i) => i + 1),
    [1, 1, 3, 3],
  );

describe('Conv2d', () => {
  it('slides the kernel over the image: a 2×2 diagonal kernel sums x[i,j] + x[i+1,j+1], plus the bias', () => {
    const conv = new Conv2d(1, 1, 2);
    conv.weight.value.data.set([1, 0, 0, 1]);
    conv.bias!.value.data[0] = 0.5;
    const y = conv.forward(nine(), 'train');
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.data)).toEqual([1 + 5, 2 + 6, 4 + 8, 5 + 9].map((v) => v + 0.5));
  });

  it('pads with zeros and strides: a 3×3 box filter, padding 1, stride 2 sums each corner 2×2 block', () => {
    const conv = new Conv2d(1, 1, 3, { stride: 2, padding: 1, bias: false });
    conv.weight.value.data.fill(1);
    const y = conv.forward(nine(), 'train');
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.data)).toEqual([1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, 5 + 6 + 8 + 9]);
    expect(conv.params().map((p) => p.name)).toEqual(['weight']);
  });

  it("keeps the size with padding 'same', the extra zero after for an even kernel (as PyTorch)", () => {
    const odd = new Conv2d(1, 1, 3, { padding: 'same' });
    expect(odd.outputShape([1, 5, 4])).toEqual([1, 5, 4]);
    const even = new Conv2d(1, 1, 2, { padding: 'same', bias: false });
    even.weight.value.data.set([1, 0, 0, 0]); // picks x[i, j]: no padding before, so the image comes back
    expect(Array.from(even.forward(nine(), 'train').data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    even.weight.value.data.set([0, 0, 0, 1]); // picks x[i+1, j+1]: the padding after shows as zeros
    expect(Array.from(even.forward(nine(), 'train').data)).toEqual([5, 6, 0, 8, 9, 0, 0, 0, 0]);
  });

  it.each([
    { name: 'stride 1, no padding', c: 2, o: 3, k: 3, options: {}, shape: [2, 2, 5, 6] },
    { name: 'stride 2, padding 1, odd sizes', c: 3, o: 2, k: 3, options: { stride: 2, padding: 1 }, shape: [2, 3, 7, 5] },
    { name: "'same', 5×5", c: 2, o: 2, k: 5, options: { padding: 'same' as const }, shape: [3, 2, 6, 6] },
    {
      name: "'same', even kernel, no bias",
      c: 1,
      o: 4,
      k: 2,
      options: { padding: 'same' as const, bias: false },
      shape: [2, 1, 5, 3],
    },
    { name: '1×1 kernel, stride 3', c: 4, o: 2, k: 1, options: { stride: 3 }, shape: [2, 4, 7, 7] },
  ])('backward matches finite differences for input, weight and bias ($name)', ({ c, o, k, options, shape }) => {
    const rng = new Rng(5);
    const conv = new Conv2d(c, o, k, { ...options, rng });
    if (conv.bias) for (let i = 0; i < o; i++) conv.bias.value.data[i] = rng.uniformIn(-1, 1);
    const result = checkLayerGradients(conv, randomTensor(shape, rng), { maxChecksPerTensor: 60 });
    expect(result.failures).toEqual([]);
    expect(result.checked).toBeGreaterThan(40);
  });

  it('a final short batch reuses the layer buffers and gives the right shape; a new image size rebuilds them', () => {
    const conv = new Conv2d(1, 2, 3, { rng: new Rng(1) });
    const full = conv.forward(Tensor.zeros([8, 1, 6, 6]), 'train');
    const short = conv.forward(Tensor.zeros([5, 1, 6, 6]), 'train');
    expect(short.shape).toEqual([5, 2, 4, 4]);
    expect(short.data.buffer).toBe(full.data.buffer);
    expect(conv.forward(Tensor.zeros([2, 1, 8, 7]), 'train').shape).toEqual([2, 2, 6, 5]);
  });

  it('He initialisation over the fan-in C·k·k: variance 2 / (C·k·k)', () => {
    const conv = new Conv2d(16, 64, 3, { rng: new Rng(3) });
    const w = conv.weight.value.data;
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const variance = w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(variance).toBeCloseTo(2 / (16 * 9), 3);
    expect(Array.from(conv.bias!.value.data).every((b) => b === 0)).toBe(true);
  });

  it('rebuilds from its config, and counts 2·O·H′·W′·C·k·k FLOPs (+ the bias)', () => {
    const conv = new Conv2d(3, 8, 5, { stride: 2, padding: 2, init: 'xavier-uniform' });
    const copy = layerFromConfig(conv.config(), new Rng(1));
    expect(copy.config()).toEqual(conv.config());
    expect(copy.toString()).toBe('Conv2d(3 → 8, 5×5, stride 2, padding 2)');
    expect(conv.outputShape([3, 28, 28])).toEqual([8, 14, 14]);
    expect(conv.flops([3, 28, 28])).toBe(2 * 8 * 14 * 14 * 3 * 25 + 8 * 14 * 14);
  });

  it('refuses a kernel larger than the padded image, a wrong channel count, and bad options, naming them', () => {
    expect(() => new Conv2d(1, 1, 5).outputShape([1, 4, 4])).toThrow('Conv2d: a 5×5 kernel does not fit the input [1, 4, 4]');
    expect(() => new Conv2d(2, 1, 3).forward(Tensor.zeros([1, 3, 5, 5]), 'train')).toThrow(
      /Conv2d.forward input.*\[1, 3, 5, 5\]/,
    );
    expect(() => new Conv2d(1, 1, 3, { stride: 2, padding: 'same' })).toThrow("padding 'same' needs stride 1");
    expect(() => new Conv2d(1, 0, 3)).toThrow('Conv2d: outChannels must be a positive integer, got 0');
    expect(() => new Conv2d(1, 1, 3, { padding: -1 })).toThrow('Conv2d: padding must be a non-negative integer');
  });
});
