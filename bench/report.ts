import { type BenchSpec, type Measured, median, spread } from './measure.js';

export interface SystemResult {
  id: string;
  label: string;
  measured: Measured | null;
  /** Why the system did not run (not installed, failed). */
  missing?: string;
  /** Training images per repetition when fewer than the spec's (slow systems). */
  trainSamples?: number;
}

const thousands = (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : v.toFixed(0));
const cell = (values: readonly number[] | undefined, format: (v: number) => string) =>
  values && values.length ? `${format(median(values))} ±${Math.round((spread(values) * 100) / 2)}%` : '—';
const ratio = (ours: number | null, theirs: number | null, higherIsBetter = true) =>
  ours && theirs ? `${(higherIsBetter ? ours / theirs : theirs / ours).toFixed(2)}×` : '—';

function trainMedian(result: SystemResult | undefined, index: number): number | null {
  const t = result?.measured?.train[index];
  return t ? median(t.samplesPerSecond) : null;
}
function inferMedian(result: SystemResult | undefined): number | null {
  const v = result?.measured?.infer?.samplesPerSecond;
  return v ? median(v) : null;
}
function latencyMedian(result: SystemResult | undefined): number | null {
  const v = result?.measured?.latencyMicroseconds;
  return v ? median(v) : null;
}

/** scratchnet as `--backend auto` runs it: the native backend where it was measured, else wasm. */
function oursOf(results: SystemResult[]): SystemResult | undefined {
  return results.find((r) => r.id === 'scratchnet-native' && r.measured) ?? results.find((r) => r.id === 'scratchnet-wasm');
}

/**
 * The Markdown table: medians of the repetitions with half their spread (±), and for each column the
 * ratio scratchnet (the default backend: native where it runs, else wasm) ÷ that system — above 1 means
 * scratchnet is faster.
 */
export function table(results: SystemResult[], spec: BenchSpec): string {
  const ours = oursOf(results);
  const caseName = (i: number) =>
    `${[784, ...spec.train[i].hidden, 10].join('-')}, batch ${spec.train[i].batch}: train samples/s`;
  const header = [
    'system',
    ...spec.train.flatMap((_, i) => [caseName(i), '×']),
    `inference, batch ${spec.infer.batch}: samples/s`,
    '×',
    '1-image predict µs',
    'test accuracy',
  ];
  const rows = results
    .filter((r) => r.measured)
    .map((r) => {
      const m = r.measured!;
      return [
        r.label + (r.trainSamples ? ` ¹` : ''),
        ...spec.train.flatMap((_, i) => [
          cell(m.train[i]?.samplesPerSecond, thousands),
          ratio(trainMedian(ours, i), trainMedian(r, i)),
        ]),
        cell(m.infer?.samplesPerSecond, thousands),
        ratio(inferMedian(ours), inferMedian(r)),
        cell(m.latencyMicroseconds ?? undefined, (v) => v.toFixed(1)),
        m.train.map((t) => (t && Number.isFinite(t.testAccuracy) ? `${(t.testAccuracy * 100).toFixed(1)}%` : '—')).join(' / '),
      ];
    });
  const lines = [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`);
  const capped = results.filter((r) => r.measured && r.trainSamples);
  if (capped.length)
    lines.push(
      '',
      `¹ trained on the first ${capped.map((r) => `${r.trainSamples} (${r.label})`).join(', ')} images per repetition: too slow for full epochs.`,
    );
  const missing = results.filter((r) => !r.measured);
  if (missing.length) lines.push('', 'Not measured:', ...missing.map((r) => `- ${r.label}: ${r.missing}`));
  return lines.join('\n');
}

/** The issue's targets, each with its measured ratio and whether it is met. */
export function targets(results: SystemResult[]): string {
  const get = (id: string) => results.find((r) => r.id === id);
  const ours = oursOf(results);
  const native = ours?.id === 'scratchnet-native';
  const oursOneThread = get(native ? 'scratchnet-native-1t' : 'scratchnet-wasm-1t');
  // PyTorch on one thread: the faster of set_num_threads(1) alone and with OpenBLAS held to one core too.
  const torchOne = (i: number) => Math.max(trainMedian(get('torch-1'), i) ?? 0, trainMedian(get('torch-1core'), i) ?? 0) || null;
  const torchBest = (i: number) => Math.max(torchOne(i) ?? 0, trainMedian(get('torch-2'), i) ?? 0) || null;
  const torchBestInfer = Math.max(...['torch-1', 'torch-1core', 'torch-2'].map((id) => inferMedian(get(id)) ?? 0)) || null;
  const check = (what: string, value: number | null, goal: number, unit = '×', lowerIsBetter = false) =>
    `- ${what}: ${value === null ? 'not measured' : `${value.toFixed(2)}${unit} (${(lowerIsBetter ? value < goal : value >= goal) ? 'met' : 'NOT met'})`}`;
  const over = (a: number | null, b: number | null) => (a && b ? a / b : null);
  return [
    `Targets (scratchnet ${native ? 'native' : 'wasm'}, the default backend here; medians of this run):`,
    check('tutorial net vs NumPy float64, need ≥ 1.5', over(trainMedian(ours, 0), trainMedian(get('numpy-f64'), 0)), 1.5),
    check('tutorial net vs PyTorch 1 thread (the faster of ³ and ²), goal ≥ 1.5', over(trainMedian(ours, 0), torchOne(0)), 1.5),
    check('tutorial net vs NumPy float32, goal ≥ 1.5', over(trainMedian(ours, 0), trainMedian(get('numpy-f32'), 0)), 1.5),
    check('784-256-256-10 vs PyTorch best thread setting, need ≥ 0.5', over(trainMedian(ours, 1), torchBest(1)), 0.5),
    check('inference vs NumPy float32, need ≥ 1', over(inferMedian(ours), inferMedian(get('numpy-f32'))), 1),
    `- inference vs PyTorch's best thread setting (for reference): ${over(inferMedian(ours), torchBestInfer)?.toFixed(2).concat('×') ?? 'not measured'}`,
    `- inference on one core, scratchnet 1 thread vs NumPy float32 on one core (for reference): ${
      over(inferMedian(oursOneThread), inferMedian(get('numpy-f32-1core')))
        ?.toFixed(2)
        .concat('×') ?? 'not measured'
    }`,
    ...(native
      ? [
          `- inference, the wasm backend alone (the browser's) vs NumPy float32 (for reference): ${
            over(inferMedian(get('scratchnet-wasm')), inferMedian(get('numpy-f32')))
              ?.toFixed(2)
              .concat('×') ?? 'not measured'
          }`,
          `- inference on one core, wasm 1 thread vs NumPy float32 on one core (for reference): ${
            over(inferMedian(get('scratchnet-wasm-1t')), inferMedian(get('numpy-f32-1core')))
              ?.toFixed(2)
              .concat('×') ?? 'not measured'
          }`,
        ]
      : []),
    check('single-image predict latency, need < 50', latencyMedian(ours), 50, ' µs', true),
  ].join('\n');
}
