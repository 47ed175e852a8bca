import { describe, expect, it } from 'vitest';
import { awayFromZero } from '../../test/helpers.js';
import { LeakyReLU, ReLU, Sigmoid, Tanh } from '../layers/activations.js';
import { BatchNorm } from '../layers/batch-norm.js';
import { Dense } from '../layers/dense.js';
import type { Layer } from '../layers/layer.js';
import { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { EvaluationPlan } from './evaluation-plan.js';

/** The layers one by one in evaluation mode: what the plan must reproduce bit for bit. */
function layerByLayer(layers: readonly Layer[], x: Tensor): number[] {
  let y = x;
  for (const layer of layers) y = layer.forward(y, 'eval');
  return Array.from(y.data);
}

function argmax(values: number[], cols: number): number[] {
  const classes: number[] = [];
  for (let at = 0; at < values.length; at += cols) {
    const row = values.slice(at, at + cols);
    classes.push(row.indexOf(Math.max(...row)));
  }
  return classes;
}

describe('EvaluationPlan', () => {
  const rng = new Rng(11);
  const networks: [string, Layer[]][] = [
    [
      'Dense → ReLU → Dense → leaky ReLU → Dense (one chain)',
      [new Dense(5, 6, rng), new ReLU(), new Dense(6, 4, rng), new LeakyReLU(0.2), new Dense(4, 3, rng)],
    ],
    ['Dense → Tanh → Dense (chain, layer, chain)', [new Dense(5, 6, rng), new Tanh(), new Dense(6, 3, rng)]],
    [
      'Dense → BatchNorm → ReLU → Dense → Sigmoid (ends in a layer)',
      [new Dense(5, 6, rng), new BatchNorm(6), new ReLU(), new Dense(6, 3, rng), new Sigmoid()],
    ],
    ['ReLU → Dense (an activation with no product before it runs as a layer)', [new ReLU(), new Dense(5, 3, rng)]],
  ];
  for (const [name, layers] of networks) {
    it(`${name}: the same outputs as the layers one by one, and their arg-max as the classes`, () => {
      const x = awayFromZero([7, 5], rng);
      const expected = layerByLayer(layers, x);
      const plan = new EvaluationPlan(layers);
      const classes = new Int32Array(7);
      expect(Array.from(plan.run(x, classes).data)).toEqual(expected);
      expect(Array.from(classes)).toEqual(argmax(expected, 3));
    });
  }

  it("writes its own buffers, so a layer's training-mode output is left as it was", () => {
    const dense = new Dense(2, 3, new Rng(1));
    const train = awayFromZero([4, 2], new Rng(2));
    const trained = dense.forward(train, 'train');
    const before = Array.from(trained.data);
    new EvaluationPlan([dense]).run(awayFromZero([4, 2], new Rng(3)));
    expect(Array.from(trained.data)).toEqual(before);
  });
});
