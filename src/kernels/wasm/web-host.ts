import type { WorkerData, WorkerHost } from './worker-loop.js';

/**
 * The pool's threads in a browser: module Web Workers running wasm-worker.js, which the page's build puts
 * beside the bundle that contains this module (the URL is resolved against that bundle).
 *
 * Only where the page is cross-origin isolated (COOP and COEP headers): elsewhere a browser does not share
 * memory between threads. And only off the page's main thread: the caller waits for its workers with
 * Atomics.wait, which a browser allows in workers only (the page trains in a worker).
 */
export function webWorkers(): WorkerHost | null {
  const scope = globalThis as unknown as {
    crossOriginIsolated?: boolean;
    document?: unknown;
    navigator?: { hardwareConcurrency?: number };
    Worker?: new (url: URL, options: { type: 'module'; name: string }) => { postMessage(data: unknown): void; terminate(): void };
  };
  if (scope.crossOriginIsolated !== true || scope.document !== undefined || scope.Worker === undefined) return null;
  const WebWorker = scope.Worker;
  const url = new URL('./wasm-worker.js', import.meta.url);
  return {
    cores: scope.navigator?.hardwareConcurrency ?? 1,
    spawn(data: WorkerData) {
      const worker = new WebWorker(url, { type: 'module', name: `scratchnet kernels ${data.thread}` });
      worker.postMessage(data);
      return { terminate: () => worker.terminate() };
    },
  };
}
