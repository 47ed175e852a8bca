import type { Worker } from 'node:worker_threads';
import type { WasmHeap } from './memory.js';
import type { WasmModule } from './webassembly.js';

/**
 * Worker threads for the large matrix products: every worker instantiates the same module over the
 * same shared memory, and a product's rows of C are split between the caller and the workers.
 *
 * Hand-off is a mailbox of Int32 slots in the shared memory per worker — [sequence, done, arguments…]:
 * the caller writes the arguments, bumps `sequence` and notifies; the worker runs its rows, stores the
 * sequence into `done` and notifies back. Small products never leave the calling thread: waking a
 * thread costs microseconds, which a 32×784·784×64 product cannot repay (PyTorch with two threads is
 * slower than with one at batch 32 on two cores).
 */
export interface ThreadPool {
  readonly threads: number;
  /** Whether a product of this size gains from splitting. */
  worthSplitting(m: number, n: number, k: number): boolean;
  /** gemmRows over all rows [0, m), split into 1 + threads parts; `scratch(t)` is thread t's list space. */
  gemmRows(transA: number, m: number, n: number, k: number, a: number, b: number, c: number, accumulate: number, scratch: (thread: number) => number): void;
  close(): Promise<void>;
}

/** Multiply–adds below which a product stays on one thread (measured by `npm run bench`). */
export const SPLIT_THRESHOLD = 1 << 21;

const SLOT = 16; // Int32 slots per mailbox: 0 sequence, 1 done, 2.. arguments
const SEQUENCE = 0;
const DONE = 1;

// The worker: a CommonJS script run with `eval`, so it needs no file of its own beside the build output.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, mailbox } = workerData;
const wasm = new WebAssembly.Instance(module, { env: { memory } }).exports;
const box = new Int32Array(memory.buffer, mailbox, ${SLOT});
let seen = 0;
for (;;) {
  let spins = 0;
  while (Atomics.load(box, ${SEQUENCE}) === seen) {
    if (++spins > 4000) { Atomics.wait(box, ${SEQUENCE}, seen); spins = 0; }
  }
  seen = Atomics.load(box, ${SEQUENCE});
  if (seen < 0) break;
  wasm.gemmRows(box[2], box[3], box[4], box[5], box[6], box[7], box[8], box[9], box[10], box[11], box[12]);
  Atomics.store(box, ${DONE}, seen);
  Atomics.notify(box, ${DONE});
}
`;

/** Starts `threads` workers (default: one per extra core, at most 3); null when there is only one core or no worker_threads. */
export async function startThreadPool(module: WasmModule, heap: WasmHeap, own: GemmRows, threads?: number): Promise<ThreadPool | null> {
  let workerThreads: typeof import('node:worker_threads');
  let cores = 1;
  try {
    workerThreads = await import('node:worker_threads');
    cores = (await import('node:os')).availableParallelism();
  } catch {
    return null; // not Node: the browser page runs single-threaded
  }
  const count = Math.max(0, Math.floor(threads ?? Math.min(cores - 1, 3)));
  if (count === 0) return null;

  const boxes: Int32Array[] = [];
  const workers: Worker[] = [];
  for (let t = 0; t < count; t++) {
    const mailbox = heap.scratch(`mailbox${t}`, SLOT * 4);
    boxes.push(new Int32Array(heap.buffer(), mailbox, SLOT));
    const worker = new workerThreads.Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory: heap.memory, mailbox } });
    worker.unref();
    workers.push(worker);
  }
  let sequence = 0;

  return {
    threads: count,
    worthSplitting: (m, n, k) => m >= 2 * (count + 1) && m * n * k >= SPLIT_THRESHOLD,

    gemmRows(transA, m, n, k, a, b, c, accumulate, scratch) {
      const parts = count + 1;
      const rowsPer = Math.ceil(m / parts);
      sequence++;
      for (let t = 0; t < count; t++) {
        const box = boxes[t];
        const start = Math.min(m, (t + 1) * rowsPer);
        const end = Math.min(m, (t + 2) * rowsPer);
        box.set([transA, start, end, m, n, k, a, b, c, accumulate, scratch(t + 1)], 2);
        Atomics.store(box, SEQUENCE, sequence);
        Atomics.notify(box, SEQUENCE);
      }
      own(transA, 0, Math.min(m, rowsPer), m, n, k, a, b, c, accumulate, scratch(0));
      for (const box of boxes) {
        let spins = 0;
        while (Atomics.load(box, DONE) !== sequence) {
          if (++spins > 4000) {
            Atomics.wait(box, DONE, Atomics.load(box, DONE), 1);
            spins = 0;
          }
        }
      }
    },

    async close() {
      for (const box of boxes) {
        Atomics.store(box, SEQUENCE, -1);
        Atomics.notify(box, SEQUENCE);
      }
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** The kernel's signature (see assembly/gemm.ts): rows [rowStart, rowEnd) of C (+)= op(A)·B. */
export type GemmRows = (transA: number, rowStart: number, rowEnd: number, m: number, n: number, k: number, a: number, b: number, c: number, accumulate: number, scratch: number) => void;
