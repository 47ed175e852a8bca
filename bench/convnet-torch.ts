import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { ConvnetMeasured, ConvnetSpec, Timing } from './convnet-spec.js';
import { repoRoot } from './datasets.js';
import { python, pythonHas, threadsEnv } from './python.js';

const scripts = join(repoRoot, 'bench', 'python');
/** A PyTorch run that takes longer than this is stopped and reported as not measured. */
const TIMEOUT_MS = 20 * 60 * 1000;

/** Runs bench/python/torch_convnet.py with `args`; its JSON answer, or why it failed. */
function torchConvnet<T>(args: { threads?: number; [key: string]: unknown }): T | string {
  const command = python();
  if (!command || !pythonHas(command, 'torch')) return 'no python3 with torch (install Debian python3-torch)';
  const run = spawnSync(command, [join(scripts, 'torch_convnet.py'), JSON.stringify(args)], {
    cwd: scripts,
    env: threadsEnv(args.threads ?? 1),
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    timeout: TIMEOUT_MS,
  });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ETIMEDOUT')
    return `torch_convnet.py took longer than ${TIMEOUT_MS / 60000} minutes (a busy machine?)`;
  if (run.status !== 0)
    return `torch_convnet.py failed: ${(run.stderr || run.error?.message || '').trim().split('\n').slice(-3).join(' | ')}`;
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as T;
}

/**
 * PyTorch with `threads` threads (torch.set_num_threads; its convolutions and their gradients run in
 * PyTorch's own threads, on OpenBLAS for the products). Training and inference in two fresh processes,
 * as the mlp suite runs them: each system is measured at its best, not after the other task.
 */
export function benchConvnetTorch(threads: number, dataDirectory: string, spec: ConvnetSpec): ConvnetMeasured {
  const base = { data: dataDirectory, threads };
  const train = torchConvnet<Timing>({
    ...base,
    mode: 'train',
    trainSamples: spec.trainSamples,
    reps: spec.reps,
    batch: spec.batch,
    lr: spec.lr,
    warmupSamples: spec.warmupSamples,
  });
  const infer = torchConvnet<Timing>({
    ...base,
    mode: 'infer',
    inferSamples: spec.inferSamples,
    inferBatch: spec.inferBatch,
    inferReps: spec.inferReps,
  });
  return { train, infer };
}

/** Writes the convnet, freshly initialised, as ONNX (torch.onnx.export, opset 13, any batch size) to `file`; null, or why not. */
export function exportConvnetOnnx(file: string): string | null {
  const answer = torchConvnet<{ onnx: string }>({ mode: 'export', onnx: file });
  return typeof answer === 'string' ? answer : null;
}
