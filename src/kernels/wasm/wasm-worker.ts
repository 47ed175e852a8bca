/**
 * A worker of the pool in a browser (a module Web Worker, started by web-host.ts): it receives its
 * WorkerData as the first message — the compiled module and the shared memory, which a cross-origin
 * isolated page may post — and runs the loop of worker-loop.ts.
 */
import { type WorkerData, runWorker } from './worker-loop.js';

const scope = globalThis as unknown as { onmessage: ((event: { data: WorkerData }) => void) | null };
scope.onmessage = (event) => {
  scope.onmessage = null;
  void runWorker(event.data);
};
