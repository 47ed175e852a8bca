import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './datasets.js';
import type { BenchSpec, Measured } from './measure.js';

/**
 * The Python competitors (bench/python/): the tutorial's NumPy code and PyTorch, run by Debian's
 * python3 (python3-numpy, python3-torch) or by SCRATCHNET_PYTHON. Each script prints one JSON object.
 */
const scripts = join(repoRoot, 'bench', 'python');

let interpreter: string | null | undefined;
/** The first Python that imports numpy: SCRATCHNET_PYTHON, Debian's /usr/bin/python3, then python3 on PATH. */
export function python(): string | null {
  if (interpreter !== undefined) return interpreter;
  const candidates = [process.env.SCRATCHNET_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => !!c);
  interpreter = candidates.find((c) => (c.includes('/') ? existsSync(c) : true) && pythonHas(c, 'numpy')) ?? null;
  return interpreter;
}

export function pythonHas(command: string, module: string): boolean {
  const run = spawnSync(command, ['-c', `import ${module}`], { stdio: 'ignore' });
  return run.status === 0;
}

/** A competitor that takes longer than this is stopped and reported as not measured. */
const TIMEOUT_MS = 20 * 60 * 1000;

/** `oneCore`: OpenBLAS (which NumPy and PyTorch call for matrix products) and OpenMP limited to one thread. */
export type PythonSystem = (
  { script: 'tutorial_numpy.py'; dtype: 'float64' | 'float32' } | { script: 'torch_mlp.py'; threads: number }
) & { oneCore?: boolean };

/** Without these, OpenBLAS multiplies on every core even under torch.set_num_threads(1). */
const ONE_CORE = { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

/**
 * The environment of a PyTorch run on `threads` threads: torch.set_num_threads does not reach OpenBLAS
 * (Debian's libopenblas0-pthread), which otherwise multiplies on every core — a "1 thread" convnet run
 * then kept both cores busy.
 */
export function threadsEnv(threads: number): NodeJS.ProcessEnv {
  const n = String(threads);
  return { ...process.env, OPENBLAS_NUM_THREADS: n, OMP_NUM_THREADS: n, MKL_NUM_THREADS: n };
}

/**
 * Runs one competitor; returns its measurements or why it could not run. Training and inference run in
 * two fresh processes: after a full epoch of batch-32 training in the same process, NumPy's inference in
 * batches of 1000 measured half its speed (620k against 1.24M samples/s for float32 on this VM), and a
 * competitor is measured at its best.
 */
export function benchPython(
  system: PythonSystem,
  dataDirectory: string,
  spec: BenchSpec,
  maxTrainSamples = Infinity,
): Measured | string {
  const command = python();
  if (!command) return 'no python3 with numpy (install Debian python3-numpy)';
  if (system.script === 'torch_mlp.py' && !pythonHas(command, 'torch'))
    return `${command} has no torch (install Debian python3-torch)`;
  const base = {
    ...system,
    data: dataDirectory,
    trainSamples: Math.min(spec.trainSamples, maxTrainSamples),
    reps: spec.reps,
    inferReps: spec.inferReps,
  };
  const env = system.oneCore ? { ...process.env, ...ONE_CORE } : process.env;
  const training = runScript(command, system.script, env, { ...base, train: spec.train, infer: null });
  if (typeof training === 'string') return training;
  const inference = runScript(command, system.script, env, { ...base, train: [], infer: spec.infer });
  if (typeof inference === 'string') return inference;
  return { train: training.train, infer: inference.infer, latencyMicroseconds: inference.latencyMicroseconds ?? null };
}

function runScript(command: string, script: string, env: NodeJS.ProcessEnv, args: object): Measured | string {
  const run = spawnSync(command, [join(scripts, script), JSON.stringify(args)], {
    cwd: scripts,
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    timeout: TIMEOUT_MS,
  });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ETIMEDOUT')
    return `${script} took longer than ${TIMEOUT_MS / 60000} minutes (a busy machine?)`;
  if (run.status !== 0)
    return `${script} failed: ${(run.stderr || run.error?.message || '').trim().split('\n').slice(-3).join(' | ')}`;
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Measured;
}
