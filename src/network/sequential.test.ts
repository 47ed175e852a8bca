import { describe, expect, it } from 'vitest';
import { awayFromZero, spiral } from '../../test/helpers.js';
import { Dense } from '../layers/dense.js';
import { Tanh } from '../layers/activations.js';
import { Flatten } from '../layers/flatten.js';
import { MeanSquaredError } from '../losses/mse.js';
import { SoftmaxCrossEntropy } from '../losses/softmax-cross-entropy.js';
import { SGD } from '../optimizers/sgd.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { evaluate } from './evaluate.js';
import { fit } from '../training/fit.js';
import { checkNetworkGradients } from './gradcheck.js';
import { Sequential } from './sequential.js';

describe('Sequential', () => {
  it("the default network is the tutorial's 784-64-32-10 with ReLU", () => {
    const net = Sequential.mlp();
    expect(net.toString()).toBe('Sequential(Dense(784 → 64) → ReLU → Dense(64 → 32) → ReLU → Dense(32 → 10))');
    expect(net.parameterCount()).toBe(784 * 64 + 64 + 64 * 32 + 32 + 32 * 10 + 10);
    expect(net.params().map((p) => p.name)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
  });

  it('forward returns every layer activation with its shape', () => {
    const net = Sequential.mlp({ inputs: 4, hidden: [5], classes: 2 });
    const shapes = net.forward(Tensor.zeros([3, 4])).map((a) => a.shape);
    expect(shapes).toEqual([
      [3, 5],
      [3, 5],
      [3, 2],
    ]);
  });

  for (const activation of ['relu', 'leaky-relu', 'sigmoid', 'tanh'] as const) {
    it(`a 3-layer ${activation} network's gradients match finite differences`, () => {
      const rng = new Rng(3);
      const net = Sequential.mlp({ inputs: 6, hidden: [8, 7], classes: 4, activation, rng });
      for (const p of net.params())
        if (p.name.endsWith('bias')) for (let i = 0; i < p.value.size; i++) p.value.data[i] = rng.uniformIn(-0.5, 0.5);
      const result = checkNetworkGradients(net, awayFromZero([5, 6], rng), Int32Array.from([0, 1, 2, 3, 1]), {
        maxChecksPerTensor: 200,
      });
      expect(result.failures).toEqual([]);
      expect(result.checked).toBe(net.parameterCount());
    });
  }

  it("a network's gradients under mean squared error match finite differences", () => {
    const rng = new Rng(3);
    const net = Sequential.mlp({ inputs: 6, hidden: [8], classes: 4, activation: 'tanh', rng });
    const result = checkNetworkGradients(net, awayFromZero([5, 6], rng), Int32Array.from([0, 1, 2, 3, 1]), {
      maxChecksPerTensor: 200,
      loss: new MeanSquaredError(),
    });
    expect(result.failures).toEqual([]);
    expect(result.checked).toBe(net.parameterCount());
  });

  it('trainStep without a loss is trainStep with softmax cross-entropy, bit for bit; with MeanSquaredError it returns that loss', () => {
    const x = awayFromZero([8, 4], new Rng(1));
    const labels = Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1]);
    const run = (loss?: SoftmaxCrossEntropy | MeanSquaredError) => {
      const net = Sequential.mlp({ inputs: 4, hidden: [5], classes: 3, rng: new Rng(2) });
      const optimizer = new SGD(0.1);
      const losses = [0, 1, 2].map(() => net.trainStep(x, labels, optimizer, loss));
      return { losses, weights: Array.from(net.params()[0].value.data) };
    };
    const byDefault = run();
    const crossEntropy = run(new SoftmaxCrossEntropy());
    expect(crossEntropy.losses).toEqual(byDefault.losses);
    expect(crossEntropy.weights).toEqual(byDefault.weights);

    const squared = run(new MeanSquaredError());
    const untrained = Sequential.mlp({ inputs: 4, hidden: [5], classes: 3, rng: new Rng(2) });
    expect(squared.losses[0]).toBe(new MeanSquaredError().forward(untrained.logits(x, 'train'), labels));
    expect(squared.losses[2]).toBeLessThan(squared.losses[0]);
    expect(squared.weights).not.toEqual(byDefault.weights);
  });

  it('the same seed gives identical weights and losses; a different seed differs', () => {
    const data = spiral(50, 3, new Rng(1));
    const run = (seed: number) => {
      const net = Sequential.mlp({ inputs: 2, hidden: [16], classes: 3, rng: new Rng(seed) });
      const history = fit(net, data, { epochs: 3, batchSize: 16, rng: new Rng(seed) });
      return { loss: history.batchLoss, weights: Array.from(net.params()[0].value.data) };
    };
    const a = run(7);
    const b = run(7);
    const c = run(8);
    expect(b.loss).toEqual(a.loss);
    expect(b.weights).toEqual(a.weights);
    expect(c.weights).not.toEqual(a.weights);
    expect(c.loss).not.toEqual(a.loss);
  });

  it('learns a 3-arm spiral to at least 95% accuracy in 300 epochs', () => {
    const data = spiral(100, 3, new Rng(2));
    const net = Sequential.mlp({ inputs: 2, hidden: [64], classes: 3, rng: new Rng(2) });
    fit(net, data, { epochs: 300, batchSize: 32, optimizer: new SGD(0.5), rng: new Rng(2) });
    expect(evaluate(net, data).accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('a linear model (no hidden layer) cannot learn the spiral', () => {
    const data = spiral(100, 3, new Rng(2));
    const net = Sequential.mlp({ inputs: 2, hidden: [], classes: 3, rng: new Rng(2) });
    fit(net, data, { epochs: 100, batchSize: 32, optimizer: new SGD(0.5), rng: new Rng(2) });
    expect(evaluate(net, data).accuracy).toBeLessThan(0.7);
  });

  const evaluated = [
    ['relu', {}],
    ['leaky-relu', {}],
    ['tanh', {}],
    ['relu', { dropout: 0.3 }],
    ['leaky-relu', { batchNorm: true }],
  ] as const;
  for (const [activation, extra] of evaluated) {
    it(`evaluation-mode logits of a ${activation} network ${JSON.stringify(extra)} (Dense layers chained, activations folded in) equal the layer-by-layer forward`, () => {
      const rng = new Rng(5);
      const net = Sequential.mlp({ inputs: 6, hidden: [8, 7], classes: 4, activation, rng, ...extra });
      const train = awayFromZero([16, 6], rng);
      net.trainStep(
        train,
        new Int32Array(16).map((_, i) => i % 4),
        new SGD(0.1),
      ); // batch norm statistics move
      const x = awayFromZero([9, 6], rng);
      const layerByLayer = Array.from(net.forward(x, 'eval').at(-1)!.data);
      expect(Array.from(net.logits(x).data)).toEqual(layerByLayer);
    });
  }

  it('predict is the argmax of predictProba', () => {
    const rng = new Rng(4);
    const net = new Sequential([new Dense(3, 5, rng), new Tanh(), new Dense(5, 4, rng)], [3]);
    const x = awayFromZero([6, 3], rng);
    const probs = net.predictProba(x);
    const predicted = net.predict(x);
    for (let r = 0; r < 6; r++) {
      const row = Array.from(probs.data.subarray(r * 4, r * 4 + 4));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect(predicted[r]).toBe(row.indexOf(Math.max(...row)));
    }
  });

  it('reuses every buffer once batches repeat (no allocation per batch)', () => {
    const net = Sequential.mlp({ inputs: 4, hidden: [5], classes: 3 });
    const x = Tensor.zeros([8, 4]);
    const labels = new Int32Array(8);
    const optimizer = new SGD(0.1);
    net.trainStep(x, labels, optimizer);
    const first = net.forward(x, 'train').map((a) => a.data);
    net.trainStep(x, labels, optimizer);
    const second = net.forward(x, 'train').map((a) => a.data);
    second.forEach((data, i) => expect(data).toBe(first[i]));
  });

  it('rebuilds from its config', () => {
    const net = Sequential.mlp({ inputs: 4, hidden: [6], classes: 3, activation: 'leaky-relu' });
    const copy = Sequential.fromConfig(JSON.parse(JSON.stringify(net.config())));
    expect(copy.toString()).toBe(net.toString());
    expect(copy.config()).toEqual(net.config());
  });
});

describe('Sequential input shapes', () => {
  it('takes samples of the same size in either shape: flat pixels for an image network, images for an MLP', () => {
    const rng = new Rng(3);
    const mlp = Sequential.mlp({ hidden: [8], rng });
    const images = awayFromZero([2, 1, 28, 28], rng);
    const flat = new Tensor(images.data, [2, 784]);
    expect(Array.from(mlp.logits(images).data)).toEqual(Array.from(mlp.logits(flat).data));
    const imageNet = new Sequential([new Flatten(), new Dense(784, 10, rng)], [1, 28, 28]);
    expect(Array.from(imageNet.predict(flat))).toEqual(Array.from(imageNet.predict(images)));
    expect(imageNet.forward(flat, 'train')[0].shape).toEqual([2, 784]);
    expect(() => mlp.logits(Tensor.zeros([2, 783]))).toThrow('network input: expected shape [-1, 784], got [2, 783]');
  });
});
