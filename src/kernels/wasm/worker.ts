/**
 * A worker thread of the pool in Node (worker_threads): the loop of worker-loop.ts, with the native addon's
 * row kernels when the caller runs them.
 */
import { createRequire } from 'node:module';
import { workerData } from 'node:worker_threads';
import { type NativeAddon, nativeRowKernels } from '../native/native.js';
import { type WorkerData, runWorker } from './worker-loop.js';

const data = workerData as WorkerData;
const { native, memory } = data;
await runWorker(
  data,
  native
    ? (wasm) =>
        nativeRowKernels(createRequire(import.meta.url)(native.path) as NativeAddon, native.isa, () => memory.buffer, wasm)
    : undefined,
);
