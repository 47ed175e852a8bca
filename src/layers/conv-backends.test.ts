import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Kernels, reference, setKernels } from '../kernels/index.js';
import { loadNativeAddon } from '../kernels/native/native.js';
import { createWasmKernels, type WasmKernels } from '../kernels/wasm/backend.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { ReLU } from './activations.js';
import { Conv2d, COLS_LIMIT } from './conv2d.js';
import type { Layer } from './layer.js';
import { MaxPool2d } from './pooling.js';

// The convolution and pooling layers on the fast backends (wasm, native) give what they give on the js
// backend (whose agreement with PyTorch torch-agreement.test.ts checks), to 1e-5 relative to the largest
// value: the products sum in another order. Includes a batch large enough to be convolved in chunks.
const native = await loadNativeAddon();
const nativeIsas = 'reason' in native ? [] : native.addon.isas();
const backends: Kernels[] = [];

beforeAll(async () => {
  backends.push(await createWasmKernels({ threads: 1 }));
  for (const nativeIsa of nativeIsas) backends.push(await createWasmKernels({ threads: 1, native: true, nativeIsa }));
});
afterAll(async () => {
  setKernels(reference);
  for (const k of backends) await (k as WasmKernels).close();
});

/** Output, input gradient and parameter gradients of `layers` on `x` with upstream gradient `dy`, on the active backend. */
function run(layers: Layer[], x: Float32Array, shape: number[], upstream: Float32Array) {
  let y = new Tensor(Float32Array.from(x), shape);
  for (const layer of layers) y = layer.forward(y, 'train');
  const output = Float32Array.from(y.data);
  let grad = new Tensor(Float32Array.from(upstream), y.shape);
  for (let i = layers.length - 1; i >= 0; i--) grad = layers[i].backward(grad, true)!;
  return {
    output,
    inputGrad: Float32Array.from(grad.data),
    params: layers.flatMap((l) => l.params().map((p) => Float32Array.from(p.grad.data))),
  };
}

function relativeError(a: Float32Array, b: Float32Array): number {
  let scale = 1e-6;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  return worst / scale;
}

const convnet = (seed: number): Layer[] => {
  const rng = new Rng(seed);
  return [
    new Conv2d(1, 8, 3, { rng }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(8, 16, 3, { padding: 1, stride: 2, rng }),
    new ReLU(),
  ];
};

describe('conv layers on the fast backends agree with the js backend', () => {
  it.each([
    ['a batch of 3', 3],
    [`a batch convolved in chunks (cols over COLS_LIMIT = ${COLS_LIMIT})`, Math.ceil((2.5 * COLS_LIMIT) / (26 * 26 * 9))],
  ])('conv, relu, maxpool, conv (stride 2, padding 1), relu: %s', (_, batch) => {
    const rng = new Rng(11);
    const shape = [batch, 1, 28, 28];
    const x = Float32Array.from({ length: batch * 784 }, () => (rng.uniform() < 0.4 ? 0 : rng.uniform()));
    const outSize = batch * 16 * 7 * 7;
    const upstream = Float32Array.from({ length: outSize }, () => rng.uniformIn(-1, 1));
    setKernels(reference);
    const expected = run(convnet(3), x, shape, upstream);
    for (const backend of backends) {
      setKernels(backend);
      const actual = run(convnet(3), x, shape, upstream);
      const label = backend.name + ((backend as WasmKernels).isa ? ` ${(backend as WasmKernels).isa}` : '');
      expect(relativeError(actual.output, expected.output), `${label} output`).toBeLessThan(1e-5);
      expect(relativeError(actual.inputGrad, expected.inputGrad), `${label} input gradient`).toBeLessThan(1e-5);
      actual.params.forEach((g, i) =>
        expect(relativeError(g, expected.params[i]), `${label} parameter gradient ${i}`).toBeLessThan(1e-5),
      );
    }
  });
});
