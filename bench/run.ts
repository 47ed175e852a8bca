#!/usr/bin/env node
// npm run bench [-- --quick] [--reps N] [--samples N] [--only id,id] [--suite mlp,recipes,convnet] [--infer-batch N] [--data fashion|mnist|dir] [--json file]
//
// scratchnet against every competitor installed, in one run, on the same data and shapes. Three suites:
// `mlp`, the tutorial's network and a wider one against the tutorial's NumPy code (float64 and float32),
// PyTorch (1 and 2 threads) and TF.js (wasm and cpu); `recipes`, 784-256-128-10 with batch norm, dropout,
// Nesterov, Adam and all together, through the CLI, against PyTorch with and without flush-to-zero;
// `convnet`, issue 15's convnet (bench/convnet.ts) against PyTorch, onnxruntime-web and TF.js. Each
// figure is the median of the repetitions (one epoch each); the ± is half their spread, the noise.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadBenchData, dataCandidates } from './datasets.js';
import type { BenchSpec } from './measure.js';
import { benchPython, python } from './python.js';
import { type SystemResult, table, targets } from './report.js';
import { type RecipeResults, type RecipeRun, benchRecipesCli, benchRecipesTorch, recipeTable, recipeTargets } from './recipes.js';
import { benchScratchnet } from './scratchnet.js';
import { benchConvnet, convnetTable, convnetTargets, type ConvnetResult } from './convnet.js';
import { CONVNET_LAYERS, type ConvnetMeasured, type ConvnetSpec } from './convnet-spec.js';
import { loadNativeAddon } from '../src/kernels/native/native.js';
import { compileKernels } from '../src/kernels/wasm/backend.js';
import { benchTfjs } from './tfjs.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    reps: { type: 'string' },
    samples: { type: 'string' },
    only: { type: 'string' },
    json: { type: 'string' },
    data: { type: 'string' },
    suite: { type: 'string', default: 'mlp,recipes,convnet' },
    'infer-batch': { type: 'string' },
  },
});
const suites = new Set(args.suite.split(','));
for (const suite of suites)
  if (suite !== 'mlp' && suite !== 'recipes' && suite !== 'convnet')
    throw new Error(`--suite: unknown suite '${suite}' (mlp, recipes, convnet)`);
const quick = args.quick;
const spec: BenchSpec = {
  train: [
    { hidden: [64, 32], batch: 32 },
    { hidden: [256, 256], batch: 128 },
  ],
  infer: { hidden: [64, 32], batch: 1000 },
  reps: Math.max(3, Number(args.reps ?? 3)),
  inferReps: Math.max(9, Number(args.reps ?? 3)),
  trainSamples: Number(args.samples ?? (quick ? 10000 : 60000)),
};
/** Slow systems train on fewer images per repetition (throughput is per image, so still comparable). */
const slowCap = quick ? 2000 : 10000;
/**
 * The convnet's repetitions are 10,000 images (quick: 2,000; or --samples): 156 batches, long enough for a
 * stable figure, while a 60,000-image epoch would take 20 s per repetition for PyTorch and minutes for the
 * slower systems. Inference runs over the first 5,120 test images in batches of 256 (--infer-batch N for
 * another): a batch a server gathers, and bounded memory — every layer keeps its output for the batch, and
 * the first convolution's alone is 256·32·26·26 floats = 22 MB (87 MB at the mlp suite's 1000).
 */
const convnetSpec: ConvnetSpec = {
  batch: 64,
  lr: 1e-3,
  trainSamples: Math.min(spec.trainSamples, args.samples ? spec.trainSamples : quick ? 2000 : 10000),
  slowTrainSamples: 64,
  slowSeconds: quick ? 30 : 60,
  warmupSamples: quick ? 640 : 1280,
  reps: spec.reps,
  inferSamples: quick ? 1024 : 5120,
  inferBatch: Number(args['infer-batch'] ?? 256),
  inferReps: quick ? 3 : 5,
};

const SYSTEMS: { id: string; label: string; cap?: number; run: () => Promise<SystemResult['measured'] | string> }[] = [
  {
    id: 'scratchnet-native',
    label: 'scratchnet, native (matrix products in C, AVX-512 or AVX2+FMA; threads for large products)',
    run: () => benchScratchnet('native', data, spec),
  },
  {
    id: 'scratchnet-native-1t',
    label: 'scratchnet, native, 1 thread',
    run: () => benchScratchnet('native-1-thread', data, spec),
  },
  {
    id: 'scratchnet-wasm',
    label: 'scratchnet, wasm (SIMD, threads for large products)',
    run: () => benchScratchnet('wasm', data, spec),
  },
  { id: 'scratchnet-wasm-1t', label: 'scratchnet, wasm, 1 thread', run: () => benchScratchnet('wasm-1-thread', data, spec) },
  {
    id: 'scratchnet-js',
    label: 'scratchnet, js (reference kernels)',
    cap: slowCap,
    run: () => benchScratchnet('js', data, spec, slowCap),
  },
  {
    id: 'numpy-f64',
    label: "the tutorial's NumPy code, float64",
    run: () => Promise.resolve(benchPython({ script: 'tutorial_numpy.py', dtype: 'float64' }, data.directory, spec)),
  },
  {
    id: 'numpy-f32',
    label: "the tutorial's NumPy code, float32",
    run: () => Promise.resolve(benchPython({ script: 'tutorial_numpy.py', dtype: 'float32' }, data.directory, spec)),
  },
  {
    id: 'numpy-f32-1core',
    label: "the tutorial's NumPy code, float32, one core ²",
    run: () =>
      Promise.resolve(benchPython({ script: 'tutorial_numpy.py', dtype: 'float32', oneCore: true }, data.directory, spec)),
  },
  {
    id: 'torch-1',
    label: 'PyTorch, 1 thread ³',
    run: () => Promise.resolve(benchPython({ script: 'torch_mlp.py', threads: 1 }, data.directory, spec)),
  },
  {
    id: 'torch-1core',
    label: 'PyTorch, one core ²',
    run: () => Promise.resolve(benchPython({ script: 'torch_mlp.py', threads: 1, oneCore: true }, data.directory, spec)),
  },
  {
    id: 'torch-2',
    label: 'PyTorch, 2 threads ³',
    run: () => Promise.resolve(benchPython({ script: 'torch_mlp.py', threads: 2 }, data.directory, spec)),
  },
  { id: 'tfjs-wasm', label: 'TF.js, wasm backend', cap: slowCap, run: () => benchTfjs('wasm', data, spec, slowCap) },
  { id: 'tfjs-cpu', label: 'TF.js, cpu backend', cap: slowCap / 5, run: () => benchTfjs('cpu', data, spec, slowCap / 5) },
];

const loaded = await loadBenchData(spec.trainSamples, args.data);
if (!loaded) {
  console.error(
    `No benchmark data: looked for IDX files in ${dataCandidates()
      .map((c) => c.directory)
      .join(', ')}.`,
  );
  console.error(
    `Install Debian dataset-fashion-mnist, or name a directory of MNIST-format IDX files with --data or SCRATCHNET_BENCH_DATA${args.data ? ` (--data ${args.data} matched none)` : ''}.`,
  );
  process.exit(1);
}
const data = loaded;
const only = args.only?.split(',');
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `scratchnet benchmark — ${data.name} (${data.directory}): ${data.train.count} training images per repetition, ${data.test.count} test images`,
);
const { build } = await compileKernels();
console.log(
  `scratchnet's wasm kernels: the ${build === 'relaxed' ? 'relaxed-SIMD build (fused multiply-add)' : 'plain build (separate multiply and add)'}`,
);
const native = await loadNativeAddon();
console.log(
  `scratchnet's native kernels: ${'addon' in native ? `${native.path} (${native.isa === 'avx512' ? 'AVX-512' : 'AVX2+FMA'})` : `not available — ${native.reason}`}`,
);
console.log(
  `${spec.reps} repetitions per training figure, ${spec.inferReps} per inference figure, after a warm-up pass; Node ${process.version}; ${os.availableParallelism()} cores (${cpu}); load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; python: ${python() ?? 'none'}`,
);

const results: SystemResult[] = [];
for (const system of suites.has('mlp') ? SYSTEMS : []) {
  if (only && !only.includes(system.id)) continue;
  process.stderr.write(`  ${system.label} … `);
  const started = Date.now();
  let outcome: SystemResult['measured'] | string;
  try {
    outcome = await system.run();
  } catch (error) {
    outcome = `failed: ${(error as Error).message}`;
  }
  process.stderr.write(`${typeof outcome === 'string' ? 'missing' : 'done'} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  results.push(
    typeof outcome === 'string'
      ? { id: system.id, label: system.label, measured: null, missing: outcome }
      : {
          id: system.id,
          label: system.label,
          measured: outcome,
          trainSamples: system.cap && system.cap < spec.trainSamples ? system.cap : undefined,
        },
  );
}

if (suites.has('mlp')) {
  console.log('');
  console.log(table(results, spec));
  console.log('');
  console.log(
    '² OPENBLAS_NUM_THREADS=1 and OMP_NUM_THREADS=1: every product on one core, to compare with scratchnet on one thread.',
  );
  console.log(
    "³ torch.set_num_threads(n) sets PyTorch's own threads; the OpenBLAS it calls for matrix products still uses every core.",
  );
  console.log('');
  console.log(targets(results));
}
let recipes: RecipeResults | undefined;
if (suites.has('recipes')) {
  const measure = (label: string, run: () => RecipeRun): RecipeRun => {
    process.stderr.write(`  recipes: ${label} … `);
    const started = Date.now();
    const outcome = run();
    process.stderr.write(
      `${typeof outcome === 'string' ? 'missing' : 'done'} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
    );
    return outcome;
  };
  recipes = {
    native: measure('scratchnet native (CLI)', () => benchRecipesCli('native', data.directory, spec.reps, spec.trainSamples)),
    wasm: measure('scratchnet wasm (CLI)', () => benchRecipesCli('wasm', data.directory, spec.reps, spec.trainSamples)),
    torch: measure('PyTorch, 1 thread', () => benchRecipesTorch(false, data.directory, spec.reps, spec.trainSamples)),
    torchFlush: measure('PyTorch, 1 thread, flush-to-zero', () =>
      benchRecipesTorch(true, data.directory, spec.reps, spec.trainSamples),
    ),
  };
  console.log('');
  console.log(`Recipes: the CLI's own epoch samples/s (epochs 2–${spec.reps + 1}), PyTorch after one warm-up epoch.`);
  console.log('');
  console.log(recipeTable(recipes));
  console.log('');
  console.log(recipeTargets(recipes));
}
let convnet: ConvnetResult[] | undefined;
if (suites.has('convnet')) {
  convnet = await benchConvnet(
    data,
    convnetSpec,
    only,
    async <T extends ConvnetMeasured>(label: string, run: () => Promise<T>) => {
      process.stderr.write(`  convnet: ${label} … `);
      const started = Date.now();
      const outcome = await run();
      const ran = [outcome.train, outcome.infer].some((t) => t !== null && typeof t !== 'string');
      process.stderr.write(`${ran ? 'done' : 'missing'} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
      return outcome;
    },
  );
  console.log('');
  console.log(
    `Convnet (${CONVNET_LAYERS}) on ${data.name}: training ${convnetSpec.trainSamples} images per repetition after a ${convnetSpec.warmupSamples}-image warm-up, ${convnetSpec.reps} repetitions; inference over ${convnetSpec.inferSamples} test images, ${convnetSpec.inferReps} passes after a warm-up pass. Cores busy: processor time ÷ wall time.`,
  );
  console.log('');
  console.log(convnetTable(convnet, convnetSpec));
  console.log('');
  console.log(convnetTargets(convnet));
}
console.log(
  `\nload average after the run: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (other processes on this machine add noise to every figure)`,
);
const recipesJson =
  recipes &&
  Object.fromEntries(
    Object.entries(recipes).map(([system, run]: [string, RecipeRun]) => [
      system,
      typeof run === 'string' ? run : Object.fromEntries(run),
    ]),
  );
if (args.json)
  writeFileSync(
    args.json,
    JSON.stringify({ spec, data: data.name, results, recipes: recipesJson, convnetSpec, convnet }, null, 2),
  );
process.exit(0);
