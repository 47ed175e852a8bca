import type { Kernels } from './kernels.js';
import { reference } from './reference.js';

export type { Kernels } from './kernels.js';
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

export type BackendName = 'js';

/** Selects a backend by name. */
export async function useBackend(name: BackendName): Promise<Kernels> {
  if (name === 'js') setKernels(reference);
  else throw new Error(`unknown backend '${name as string}'`);
  return active;
}
