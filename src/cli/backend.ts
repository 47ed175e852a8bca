import { type Command, Option } from 'commander';
import { ScratchnetError } from '../errors.js';
import { BACKEND_NAMES, type BackendName, useBackend } from '../kernels/index.js';

/**
 * `--backend auto|native|wasm|js` for every command that builds or runs a network. The backend must be chosen
 * before the network is built (its buffers come from the backend), so commands call `selectBackend`
 * first thing — the training worker in its own thread, the other commands on the main thread.
 */
export function addBackendOption(command: Command): Command {
  return command.addOption(
    new Option(
      '--backend <name>',
      'kernels: native (matrix products in C with AVX-512, the rest as wasm), wasm (WebAssembly SIMD, threads for large products), js (the readable reference kernels) or auto (native where it runs, else wasm, else js)',
    )
      .choices(BACKEND_NAMES)
      .default('auto'),
  );
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
