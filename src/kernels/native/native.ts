import type { RowKernels } from '../wasm/mailbox.js';

/**
 * The native row kernels (kernels.c, built by `npm run build:native`): the matrix products A·B and Aᵀ·B
 * and the evaluation chain in C, over the WebAssembly backend's shared memory. Every other kernel, the
 * memory and the threads stay the wasm backend's; these replace its row kernels where the build and the
 * CPU allow. The same jobs as the wasm kernels (../wasm/row-job.ts), after the memory's index from `attach`.
 */
export interface NativeAddon {
  /**
   * Registers a view of the whole WebAssembly memory (again after it grows) and the instruction set to run
   * on it; returns the memory's index. Throws if this CPU lacks `isa`.
   */
  attach(memory: Uint8Array, isa: NativeIsa): number;
  /** Rows [rowStart, rowEnd) of the gemm job at `job` (row-job.ts). */
  gemmRows(memory: number, job: number, rowStart: number, rowEnd: number, scratch: number): void;
  /** Rows [rowStart, rowEnd) of the chain job at `job`. */
  chainRows(memory: number, job: number, rowStart: number, rowEnd: number, scratch: number): void;
  /** The instruction sets this build has and this CPU runs, the fastest first. */
  isas(): NativeIsa[];
  /** Every slot constant of row-job.ts as this build has it (row-job.h), to refuse a build made for another layout. */
  layout(): Record<string, number>;
}

/**
 * The kernels' instruction sets: 'avx512' (AVX-512 F/VL/BW/DQ; Intel server chips, AMD Zen 4) and 'avx2'
 * (AVX2 with FMA; nearly every x86-64 chip since 2013–2015). The fastest the CPU has runs, unless
 * SCRATCHNET_NATIVE_ISA (or the backend's `nativeIsa` option) names one.
 */
export type NativeIsa = 'avx512' | 'avx2';
/** Every NativeIsa, the fastest first. */
export const NATIVE_ISAS: readonly NativeIsa[] = ['avx512', 'avx2'];

/** The addon loaded and the instruction set to run it with, or why it cannot run here. */
export type NativeLoad = { addon: NativeAddon; path: string; isa: NativeIsa } | { reason: string };

/**
 * Loads the addon, or says why it cannot run here: not Node, SCRATCHNET_NATIVE=0, not built, built for
 * another job layout, or this CPU lacks the instruction set asked for (`isa`, else SCRATCHNET_NATIVE_ISA)
 * or both of them. The loading itself (files, `require`) is native-load.ts, imported only in Node.
 */
export async function loadNativeAddon(isa?: NativeIsa): Promise<NativeLoad> {
  if ((globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === undefined)
    return { reason: 'native kernels need Node' };
  return (await import('./native-load.js')).loadNative(isa);
}

/**
 * Row kernels for one thread: the products in the addon, with instruction set `isa`, the updates in `wasm`. The view the addon holds is
 * renewed whenever `buffer()` returns a new one (the memory grew). Every worker thread makes its own (worker.ts).
 */
export function nativeRowKernels(
  addon: NativeAddon,
  isa: NativeIsa,
  buffer: () => ArrayBufferLike,
  wasm: Pick<RowKernels, 'updateRows'>,
): RowKernels {
  let seen: ArrayBufferLike | null = null;
  let id = 0;
  const memory = () => {
    const current = buffer();
    if (current !== seen) {
      id = addon.attach(new Uint8Array(current), isa);
      seen = current;
    }
    return id;
  };
  return {
    gemmRows: (job, rowStart, rowEnd, scratch) => addon.gemmRows(memory(), job, rowStart, rowEnd, scratch),
    chainRows: (job, rowStart, rowEnd, scratch) => addon.chainRows(memory(), job, rowStart, rowEnd, scratch),
    updateRows: (job, rowStart, rowEnd, scratch) => wasm.updateRows(job, rowStart, rowEnd, scratch), // memory-bound: WebAssembly's SIMD suffices
  };
}
