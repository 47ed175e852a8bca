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
