import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ConvnetSpec, Timing } from './convnet-spec.js';
import { loadBenchData } from './datasets.js';
import { busyFrom } from './measure.js';

/**
 * onnxruntime-web (dev dependency) in Node on its WebAssembly backend — the SIMD build with threads
 * (ort-wasm-simd-threaded.wasm; every build of 1.19 and later is SIMD) — running the convnet PyTorch
 * exported (exportConvnetOnnx), as a web page serving the model would. Its thread count is fixed when
 * its WebAssembly first starts, so each setting runs in a fresh Node process: this file, run as a script.
 */
export function benchConvnetOnnx(threads: number, model: string, dataDirectory: string, spec: ConvnetSpec): Timing | string {
  try {
    createRequire(import.meta.url).resolve('onnxruntime-web');
  } catch {
    return 'onnxruntime-web is not installed (a dev dependency: npm install)';
  }
  const args = { threads, model, data: dataDirectory, images: spec.inferSamples, batch: spec.inferBatch, reps: spec.inferReps };
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), JSON.stringify(args)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    timeout: 20 * 60 * 1000,
  });
  if (run.status !== 0)
    return `onnxruntime-web failed: ${(run.stderr || run.error?.message || '').trim().split('\n').slice(-3).join(' | ')}`;
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Timing;
}

/** The measurement, in the child process: `images` test images in batches, one warm-up pass, then `reps` timed passes. */
async function measure(args: {
  threads: number;
  model: string;
  data: string;
  images: number;
  batch: number;
  reps: number;
}): Promise<Timing> {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = args.threads;
  const session = await ort.InferenceSession.create(args.model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const data = await loadBenchData(1, args.data);
  if (!data) throw new Error(`no IDX data in ${args.data}`);
  const test = data.test;
  const size = 784;
  const images = Math.min(args.images, test.count);
  const pixels = Float32Array.from(test.features.subarray(0, images * size), (v) => v * test.scale);
  const batches: InstanceType<typeof ort.Tensor>[] = [];
  for (let start = 0; start < images; start += args.batch) {
    const rows = Math.min(args.batch, images - start);
    batches.push(new ort.Tensor('float32', pixels.subarray(start * size, (start + rows) * size), [rows, 1, 28, 28]));
  }
  const [input] = session.inputNames;
  const [output] = session.outputNames;
  const classes = new Int32Array(args.batch);
  const pass = async () => {
    for (const x of batches) {
      const logits = (await session.run({ [input]: x }))[output].data as Float32Array;
      for (let r = 0; r < x.dims[0]; r++) {
        let best = 0;
        for (let c = 1; c < 10; c++) if (logits[r * 10 + c] > logits[r * 10 + best]) best = c;
        classes[r] = best;
      }
    }
  };
  await pass(); // warm-up
  const rates: number[] = [];
  const busy = busyFrom();
  for (let rep = 0; rep < args.reps; rep++) {
    const start = performance.now();
    await pass();
    rates.push(images / ((performance.now() - start) / 1000));
  }
  const coresBusy = busy();
  await session.release();
  return { samplesPerSecond: rates, images, coresBusy };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await measure(JSON.parse(process.argv[2]) as Parameters<typeof measure>[0])));
  process.exit(0);
}
