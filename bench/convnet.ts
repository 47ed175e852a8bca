import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchConvnetOnnx } from './convnet-onnx.js';
import { benchConvnetScratchnet } from './convnet-scratchnet.js';
import type { ConvnetMeasured, ConvnetSpec, Timing } from './convnet-spec.js';
import { benchConvnetTfjs } from './convnet-tfjs.js';
import { benchConvnetTorch, exportConvnetOnnx } from './convnet-torch.js';
import type { BenchData } from './datasets.js';
import { median, spread } from './measure.js';

/** One row of the convnet table: a system and what it measured. */
export interface ConvnetResult {
  id: string;
  label: string;
  measured: ConvnetMeasured;
}

/** The suite's systems in table order; `--only` picks among these ids. */
export const CONVNET_SYSTEMS = [
  'scratchnet-native',
  'scratchnet-wasm',
  'torch-1',
  'torch-2',
  'onnxruntime-web-1',
  'onnxruntime-web-2',
  'tfjs',
] as const;

/**
 * The convnet suite (issue 15): the network of CONVNET_LAYERS trained at batch 64 with Adam 1e-3 and run
 * in batches for inference, by scratchnet (native, wasm), PyTorch (1 and 2 threads), onnxruntime-web
 * (1 and 2 threads, on PyTorch's ONNX export) and TF.js (cpu training, wasm inference), one after another.
 * `progress` is told each system's label before it runs and how it ended after.
 */
export async function benchConvnet(
  data: BenchData,
  spec: ConvnetSpec,
  only: readonly string[] | undefined,
  progress: <T extends ConvnetMeasured>(label: string, run: () => Promise<T>) => Promise<T>,
): Promise<ConvnetResult[]> {
  const wanted = (id: string) => !only || only.includes(id);
  const results: ConvnetResult[] = [];
  const add = async (id: string, label: string, run: () => Promise<ConvnetMeasured>) => {
    if (wanted(id)) results.push({ id, label, measured: await progress(label, run) });
  };
  const failed = (error: unknown) => `failed: ${(error as Error).message}`;
  const guarded =
    <T extends ConvnetMeasured>(run: () => Promise<T>) =>
    async (): Promise<T | ConvnetMeasured> => {
      try {
        return await run();
      } catch (error) {
        return { train: failed(error), infer: failed(error) };
      }
    };
  await add(
    'scratchnet-native',
    'scratchnet, native',
    guarded(() => benchConvnetScratchnet('native', data, spec)),
  );
  await add(
    'scratchnet-wasm',
    'scratchnet, wasm (SIMD)',
    guarded(() => benchConvnetScratchnet('wasm', data, spec)),
  );
  for (const threads of [1, 2])
    await add(`torch-${threads}`, `PyTorch, ${threads} thread${threads > 1 ? 's' : ''}`, () =>
      Promise.resolve(benchConvnetTorch(threads, data.directory, spec)),
    );
  if (wanted('onnxruntime-web-1') || wanted('onnxruntime-web-2')) {
    const scratch = mkdtempSync(join(tmpdir(), 'scratchnet-convnet-'));
    const model = join(scratch, 'convnet.onnx');
    const exported = exportConvnetOnnx(model);
    try {
      for (const threads of [1, 2])
        await add(`onnxruntime-web-${threads}`, `onnxruntime-web, wasm SIMD, ${threads} thread${threads > 1 ? 's' : ''}`, () =>
          Promise.resolve({
            train: null,
            infer: exported ? `no ONNX model: ${exported}` : benchConvnetOnnx(threads, model, data.directory, spec),
          }),
        );
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  if (wanted('tfjs')) {
    const tfjs = await progress(
      'TF.js (cpu training, wasm inference)',
      guarded(() => benchConvnetTfjs(data, spec)),
    );
    const wasmTraining = 'wasmTraining' in tfjs ? tfjs.wasmTraining : tfjs.train;
    results.push({ id: 'tfjs-cpu', label: 'TF.js, cpu backend', measured: { train: tfjs.train, infer: null } });
    results.push({ id: 'tfjs-wasm', label: 'TF.js, wasm backend', measured: { train: wasmTraining, infer: tfjs.infer } });
  }
  return results;
}

const timing = (value: Timing | string | null): Timing | null => (value && typeof value !== 'string' ? value : null);
const rate = (value: Timing | string | null) => {
  const t = timing(value);
  return t ? median(t.samplesPerSecond) : null;
};
const best = (results: ConvnetResult[], prefix: string, task: 'train' | 'infer') =>
  Math.max(0, ...results.filter((r) => r.id.startsWith(prefix)).map((r) => rate(r.measured[task]) ?? 0)) || null;
const ours = (results: ConvnetResult[], id: string, task: 'train' | 'infer') =>
  rate(results.find((r) => r.id === id)?.measured[task] ?? null);
const times = (a: number | null, b: number | null) => (a && b ? `${(a / b).toFixed(2)}×` : '—');

/**
 * The Markdown table: per system, training and inference samples/s (median ± half the spread), the cores
 * it kept busy, the test accuracy after training, and scratchnet native and wasm ÷ that system.
 */
export function convnetTable(results: ConvnetResult[], spec: ConvnetSpec): string {
  const cell = (value: Timing | string | null, images: number) => {
    const t = timing(value);
    if (!t) return value === null ? '' : '—';
    const perSecond = median(t.samplesPerSecond);
    const figure = `${perSecond.toFixed(perSecond < 10 ? 2 : perSecond < 100 ? 1 : 0)} ±${Math.round((spread(t.samplesPerSecond) * 100) / 2)}%`;
    return t.images === images ? figure : `${figure} (${t.images} images)`;
  };
  const cores = (value: Timing | string | null) => timing(value)?.coresBusy?.toFixed(1) ?? '';
  const accuracy = (value: Timing | string | null) => {
    const a = timing(value)?.testAccuracy;
    return a === undefined || Number.isNaN(a) ? '' : `${(a * 100).toFixed(1)}%`;
  };
  const header = [
    'system',
    `training samples/s (batch ${spec.batch}, Adam)`,
    'cores busy',
    'test accuracy',
    'native ÷',
    'wasm ÷',
    `inference samples/s (batches of ${spec.inferBatch})`,
    'cores busy',
    'native ÷',
    'wasm ÷',
  ];
  const rows = results.map(({ label, measured: { train, infer } }) => {
    const ratios = (task: 'train' | 'infer', value: Timing | string | null) =>
      rate(value) === null
        ? ['', '']
        : [
            times(ours(results, 'scratchnet-native', task), rate(value)),
            times(ours(results, 'scratchnet-wasm', task), rate(value)),
          ];
    return [
      label,
      cell(train, spec.trainSamples),
      cores(train),
      accuracy(train),
      ...ratios('train', train),
      cell(infer, spec.inferSamples),
      cores(infer),
      ...ratios('infer', infer),
    ];
  });
  const lines = [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`);
  const notes = results.flatMap(({ label, measured }) =>
    (['train', 'infer'] as const)
      .filter((task) => typeof measured[task] === 'string')
      .map((task) => `- ${label}, ${task === 'train' ? 'training' : 'inference'}: ${measured[task] as string}`),
  );
  if (notes.length) lines.push('', 'Not measured:', ...notes);
  return lines.join('\n');
}

/** Issue 15's speed targets, scratchnet native and wasm each against the competitor's best thread setting. */
export function convnetTargets(results: ConvnetResult[]): string {
  const torch = best(results, 'torch-', 'train');
  const onnx = best(results, 'onnxruntime-web-', 'infer');
  const check = (what: string, ratio: number | null, need: number, goal: number) =>
    `- ${what}: ${ratio === null ? 'not measured' : `${ratio.toFixed(2)}× (need ≥ ${need}: ${ratio >= need ? 'met' : 'NOT met'}; goal ≥ ${goal}: ${ratio >= goal ? 'met' : 'not yet'})`}`;
  const over = (a: number | null, b: number | null) => (a && b ? a / b : null);
  return [
    'Convnet targets (issue 15; medians of this run):',
    ...(['native', 'wasm'] as const).flatMap((backend) => [
      check(
        `training, scratchnet ${backend} ÷ PyTorch's best`,
        over(ours(results, `scratchnet-${backend}`, 'train'), torch),
        1,
        2,
      ),
      check(
        `inference, scratchnet ${backend} ÷ onnxruntime-web's best`,
        over(ours(results, `scratchnet-${backend}`, 'infer'), onnx),
        1,
        1.5,
      ),
    ]),
  ].join('\n');
}
