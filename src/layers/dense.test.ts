import { describe, expect, it } from 'vitest';
import { awayFromZero } from '../../test/helpers.js';
import { kernels } from '../kernels/index.js';
import { checkLayerGradients } from '../network/gradcheck.js';
import { SGD } from '../optimizers/sgd.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { Dense } from './dense.js';

function tutorialDense(): Dense {
  const dense = new Dense(2, 3);
  dense.weight.value.data.set([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
  dense.bias.value.data.set([0.1, 0.2, 0.3]);
  return dense;
}

function expectClose(actual: Tensor | Float32Array, expected: number[][] | number[], digits = 6): void {
  const values = Array.from(actual instanceof Tensor ? actual.data : actual);
  const flat = (expected as number[]).flat();
  expect(values.length).toBe(flat.length);
  values.forEach((v, i) => expect(v).toBeCloseTo(flat[i], digits));
}

describe('Dense', () => {
  it("forward on the tutorial's numbers: Y = X·W + b", () => {
    const y = tutorialDense().forward(
      Tensor.from([
        [1, 2],
        [3, 4],
      ]),
      'train',
    );
    expect(y.shape).toEqual([2, 3]);
    expectClose(y, [
      [1.0, 1.4, 1.8],
      [2.0, 2.8, 3.6],
    ]);
  });

  it('as a step of an evaluation chain, folds the ReLU after it into its product: act(X·W + b)', () => {
    const dense = tutorialDense();
    dense.bias.value.data.set([-1.5, -1.5, 0.3]);
    const x = Tensor.from([
      [1, 2],
      [3, 4],
    ]); // X·W = [[0.9, 1.2, 1.5], [1.9, 2.6, 3.3]]
    const evaluate = (slope?: number) => {
      const y = Tensor.zeros([2, 3]);
      kernels().denseChain(2, x.data, [dense.chainStep(slope)], [y.data]);
      return y;
    };
    expectClose(evaluate(), [
      [-0.6, -0.3, 1.8],
      [0.4, 1.1, 3.6],
    ]); // no activation
    expectClose(evaluate(0), [
      [0, 0, 1.8],
      [0.4, 1.1, 3.6],
    ]); // ReLU
    expectClose(evaluate(0.1), [
      [-0.06, -0.03, 1.8],
      [0.4, 1.1, 3.6],
    ]); // leaky, slope 0.1
    expect(Object.is(evaluate(0).data[0], 0)).toBe(true); // ReLU gives +0, as the ReLU layer does
    expect(() =>
      dense.backward(
        Tensor.from([
          [1, 1, 1],
          [1, 1, 1],
        ]),
      ),
    ).toThrow(/before forward/);
  });

  it('backward on the tutorial numbers, computed by hand', () => {
    const dense = tutorialDense();
    dense.forward(
      Tensor.from([
        [1, 2],
        [3, 4],
      ]),
      'train',
    );
    const dX = dense.backward(
      Tensor.from([
        [0.1, 0.2, 0.3],
        [0.4, 0.5, 0.6],
      ]),
      true,
    )!;
    // dW = Xᵀ·dY = [[1·.1 + 3·.4, 1·.2 + 3·.5, 1·.3 + 3·.6], [2·.1 + 4·.4, 2·.2 + 4·.5, 2·.3 + 4·.6]]
    expectClose(dense.weight.grad, [
      [1.3, 1.7, 2.1],
      [1.8, 2.4, 3.0],
    ]);
    // db = Σ_batch dY
    expectClose(dense.bias.grad, [0.5, 0.7, 0.9]);
    // dX = dY·Wᵀ: row 0 = [.1·.1 + .2·.2 + .3·.3, .1·.4 + .2·.5 + .3·.6]
    expectClose(dX, [
      [0.14, 0.32],
      [0.32, 0.77],
    ]);
  });

  it('an SGD step (lr 0.1) applies W − lr·dW without dividing by the batch again', () => {
    const dense = tutorialDense();
    dense.forward(
      Tensor.from([
        [1, 2],
        [3, 4],
      ]),
      'train',
    );
    dense.backward(
      Tensor.from([
        [0.1, 0.2, 0.3],
        [0.4, 0.5, 0.6],
      ]),
      true,
    );
    new SGD(0.1).step(dense.params());
    expectClose(dense.weight.value, [
      [-0.03, 0.03, 0.09],
      [0.22, 0.26, 0.3],
    ]);
    expectClose(dense.bias.value, [0.05, 0.13, 0.21]);
  });

  it('skips the input gradient when asked', () => {
    const dense = tutorialDense();
    dense.forward(Tensor.from([[1, 2]]), 'train');
    expect(dense.backward(Tensor.from([[1, 1, 1]]), false)).toBeNull();
    expectClose(dense.weight.grad, [
      [1, 1, 1],
      [2, 2, 2],
    ]);
  });

  it('He initialisation: mean 0, variance 2 / inputs, zero bias', () => {
    const dense = new Dense(400, 300, new Rng(1));
    const w = dense.weight.value.data;
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const variance = w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(variance).toBeCloseTo(2 / 400, 4);
    expect(dense.bias.value.data.every((b) => b === 0)).toBe(true);
  });

  it('backward matches finite differences', () => {
    const rng = new Rng(11);
    const dense = new Dense(7, 5, rng);
    for (let i = 0; i < 5; i++) dense.bias.value.data[i] = rng.uniformIn(-1, 1);
    const result = checkLayerGradients(dense, awayFromZero([4, 7], rng));
    expect(result.failures).toEqual([]);
    expect(result.checked).toBe(28 + 35 + 5);
  });

  it('a final short batch reuses storage and gives the right shape', () => {
    const dense = new Dense(3, 2, new Rng(1));
    const full = dense.forward(Tensor.zeros([8, 3]), 'train');
    const short = dense.forward(Tensor.zeros([5, 3]), 'train');
    expect(short.shape).toEqual([5, 2]);
    expect(short.data.buffer).toBe(full.data.buffer);
    expect(dense.forward(Tensor.zeros([8, 3]), 'train')).toBe(full);
  });

  it('a wrong input width names both shapes', () => {
    expect(() => new Dense(784, 64).forward(Tensor.zeros([32, 783]), 'train')).toThrow('expected shape [-1, 784], got [32, 783]');
  });
});
