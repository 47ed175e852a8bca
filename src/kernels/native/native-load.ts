import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as rowJob from '../wasm/row-job.js';
import { NATIVE_ISAS, type NativeAddon, type NativeIsa, type NativeLoad } from './native-types.js';

/**
 * Finding and loading the native addon (Node only: files and `require`). backend.ts imports this module
 * dynamically, only when the native backend is asked for; a browser build never loads it.
 */

const DESCRIBED: Record<NativeIsa, string> = { avx512: 'AVX-512 (F, VL, BW, DQ)', avx2: 'AVX2 and FMA' };

/** Where the build puts the addon: beside the compiled module (dist, which the package ships), or node-gyp's own output (sources run by vitest). */
const CANDIDATES = ['./build/scratchnet_native.node', './build/Release/scratchnet_native.node'];

/** The addon's file, for worker threads to load; null when it is not built. */
function nativeAddonPath(): string | null {
  for (const candidate of CANDIDATES) {
    const url = new URL(candidate, import.meta.url);
    if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) return fileURLToPath(url);
  }
  return null;
}

/** The first slot constant where the addon's layout differs from row-job.ts, or null. */
function layoutMismatch(addon: NativeAddon): string | null {
  const built = addon.layout();
  for (const [name, slot] of Object.entries(rowJob)) if (built[name] !== slot) return `${name} is ${built[name]}, not ${slot}`;
  return null;
}

/**
 * Loads the addon (for native.ts's loadNativeAddon), or says why it cannot run here: SCRATCHNET_NATIVE=0, not built, built for
 * another job layout, or this CPU lacks the instruction set asked for (`isa`, else SCRATCHNET_NATIVE_ISA)
 * or both of them.
 */
export function loadNative(isa?: NativeIsa): NativeLoad {
  if (process.env.SCRATCHNET_NATIVE === '0') return { reason: 'SCRATCHNET_NATIVE=0' };
  const forced = isa ?? process.env.SCRATCHNET_NATIVE_ISA;
  if (forced !== undefined && forced !== '' && !NATIVE_ISAS.includes(forced as NativeIsa)) {
    return { reason: `SCRATCHNET_NATIVE_ISA=${forced} is not one of ${NATIVE_ISAS.join(', ')}` };
  }
  const path = nativeAddonPath();
  if (!path) return { reason: 'the native kernels are not built (`npm run build:native` needs a C compiler and node-gyp)' };
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    const mismatch = layoutMismatch(addon);
    if (mismatch) return { reason: `the native kernels were built for another job layout (${mismatch}); run \`npm run build\`` };
    const runs = addon.isas();
    if (forced) {
      if (!runs.includes(forced as NativeIsa)) {
        return { reason: `SCRATCHNET_NATIVE_ISA=${forced}, but this CPU lacks ${DESCRIBED[forced as NativeIsa]}` };
      }
      return { addon, path, isa: forced as NativeIsa };
    }
    if (runs.length === 0)
      return { reason: `this CPU lacks ${NATIVE_ISAS.map((i) => DESCRIBED[i]).join(' and ')}, which the native kernels use` };
    return { addon, path, isa: runs[0] };
  } catch (error) {
    return { reason: `the native kernels failed to load: ${(error as Error).message}` };
  }
}
