import type { RowKernels } from '../wasm/mailbox.js';
import type { NativeAddon, NativeIsa, NativeLoad } from './native-types.js';

export { type NativeAddon, type NativeIsa, type NativeLoad, NATIVE_ISAS } from './native-types.js';

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
  wasm: Pick<RowKernels, 'updateRows' | 'imageRows'>,
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
    imageRows: (job, rowStart, rowEnd, scratch) => wasm.imageRows(job, rowStart, rowEnd, scratch), // likewise
  };
}
