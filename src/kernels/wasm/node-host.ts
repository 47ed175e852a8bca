import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { ScratchnetError } from '../../errors.js';
import type { WorkerData, WorkerHost } from './worker-loop.js';

/**
 * What the WebAssembly backend needs from Node, and only from Node: reading its compiled kernels from
 * disk, switching on V8's relaxed-SIMD flag, and worker_threads for the pool. backend.ts and threads.ts
 * import this module dynamically when they run in Node; a browser build never loads it (web-host.ts is
 * the browser's counterpart, and the page's bundler replaces this module by a stub).
 */

/** The bytes of a compiled kernel file at a file: URL. */
export async function readKernelFile(url: URL): Promise<Uint8Array> {
  return readFile(url).catch((error: NodeJS.ErrnoException) => {
    throw new ScratchnetError(`wasm kernels: ${url.pathname} is missing (${error.code}); run \`npm run build\` to compile them`);
  });
}

/** Turns on Node 20's --experimental-wasm-relaxed-simd (before anything is compiled with it); false if V8 refuses. */
export function allowRelaxedSimd(): boolean {
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
    return true;
  } catch {
    return false;
  }
}

/**
 * The worker module (worker.ts), compiled: beside threads.js, or — run from TypeScript sources, as by the
 * tests — the one tsc put under dist/. null when it is not there (products then stay on one thread).
 */
function workerUrl(): URL | null {
  const url = import.meta.url.endsWith('.ts')
    ? new URL('../../../dist/src/kernels/wasm/worker.js', import.meta.url)
    : new URL('./worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : null;
}

/** worker_threads running worker.js, or null when the compiled worker module is missing. */
export function nodeWorkers(): WorkerHost | null {
  const url = workerUrl();
  if (url === null) return null;
  return {
    cores: availableParallelism(),
    spawn(data: WorkerData) {
      const worker = new Worker(url, { workerData: data });
      worker.unref();
      return { terminate: () => worker.terminate() };
    },
  };
}
