import { describe, expect, it } from 'vitest';
import { Rng } from '../tensor/rng.js';
import { layersFromSpec } from './from-spec.js';
import { parseLayerSpec } from './layer-spec.js';
import { Sequential } from './sequential.js';

const KERAS_NET =
  'conv2d(32,3),relu,maxpool2d(2),conv2d(64,3),relu,maxpool2d(2),flatten,dropout(0.25),dense(128),relu,dropout(0.5),dense(10)';
const build = (text: string, shape: number[], classes = 10) => layersFromSpec(parseLayerSpec(text), shape, classes, new Rng(1));

describe('layersFromSpec', () => {
  it('infers every size the string leaves out, reading 784 flat values as a [1, 28, 28] image', () => {
    const { layers, inputShape } = build(KERAS_NET, [784]);
    expect(inputShape).toEqual([1, 28, 28]);
    const net = new Sequential(layers, inputShape);
    expect(layers.map(String)).toEqual([
      'Conv2d(1 → 32, 3×3)',
      'ReLU',
      'MaxPool2d(2)',
      'Conv2d(32 → 64, 3×3)',
      'ReLU',
      'MaxPool2d(2)',
      'Flatten',
      'Dropout(0.25)',
      'Dense(1600 → 128)',
      'ReLU',
      'Dropout(0.5)',
      'Dense(128 → 10)',
    ]);
    expect(net.params().reduce((n, p) => n + p.value.size, 0)).toBe(320 + 18496 + 204928 + 1290);
    expect(build(KERAS_NET, [1, 28, 28]).inputShape).toEqual([1, 28, 28]);
  });

  it('puts batch norm per channel after a convolution and per feature after a dense layer', () => {
    const { layers } = build('conv2d(4,3,1,same),batchnorm,relu,flatten,dense(16),batchnorm,relu,dense(10)', [1, 6, 6]);
    expect(layers.map(String)).toEqual([
      'Conv2d(1 → 4, 3×3, padding same)',
      'BatchNorm(4)',
      'ReLU',
      'Flatten',
      'Dense(144 → 16)',
      'BatchNorm(16)',
      'ReLU',
      'Dense(16 → 10)',
    ]);
  });

  it('builds an MLP from flat samples, batch norm included', () => {
    const { layers, inputShape } = build('dense(64),batchnorm,relu,dense(3)', [4], 3);
    expect(inputShape).toEqual([4]);
    expect(layers.map(String)).toEqual(['Dense(4 → 64)', 'BatchNorm(64)', 'ReLU', 'Dense(64 → 3)']);
  });

  it.each([
    [
      'conv2d(8,3),relu,dense(10)',
      [784],
      'position 18: dense needs a flat input, but its input is [8, 26, 26]: put flatten before dense',
    ],
    [
      'conv2d(8,3),flatten,dense(10)',
      [10],
      'position 1: conv2d needs images [channels, height, width], but the samples are 10 values (not a square)',
    ],
    ['dense(8),conv2d(8,3)', [784], 'position 10: conv2d needs images [channels, height, width], but its input is [8]'],
    [
      'conv2d(8,5),maxpool2d(2),conv2d(8,5),maxpool2d(2),conv2d(8,5)',
      [1, 12, 12],
      'position 26: Conv2d: a 5×5 kernel does not fit the input [8, 4, 4]',
    ],
    ['flatten,dense(7)', [784], 'position 9: dense the network ends in [7], but the data has 10 classes: end with dense(10)'],
    [
      'flatten,dense(65536),relu,dense(65536),relu,dense(10)',
      [784],
      'position 9: dense brings the network to 51,445,760 parameters, more than the 25,000,000 allowed',
    ],
    [
      'conv2d(65536,3,1,same),flatten,dense(10)',
      [784],
      'position 1: conv2d outputs [65536, 28, 28] per sample (51,380,224 values), more than the 4,194,304 allowed',
    ],
  ])('%s on %j: %s', (text, shape, message) => {
    expect(() => build(text, shape)).toThrow(message);
  });
});
