import { loadBuiltinMnist } from '../src/data/builtin.js';

/**
 * For the tests: onnxruntime-web (a dev dependency, an ONNX runtime independent of scratchnet) in Node
 * on its WebAssembly backend, one thread, as bench/convnet-onnx.ts runs it.
 */
export async function runOnnx(
  model: Uint8Array,
  x: Float32Array,
  shape: readonly number[],
): Promise<{ output: Float32Array; dims: readonly number[]; inputNames: readonly string[]; outputNames: readonly string[] }> {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
  try {
    const [input] = session.inputNames;
    const [output] = session.outputNames;
    const result = (await session.run({ [input]: new ort.Tensor('float32', x, [...shape]) }))[output];
    return {
      output: result.data as Float32Array,
      dims: result.dims,
      inputNames: session.inputNames,
      outputNames: session.outputNames,
    };
  } finally {
    await session.release();
  }
}

/** The first `count` built-in test digits as floats in [0, 1] (pixel / 255, as the CLI feeds them), [count, 784]. */
export function digits(count: number): { pixels: Float32Array; labels: Int32Array } {
  const { test } = loadBuiltinMnist();
  const bytes = test.features.subarray(0, count * 784);
  return { pixels: Float32Array.from(bytes, (v) => v * test.scale), labels: test.labels.slice(0, count) };
}

/** The largest |a_i − b_i|. */
export function largestDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`internal: ${a.length} values against ${b.length}`);
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i] - b[i]));
  return largest;
}
