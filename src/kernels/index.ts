import type { Kernels } from './kernels.js';
import { reference } from './reference.js';
import { createWasmKernels, wasmSupported, type WasmOptions } from './wasm/backend.js';

export type { DenseStep, Epilogue, Kernels } from './kernels.js';
export { reference } from './reference.js';

/**
 * The active backend. Layers ask for it when they allocate and on every forward/backward, so the
 * backend is chosen once, before a network is built (`useBackend`), and everything follows.
 */
let active: Kernels = reference;

export function kernels(): Kernels {
  return active;
}

/** Makes `backend` the active kernels. Build networks after switching: their buffers come from the backend. */
export function setKernels(backend: Kernels): void {
  active = backend;
}

/** 'js': the readable reference kernels. 'wasm': WebAssembly SIMD (+ threads). 'auto': wasm where it runs, else js. */
export type BackendName = 'js' | 'wasm' | 'auto';
export const BACKEND_NAMES: readonly BackendName[] = ['js', 'wasm', 'auto'];

/** One WebAssembly backend per process (its memory holds every buffer allocated from it), made on first use. */
let wasmBackend: Promise<Kernels> | null = null;

/**
 * Selects the backend by name and makes it active; build networks afterwards. 'wasm' throws when
 * WebAssembly SIMD with shared memory is unavailable; 'auto' then quietly keeps the reference kernels.
 * `options.threads` (wasm only, first call): worker threads for large products, 0 for none.
 */
export async function useBackend(name: BackendName, options: WasmOptions = {}): Promise<Kernels> {
  if (name === 'js') {
    setKernels(reference);
  } else if (name === 'wasm' || name === 'auto') {
    try {
      if (!wasmSupported()) throw new Error('this JavaScript engine lacks WebAssembly shared memory');
      wasmBackend ??= createWasmKernels(options);
      setKernels(await wasmBackend);
    } catch (error) {
      wasmBackend = null;
      if (name === 'wasm') throw new Error(`wasm backend unavailable: ${(error as Error).message}`);
      setKernels(reference);
    }
  } else {
    throw new Error(`unknown backend '${name as string}' (known: ${BACKEND_NAMES.join(', ')})`);
  }
  return active;
}
