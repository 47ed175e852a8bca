// `npm run bench:chain [-- --data fashion|mnist|dir]`: the evaluation chain of the tutorial's network
// (784-64-32-10, ReLU, batches of 1000 test images) on one thread, the wasm kernels against the native
// ones (each instruction set this CPU runs: AVX-512, AVX2), interleaved in one process over the same memory-resident inputs: time per 1000 images for the
// whole chain and for the first layer alone, and whether the two give the same outputs bit for bit.
import { Rng } from '../src/tensor/rng.js';
import { createWasmKernels, type WasmKernels } from '../src/kernels/wasm/backend.js';
import { loadNativeAddon } from '../src/kernels/native/native.js';
import type { DenseStep } from '../src/kernels/kernels.js';
import { loadBenchData } from './datasets.js';

const args = process.argv.slice(2);
const at = args.indexOf('--data');
const dataName = at >= 0 ? args[at + 1] : undefined;
const data = await loadBenchData(1000, dataName);
if (!data) {
  console.error('No benchmark data (install Debian dataset-fashion-mnist, or pass --data DIR of IDX files).');
  process.exit(1);
}
const backends: Record<string, WasmKernels> = { wasm: await createWasmKernels({ threads: 0 }) };
const native = await loadNativeAddon();
if ('reason' in native) {
  console.error(`native kernels unavailable: ${native.reason}`);
  process.exit(1);
}
for (const nativeIsa of native.addon.isas()) {
  backends[nativeIsa] = await createWasmKernels({ threads: 0, native: true, nativeIsa });
}
const natives = Object.keys(backends).filter((name) => name !== 'wasm');

const batch = 1000,
  batches = Math.min(10, Math.floor(data.test.count / batch));
const widths = [784, 64, 32, 10];
const rng = new Rng(7);
const weights = widths
  .slice(1)
  .map((units, i) => Float32Array.from({ length: widths[i] * units }, () => rng.uniformIn(-0.1, 0.1)));
const biases = widths.slice(1).map((units) => new Float32Array(units).fill(0.01));

/** The test images, the layers and their outputs in one backend's memory. */
function setUp(backend: WasmKernels) {
  const images = backend.alloc(batches * batch * 784);
  for (let i = 0; i < images.length; i++) images[i] = data!.test.features[i] * data!.test.scale;
  const steps: DenseStep[] = widths.slice(1).map((units, i) => {
    const weight = backend.alloc(weights[i].length);
    weight.set(weights[i]);
    const bias = backend.alloc(units);
    bias.set(biases[i]);
    return { inputs: widths[i], units, weight, epilogue: { bias, reluSlope: i < widths.length - 2 ? 0 : undefined } };
  });
  const outputs = steps.map((s) => backend.alloc(batch * s.units));
  const chain = (b: number, layers = steps.length) =>
    backend.denseChain(batch, images.subarray(b * batch * 784, (b + 1) * batch * 784), steps.slice(0, layers), outputs);
  return { chain, outputs };
}
const runs = Object.fromEntries(Object.entries(backends).map(([name, backend]) => [name, setUp(backend)]));

const bits = (values: Float32Array) => new Uint32Array(values.buffer, values.byteOffset, values.length);
const same = (name: string) =>
  [0, 1].every((b) => {
    runs.wasm.chain(b);
    runs[name].chain(b);
    return runs.wasm.outputs.every((out, i) => {
      const theirs = bits(runs[name].outputs[i]);
      return bits(out).every((v, j) => v === theirs[j]);
    });
  });

const times: Record<string, { chain: number[]; first: number[] }> = {};
for (const name of Object.keys(runs)) times[name] = { chain: [], first: [] };
for (let trial = 0; trial < 41; trial++) {
  for (const [name, run] of Object.entries(runs)) {
    for (const [what, layers] of [
      ['chain', 3],
      ['first', 1],
    ] as const) {
      const start = performance.now();
      for (let b = 0; b < batches; b++) run.chain(b, layers);
      times[name][what].push((performance.now() - start) / batches);
    }
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
console.log(
  `${data.name}, ${batches} batches of ${batch} test images, one thread, median of 41 interleaved trials (ms per 1000 images):`,
);
for (const [name, t] of Object.entries(times))
  console.log(`  ${name.padEnd(7)} whole chain ${median(t.chain).toFixed(3)}   first layer ${median(t.first).toFixed(3)}`);
for (const name of natives) {
  console.log(
    `  ${name} ÷ wasm time: chain ${(median(times[name].chain) / median(times.wasm.chain)).toFixed(2)}, first layer ${(median(times[name].first) / median(times.wasm.first)).toFixed(2)}; outputs bit for bit equal: ${same(name) ? 'yes' : 'NO'}`,
  );
}
for (const backend of Object.values(backends)) await backend.close();
