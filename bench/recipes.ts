import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './datasets.js';
import { median, spread } from './measure.js';
import { python, pythonHas, threadsEnv } from './python.js';

/**
 * The recipe rows (issue 18): the techniques users add to the tutorial's plain SGD — batch norm, dropout,
 * Nesterov momentum, Adam, and the three together — each timed as the CLI reports it (its own epoch
 * samples/s, `--json`), beside PyTorch running the same network and recipe on one thread with and
 * without flush-to-zero (`torch.set_flush_denormal`), in the same run.
 */
export interface Recipe {
  id: string;
  label: string;
  /** The CLI flags of the recipe (beyond the shared network, batch and data). */
  flags: string[];
  /** The same recipe for bench/python/torch_recipes.py. */
  torch: { batchNorm?: boolean; dropout?: number; optimizer: 'sgd' | 'nesterov' | 'adam'; lr: number };
}

export const RECIPES: Recipe[] = [
  { id: 'sgd', label: 'SGD', flags: ['--optimizer', 'sgd', '--lr', '0.1'], torch: { optimizer: 'sgd', lr: 0.1 } },
  {
    id: 'batch-norm',
    label: 'SGD + batch norm',
    flags: ['--optimizer', 'sgd', '--lr', '0.1', '--batch-norm'],
    torch: { batchNorm: true, optimizer: 'sgd', lr: 0.1 },
  },
  {
    id: 'dropout',
    label: 'SGD + dropout 0.2',
    flags: ['--optimizer', 'sgd', '--lr', '0.1', '--dropout', '0.2'],
    torch: { dropout: 0.2, optimizer: 'sgd', lr: 0.1 },
  },
  {
    id: 'nesterov',
    label: 'Nesterov momentum 0.9',
    flags: ['--optimizer', 'nesterov', '--lr', '0.05'],
    torch: { optimizer: 'nesterov', lr: 0.05 },
  },
  { id: 'adam', label: 'Adam', flags: ['--optimizer', 'adam', '--lr', '0.001'], torch: { optimizer: 'adam', lr: 0.001 } },
  {
    id: 'combined',
    label: 'batch norm + dropout 0.2 + Nesterov',
    flags: ['--optimizer', 'nesterov', '--lr', '0.05', '--batch-norm', '--dropout', '0.2'],
    torch: { batchNorm: true, dropout: 0.2, optimizer: 'nesterov', lr: 0.05 },
  },
];

/** The network and batch of every recipe row: the issue's 784-256-128-10 at batch 64. */
export const RECIPE_NETWORK = { hidden: [256, 128], batch: 64 };

/** samples/s of each timed epoch (after one warm-up epoch) and the test accuracy at the end, per recipe; or why not measured. */
export type RecipeRun = Map<string, { samplesPerSecond: number[]; testAccuracy: number }> | string;

const IMAGES = { train: 'train-images-idx3-ubyte.gz', test: 't10k-images-idx3-ubyte.gz' };

/** Each recipe through the CLI (`node dist/src/cli/main.js train … --json`) on one backend: epochs 2.. are timed. */
export function benchRecipesCli(
  backend: 'native' | 'wasm',
  dataDirectory: string,
  reps: number,
  trainSamples: number,
): RecipeRun {
  const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
  const scratch = mkdtempSync(join(tmpdir(), 'scratchnet-bench-'));
  const runs: RecipeRun = new Map();
  try {
    for (const recipe of RECIPES) {
      const args = [
        cli,
        'train',
        ...['--train', join(dataDirectory, IMAGES.train), '--test', join(dataDirectory, IMAGES.test)],
        ...['--hidden', RECIPE_NETWORK.hidden.join(','), '--batch-size', String(RECIPE_NETWORK.batch)],
        ...['--epochs', String(reps + 1), '--seed', '42', '--backend', backend, '--json'],
        ...['--out', join(scratch, `${recipe.id}.safetensors`)],
        ...(trainSamples < 60000 ? ['--subset', String(trainSamples)] : []),
        ...recipe.flags,
      ];
      const run = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26, timeout: 20 * 60 * 1000 });
      if (run.status !== 0)
        return `${recipe.id}: the CLI exited with ${run.status}: ${run.stderr.trim().split('\n').slice(-2).join(' | ')}`;
      const events = run.stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { event: string; epoch?: number; samplesPerSecond?: number; accuracy?: number });
      const epochs = events.filter((e) => e.event === 'epoch' && e.epoch! > 1).map((e) => e.samplesPerSecond!);
      const test = events.find((e) => e.event === 'test');
      runs.set(recipe.id, { samplesPerSecond: epochs, testAccuracy: test?.accuracy ?? NaN });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return runs;
}

/** Every recipe in PyTorch on one thread, flush-to-zero on or off: one warm-up epoch, then `reps` timed epochs. */
export function benchRecipesTorch(flushDenormal: boolean, dataDirectory: string, reps: number, trainSamples: number): RecipeRun {
  const command = python();
  if (!command || !pythonHas(command, 'torch')) return 'no python3 with torch (install Debian python3-torch)';
  const spec = {
    data: dataDirectory,
    trainSamples,
    threads: 1,
    reps,
    flushDenormal,
    recipes: RECIPES.map((r) => ({ name: r.id, ...RECIPE_NETWORK, ...r.torch })),
  };
  const run = spawnSync(command, [join(repoRoot, 'bench', 'python', 'torch_recipes.py'), JSON.stringify(spec)], {
    env: threadsEnv(spec.threads),
    cwd: join(repoRoot, 'bench', 'python'),
    encoding: 'utf8',
    timeout: 20 * 60 * 1000,
  });
  if (run.status !== 0) return `torch_recipes.py failed: ${(run.stderr || '').trim().split('\n').slice(-2).join(' | ')}`;
  const parsed = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
    recipes: { name: string; samplesPerSecond: number[]; testAccuracy: number }[];
  };
  return new Map(parsed.recipes.map((r) => [r.name, { samplesPerSecond: r.samplesPerSecond, testAccuracy: r.testAccuracy }]));
}

/** The systems of the recipe table, in column order. */
export interface RecipeResults {
  native: RecipeRun;
  wasm: RecipeRun;
  torch: RecipeRun;
  torchFlush: RecipeRun;
}

const rate = (run: RecipeRun, id: string) =>
  typeof run === 'string' ? null : run.has(id) ? median(run.get(id)!.samplesPerSecond) : null;
const cell = (run: RecipeRun, id: string) => {
  if (typeof run === 'string' || !run.get(id)) return '—';
  const values = run.get(id)!.samplesPerSecond;
  return `${(median(values) / 1000).toFixed(1)}k ±${Math.round((spread(values) * 100) / 2)}%`;
};
const times = (a: number | null, b: number | null) => (a && b ? `${(a / b).toFixed(2)}×` : '—');
const torchBest = (r: RecipeResults, id: string) => Math.max(rate(r.torch, id) ?? 0, rate(r.torchFlush, id) ?? 0) || null;

/**
 * The Markdown table: per recipe, scratchnet native and wasm (samples/s, and × their own plain SGD), PyTorch
 * on one thread with and without flush-to-zero, and scratchnet ÷ PyTorch's better setting.
 */
export function recipeTable(r: RecipeResults): string {
  const header = [
    'recipe (784-256-128-10, batch 64)',
    'scratchnet native',
    '× its SGD',
    'scratchnet wasm',
    '× its SGD',
    'PyTorch 1 thread',
    'PyTorch 1 thread, flush-to-zero',
    'native ÷ PyTorch best',
    'wasm ÷ PyTorch best',
    'test accuracy (native / PyTorch)',
  ];
  const accuracy = (run: RecipeRun, id: string) =>
    typeof run !== 'string' && run.get(id) ? `${(run.get(id)!.testAccuracy * 100).toFixed(1)}%` : '—';
  const rows = RECIPES.map(({ id, label }) => [
    label,
    cell(r.native, id),
    times(rate(r.native, id), rate(r.native, 'sgd')),
    cell(r.wasm, id),
    times(rate(r.wasm, id), rate(r.wasm, 'sgd')),
    cell(r.torch, id),
    cell(r.torchFlush, id),
    times(rate(r.native, id), torchBest(r, id)),
    times(rate(r.wasm, id), torchBest(r, id)),
    `${accuracy(r.native, id)} / ${accuracy(r.torchFlush, id)}`,
  ]);
  const lines = [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`);
  const missing = Object.entries(r).filter(([, run]) => typeof run === 'string');
  if (missing.length) lines.push('', 'Not measured:', ...missing.map(([name, why]) => `- ${name}: ${why as string}`));
  return lines.join('\n');
}

/** Issue 18's targets, on the default backend (native where measured, else wasm). */
export function recipeTargets(r: RecipeResults): string {
  const backend = typeof r.native === 'string' ? 'wasm' : 'native';
  const ours = r[backend];
  const check = (what: string, value: number | null, goal: number) =>
    `- ${what}: ${value === null ? 'not measured' : `${value.toFixed(2)}× (${value >= goal ? 'met' : 'NOT met'})`}`;
  const over = (a: number | null, b: number | null) => (a && b ? a / b : null);
  return [
    `Recipe targets (scratchnet ${backend}; medians of this run):`,
    ...['batch-norm', 'dropout', 'nesterov', 'adam'].map((id) =>
      check(`${RECIPES.find((x) => x.id === id)!.label} vs plain SGD, need ≥ 0.8`, over(rate(ours, id), rate(ours, 'sgd')), 0.8),
    ),
    check('the combined recipe vs PyTorch best (1 thread), need ≥ 2', over(rate(ours, 'combined'), torchBest(r, 'combined')), 2),
    check('Adam vs PyTorch best (1 thread), need ≥ 2', over(rate(ours, 'adam'), torchBest(r, 'adam')), 2),
  ].join('\n');
}
