import { describe, expect, it } from 'vitest';
import { parseLayerSpec } from './layer-spec.js';

const KERAS_NET =
  'conv2d(32,3),relu,maxpool2d(2),conv2d(64,3),relu,maxpool2d(2),flatten,dropout(0.25),dense(128),relu,dropout(0.5),dense(10)';

describe('parseLayerSpec', () => {
  it('reads the convnet of the issue into its layers, with defaults and the index where each starts', () => {
    const layers = parseLayerSpec(KERAS_NET);
    expect(layers.map((l) => l.kind)).toEqual([
      'conv2d',
      'relu',
      'maxpool2d',
      'conv2d',
      'relu',
      'maxpool2d',
      'flatten',
      'dropout',
      'dense',
      'relu',
      'dropout',
      'dense',
    ]);
    expect(layers[0]).toEqual({ kind: 'conv2d', at: 0, channels: 32, kernel: 3, stride: 1, padding: 0 });
    expect(layers[2]).toEqual({ kind: 'maxpool2d', at: 18, kernel: 2, stride: 2 });
    expect(layers[7]).toEqual({ kind: 'dropout', at: KERAS_NET.indexOf('dropout'), rate: 0.25 });
    expect(layers[11]).toEqual({ kind: 'dense', at: KERAS_NET.lastIndexOf('dense'), units: 10 });
  });

  it('takes stride and padding (a number, same or valid), spaces, any case and the aliases linear and batchnorm2d', () => {
    const text = ' Conv2d( 8 , 5, 1, same ) , BatchNorm2d, ReLU, avgpool2d(3, 2), linear(4) ';
    expect(parseLayerSpec(text)).toEqual([
      { kind: 'conv2d', at: 1, channels: 8, kernel: 5, stride: 1, padding: 'same' },
      { kind: 'batchnorm', at: text.indexOf('Batch') },
      { kind: 'relu', at: text.indexOf('ReLU') },
      { kind: 'avgpool2d', at: text.indexOf('avg'), kernel: 3, stride: 2 },
      { kind: 'dense', at: text.indexOf('linear'), units: 4 },
    ]);
    expect(parseLayerSpec('conv2d(4,3,2,1),leakyrelu,leakyrelu(0.2),globalavgpool2d')).toEqual([
      { kind: 'conv2d', at: 0, channels: 4, kernel: 3, stride: 2, padding: 1 },
      { kind: 'leakyrelu', at: 16, slope: 0.01 },
      { kind: 'leakyrelu', at: 26, slope: 0.2 },
      { kind: 'globalavgpool2d', at: 41 },
    ]);
  });

  it.each([
    ['conv2d(32,3),relu,maxpol2d(2),flatten', "position 19: unknown layer 'maxpol2d' (did you mean maxpool2d?)"],
    ['dense(10),softmaxx', "position 11: unknown layer 'softmaxx' (known: conv2d, maxpool2d"],
    ['conv2d(32)', 'position 1: conv2d takes conv2d(channels, kernel, [stride], [padding]), got 1 argument'],
    ['relu(2)', 'position 1: relu takes no arguments, got 1 argument'],
    ['dense(0)', "position 7: dense: units must be a positive integer, got '0'"],
    ['dense(12.5)', "position 7: dense: units must be a positive integer, got '12.5'"],
    ['dropout(1)', "position 9: dropout: rate must be in [0, 1), got '1'"],
    ['conv2d(8,3,2,same)', "position 14: conv2d: padding 'same' needs stride 1 (as in PyTorch)"],
    ['conv2d(8,3,1,full)', "position 14: conv2d: padding must be a non-negative integer, 'same' or 'valid', got 'full'"],
    ['dense(10', 'position 9: dense( is not closed'],
    ['dense(10;', "position 9: expected ',' or ')' in dense(…), found ';'"],
    ['dense(10) relu', "position 11: expected ',' between layers, found 'r'"],
    ['dense(10),', 'position 11: expected a layer name after the comma'],
    ['dense(10),,relu', "position 11: expected a layer name, found ','"],
    ['', 'position 1: no layers'],
  ])('refuses %j with one line pointing at the mistake', (text, message) => {
    expect(() => parseLayerSpec(text)).toThrow(message);
  });
});
