import { describe, expect, it } from 'vitest';
import { awayFromZero } from '../../test/helpers.js';
import { checkLayerGradients } from '../network/gradcheck.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { LeakyReLU, ReLU, Sigmoid, Softmax, Tanh } from './activations.js';
import type { Layer } from './layer.js';

const input = Tensor.from([[-2, -1, 0, 1, 2]]);

function forwardBackward(layer: Layer): { y: number[]; dx: number[] } {
  const y = Array.from(layer.forward(input, 'train').data);
  const dx = Array.from(layer.backward(Tensor.from([[1, 1, 1, 1, 1]]), true)!.data);
  return { y, dx };
}

describe('activations', () => {
  it("ReLU on the tutorial's test input", () => {
    const { y, dx } = forwardBackward(new ReLU());
    expect(y).toEqual([0, 0, 0, 1, 2]);
    expect(dx).toEqual([0, 0, 0, 1, 1]); // f'(0) taken as 0, as the tutorial's `input > 0`
  });

  it('LeakyReLU with slope 0.1', () => {
    const { y, dx } = forwardBackward(new LeakyReLU());
    [-0.2, -0.1, 0, 1, 2].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 6));
    [0.1, 0.1, 0.1, 1, 1].forEach((v, i) => expect(dx[i]).toBeCloseTo(v, 6));
  });

  it('Sigmoid values and derivative σ(1 − σ)', () => {
    const { y, dx } = forwardBackward(new Sigmoid());
    [0.11920292, 0.26894142, 0.5, 0.73105858, 0.88079708].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 6));
    [0.10499359, 0.19661193, 0.25, 0.19661193, 0.10499359].forEach((v, i) => expect(dx[i]).toBeCloseTo(v, 6));
  });

  it('Sigmoid does not overflow for large |x|', () => {
    const y = new Sigmoid().forward(Tensor.from([[-1000, 1000]]), 'train');
    expect(Array.from(y.data)).toEqual([0, 1]);
  });

  it('Tanh values and derivative 1 − tanh²', () => {
    const { y, dx } = forwardBackward(new Tanh());
    [-0.96402758, -0.76159416, 0, 0.76159416, 0.96402758].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 6));
    [0.07065082, 0.41997434, 1, 0.41997434, 0.07065082].forEach((v, i) => expect(dx[i]).toBeCloseTo(v, 6));
  });

  it('Softmax rows sum to 1', () => {
    const y = new Softmax().forward(
      Tensor.from([
        [1, 2, 3],
        [0, 0, 0],
      ]),
      'train',
    );
    [0.09003057, 0.24472847, 0.66524096, 1 / 3, 1 / 3, 1 / 3].forEach((v, i) => expect(y.data[i]).toBeCloseTo(v, 6));
  });

  for (const make of [() => new ReLU(), () => new LeakyReLU(0.1), () => new Sigmoid(), () => new Tanh(), () => new Softmax()]) {
    const layer = make();
    it(`${layer.type} backward matches finite differences`, () => {
      const rng = new Rng(21);
      const result = checkLayerGradients(layer, awayFromZero([4, 6], rng, 0.05));
      expect(result.failures).toEqual([]);
      expect(result.checked).toBe(24);
    });
  }
});
