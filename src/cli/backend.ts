import type { Command } from 'commander';
import { ScratchnetError } from '../errors.js';
import { BACKEND_NAMES, type BackendName, useBackend } from '../kernels/index.js';
import { type Flag, addFlags } from './flags.js';

/**
 * `--backend auto|native|wasm|js` for every command that builds or runs a network. The backend must be chosen
 * before the network is built (its buffers come from the backend), so commands call `selectBackend`
 * first thing — the training worker in its own thread, the other commands on the main thread.
 */
export const BACKEND_FLAG = {
  flag: '--backend <name>',
  description:
    'kernels: native (matrix products in C with AVX-512 or AVX2+FMA, whichever the CPU has; the rest as wasm), wasm (WebAssembly SIMD, threads for large products), js (the readable reference kernels) or auto (native where it runs, else wasm, else js)',
  role: 'run',
  choices: BACKEND_NAMES,
  default: 'auto',
} as const satisfies Flag<BackendName>;

/** Adds `--backend` (BACKEND_FLAG) to a command. */
export function addBackendOption(command: Command): Command {
  return addFlags(command, { backend: BACKEND_FLAG });
}

/**
 * Makes the named backend active and returns the name of the one now in use ('native', 'wasm' or 'js':
 * what 'auto' became). A forced backend that cannot run here is the user's to fix.
 */
export async function selectBackend(name: BackendName = 'auto'): Promise<'native' | 'wasm' | 'js'> {
  try {
    return (await useBackend(name)).name as 'native' | 'wasm' | 'js';
  } catch (error) {
    throw new ScratchnetError(
      `--backend ${name}: ${(error as Error).message}; use --backend ${name === 'native' ? 'wasm' : 'js'} (or auto)`,
    );
  }
}
