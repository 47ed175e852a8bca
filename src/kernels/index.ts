import type { Kernels } from './kernels.js';
import { reference } from './reference.js';
import { createWasmKernels, wasmSupported, type WasmOptions } from './wasm/backend.js';
import { ScratchnetError } from '../errors.js';

export type { DenseStep, Epilogue, ImageWindow, Kernels } from './kernels.js';
export { reference } from './reference.js';

/**
 * The active backend. Layers ask for it when they allocate and on every forward/backward, so the
 * backend is chosen once, before a network is built (`useBackend`), and everything follows.
 */
let active: Kernels = reference;

/** The active backend's kernels. */
export function kernels(): Kernels {
  return active;
}

/** Makes `backend` the active kernels. Build networks after switching: their buffers come from the backend. */
export function setKernels(backend: Kernels): void {
  active = backend;
}

/**
 * 'js': the readable reference kernels. 'wasm': WebAssembly SIMD (+ threads). 'native': the wasm backend
 * with its matrix products and evaluation chain in the native addon (AVX-512 or AVX2, Node on x86-64; see
 * src/kernels/native; its `isa` says which). 'auto': native where it runs, else wasm, else js.
 */
export type BackendName = 'js' | 'wasm' | 'native' | 'auto';
/** Every BackendName, as `--backend` lists them. */
export const BACKEND_NAMES: readonly BackendName[] = ['js', 'wasm', 'native', 'auto'];

/** One backend of each kind per process (its memory holds every buffer allocated from it), made on first use. */
const made = new Map<'wasm' | 'native', Promise<Kernels>>();

function make(name: 'wasm' | 'native', options: WasmOptions): Promise<Kernels> {
  let backend = made.get(name);
  if (!backend) {
    backend = (async () => {
      if (!wasmSupported()) throw new ScratchnetError('this JavaScript engine lacks WebAssembly shared memory');
      return createWasmKernels({ ...options, native: name === 'native' });
    })();
    made.set(name, backend);
    backend.catch(() => made.delete(name));
  }
  return backend;
}

/** Whether 'auto' has said why the native kernels do not run (once per process, not per backend). */
let fallbackReported = false;

/**
 * 'auto' passing over the native kernels says why on stderr, once: unless the user turned them off
 * (SCRATCHNET_NATIVE=0) or this is not Node on x86-64, where they are not expected to run.
 */
function reportFallback(error: unknown): void {
  if (fallbackReported || typeof process === 'undefined' || !process.versions?.node) return;
  fallbackReported = true;
  if (process.env.SCRATCHNET_NATIVE === '0' || process.arch !== 'x64') return;
  console.warn(`scratchnet: the native kernels cannot run here (${(error as Error).message}); running on WebAssembly`);
}

/**
 * Selects the backend by name and makes it active; build networks afterwards. 'wasm' and 'native'
 * throw, saying why, where they cannot run; 'auto' then takes the next one (native, wasm, js), saying
 * once per process why the native kernels did not run.
 * `options.threads` (wasm and native, first call): worker threads for large products, 0 for none.
 */
export async function useBackend(name: BackendName, options: WasmOptions = {}): Promise<Kernels> {
  if (name === 'js') {
    setKernels(reference);
  } else if (name === 'wasm' || name === 'native') {
    try {
      setKernels(await make(name, options));
    } catch (error) {
      throw new ScratchnetError(`${name} backend unavailable: ${(error as Error).message}`);
    }
  } else if (name === 'auto') {
    let chosen: Kernels = reference;
    for (const candidate of ['native', 'wasm'] as const) {
      try {
        chosen = await make(candidate, options);
        break;
      } catch (error) {
        if (candidate === 'native') reportFallback(error);
      }
    }
    setKernels(chosen);
  } else {
    throw new ScratchnetError(`unknown backend '${name as string}' (known: ${BACKEND_NAMES.join(', ')})`);
  }
  return active;
}
