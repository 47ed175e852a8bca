import type { RowKernels } from '../wasm/threads.js';

/**
 * The native row kernels (kernels.c, built by `npm run build:native`): the matrix products A·B and Aᵀ·B
 * and the evaluation chain in C with AVX-512, over the WebAssembly backend's shared memory. Every other
 * kernel, the memory and the threads stay the wasm backend's; these replace its row kernels where the
 * build and the CPU allow. Same arguments as the wasm exports, after the memory's index from `attach`.
 */
export interface NativeAddon {
  /** Registers a view of the whole WebAssembly memory (again after it grows); returns its index. */
  attach(memory: Uint8Array): number;
  gemmRows(
    memory: number,
    transA: number,
    rowStart: number,
    rowEnd: number,
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
    accumulate: number,
    scratch: number,
    bias: number,
    activate: number,
    slope: number,
  ): void;
  chainRows(
    memory: number,
    rowStart: number,
    rowEnd: number,
    m: number,
    table: number,
    layers: number,
    scratch: number,
    classes: number,
  ): void;
  /** Whether this build has the kernels and this CPU runs them (AVX-512 F/VL/BW/DQ, FMA, BMI). */
  supported(): boolean;
}

/** Where the build puts the addon: beside the compiled module (dist), or node-gyp's own output (sources run by vitest). */
const CANDIDATES = ['./build/scratchnet_native.node', './build/Release/scratchnet_native.node'];

/** The addon's file, for worker threads to load; null when it is not built. */
async function nativeAddonPath(): Promise<string | null> {
  if (typeof process === 'undefined' || !process.versions?.node) return null;
  const { existsSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  for (const candidate of CANDIDATES) {
    const url = new URL(candidate, import.meta.url);
    if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) return fileURLToPath(url);
  }
  return null;
}

/** Loads the addon, or says why it cannot run here (not Node, not built, not this CPU, SCRATCHNET_NATIVE=0). */
export async function loadNativeAddon(): Promise<{ addon: NativeAddon; path: string } | { reason: string }> {
  if (typeof process === 'undefined' || !process.versions?.node) return { reason: 'native kernels need Node' };
  if (process.env.SCRATCHNET_NATIVE === '0') return { reason: 'SCRATCHNET_NATIVE=0' };
  const path = await nativeAddonPath();
  if (!path) return { reason: 'the native kernels are not built (`npm run build:native` needs a C compiler and node-gyp)' };
  try {
    const { createRequire } = await import('node:module');
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    if (!addon.supported()) return { reason: 'this CPU lacks AVX-512 (F, VL, BW, DQ) or FMA, which the native kernels use' };
    return { addon, path };
  } catch (error) {
    return { reason: `the native kernels failed to load: ${(error as Error).message}` };
  }
}

/**
 * Row kernels for one thread, all in the addon. The view the addon holds is renewed whenever `buffer()`
 * returns a new one (the memory grew). Also run, as source text, by every worker thread (threads.ts).
 */
export function nativeRowKernels(addon: NativeAddon, buffer: () => ArrayBufferLike): RowKernels {
  let seen: ArrayBufferLike | null = null;
  let id = 0;
  const memory = () => {
    const current = buffer();
    if (current !== seen) {
      id = addon.attach(new Uint8Array(current));
      seen = current;
    }
    return id;
  };
  return {
    gemmRows(transA, rowStart, rowEnd, m, n, k, a, b, c, accumulate, scratch, bias, activate, slope) {
      addon.gemmRows(memory(), transA, rowStart, rowEnd, m, n, k, a, b, c, accumulate, scratch, bias, activate, slope);
    },
    chainRows(rowStart, rowEnd, m, table, layers, scratch, classes) {
      addon.chainRows(memory(), rowStart, rowEnd, m, table, layers, scratch, classes);
    },
  };
}
