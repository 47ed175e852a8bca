import type { Worker } from 'node:worker_threads';
import type { WasmHeap } from './memory.js';
import { nativeRowKernels } from '../native/native.js';
import type { WasmModule } from './webassembly.js';

/**
 * Worker threads for the large matrix products: every worker instantiates the same module over the
 * same shared memory, and a product's rows of C are shared out in chunks.
 *
 * Hand-off is one mailbox of Int32 slots in the shared memory. The caller writes the product's
 * arguments, then publishes a ticket — job number << 16 | next chunk — and notifies. Every thread,
 * the caller included, claims chunks by compare-and-swap on the ticket until none is left; the caller
 * then waits only for chunks that are still running. A worker that wakes late (the machine is busy)
 * finds nothing left and costs nothing: the caller never waits for a thread that has not started.
 * A worker preempted in the middle of a chunk does stall the caller; when that keeps happening the
 * pool stays on one thread for a while (PAUSE_MS), then tries again.
 * Small products never leave the calling thread: waking a thread costs microseconds that a
 * 32×784·784×64 product cannot repay (PyTorch with two threads is slower than with one at batch 32).
 */
export interface ThreadPool {
  readonly threads: number;
  /** Whether a product of this size gains from splitting. */
  worthSplitting(m: number, n: number, k: number): boolean;
  /** gemmRows over all rows [0, m) shared between the caller and the workers, each with `listBytes` of its own scratch. */
  gemmRows(
    transA: number,
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
    accumulate: number,
    listBytes: number,
    bias: number,
    activate: number,
    slope: number,
  ): void;
  /** chainRows over all rows [0, m) likewise: each thread runs every layer of the chain on its rows. */
  chainRows(m: number, table: number, layers: number, listBytes: number, classes: number): void;
  close(): Promise<void>;
}

/** The row kernels a thread runs (see assembly/gemm.ts): rows [rowStart, rowEnd) of one product, or of a chain of dense layers. */
export interface RowKernels {
  gemmRows(
    transA: number,
    rowStart: number,
    rowEnd: number,
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
    accumulate: number,
    scratch: number,
    bias: number,
    activate: number,
    slope: number,
  ): void;
  chainRows(rowStart: number, rowEnd: number, m: number, table: number, layers: number, scratch: number, classes: number): void;
}

export interface PoolOptions {
  threads?: number;
  /** Multiply–adds (m·n·k) from which a product is split; default SPLIT_THRESHOLD. */
  splitThreshold?: number;
  /** Polls of the mailbox an idle worker makes before it sleeps (futex); default WORKER_SPINS. */
  spins?: number;
  /** The native addon's file: workers then run its row kernels, as the caller does (native/native.ts). */
  nativePath?: string | null;
}

/**
 * Multiply–adds below which a product stays on one thread: the tutorial's first layer (32·64·784 ≈ 1.6M)
 * stays, 784-256-256-10 at batch 128 (25.7M, 8.4M) and inference batches split — the second layer of the
 * tutorial's network too at batch 1000 (1000·64·32 ≈ 2.05M: 0.107 → 0.078 ms). Measured on 2 cores:
 * splitting the tutorial's first layer (splitThreshold 1 << 20) trains 10–30% faster when the second
 * core is idle, for twice the CPU, and 20–40% slower when other processes want it — as PyTorch's two
 * threads are slower than one at batch 32 — so by default it stays on one thread.
 */
export const SPLIT_THRESHOLD = 1_800_000;
/** Milliseconds products run on one thread after the workers kept the caller waiting three times in a row. */
export const PAUSE_MS = 250;
/** Polls before an idle worker sleeps (about 0.1 ms), so back-to-back products find it awake. */
export const WORKER_SPINS = 20000;

// Mailbox slots (Int32): the ticket, chunks finished, then the job — its kind (GEMM or CHAIN) and
// arguments, the last of a product's (the slope) a float; scratch pointers from SCRATCH on.
const TICKET = 0,
  FINISHED = 1,
  CHUNKS = 2,
  ROWS_PER_CHUNK = 3,
  KIND = 4,
  ARGS = 5,
  SLOPE = 15,
  STOP = 16,
  SCRATCH = 17;
const GEMM = 0,
  CHAIN = 1;
const MAX_THREADS = 8;
const MAILBOX_SLOTS = SCRATCH + MAX_THREADS + 1;
/** Names of each thread's scratch region for nonzero lists (thread 0 is the caller). */
export const LIST_REGIONS = Array.from({ length: MAX_THREADS + 1 }, (_, t) => `list${t}`);

// One claim loop, shared by the caller and (as source text) the workers: run chunks while any is left.
function claimChunks(box: Int32Array, floats: Float32Array, kernels: RowKernels, scratch: number): void {
  for (let ticket = Atomics.load(box, TICKET); ; ticket = Atomics.load(box, TICKET)) {
    const next = ticket & 0xffff;
    if (next >= box[CHUNKS]) return;
    const kind = box[KIND];
    const [transA, m, n, k, a, b, c, accumulate] = [
      box[ARGS],
      box[ARGS + 1],
      box[ARGS + 2],
      box[ARGS + 3],
      box[ARGS + 4],
      box[ARGS + 5],
      box[ARGS + 6],
      box[ARGS + 7],
    ];
    const [bias, activate, slope] = [box[ARGS + 8], box[ARGS + 9], floats[SLOPE]];
    const per = box[ROWS_PER_CHUNK];
    if (Atomics.compareExchange(box, TICKET, ticket, ticket + 1) !== ticket) continue; // another thread took it, or a new job began
    const [first, end] = [next * per, Math.min(m, (next + 1) * per)];
    if (kind === CHAIN)
      kernels.chainRows(first, end, m, a, k, scratch, b); // a: the layer table, k: its layers, b: classes
    else kernels.gemmRows(transA, first, end, m, n, k, a, b, c, accumulate, scratch, bias, activate, slope);
    Atomics.add(box, FINISHED, 1);
    Atomics.notify(box, FINISHED);
  }
}

// The worker: a CommonJS script run with `eval`, so it needs no file of its own beside the build output.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, mailbox, thread, spins: patience, nativePath } = workerData;
const wasm = new WebAssembly.Instance(module, { env: { memory } }).exports;
${nativeRowKernels.toString()}
const rows = nativePath ? nativeRowKernels(require(nativePath), () => memory.buffer) : wasm;
const box = new Int32Array(memory.buffer, mailbox, ${MAILBOX_SLOTS});
const floats = new Float32Array(memory.buffer, mailbox, ${MAILBOX_SLOTS});
const TICKET = ${TICKET}, FINISHED = ${FINISHED}, CHUNKS = ${CHUNKS}, ROWS_PER_CHUNK = ${ROWS_PER_CHUNK}, KIND = ${KIND}, ARGS = ${ARGS}, SLOPE = ${SLOPE}, CHAIN = ${CHAIN};
${claimChunks.toString()}
let seen = Atomics.load(box, TICKET);
for (;;) {
  let spins = 0;
  while (Atomics.load(box, TICKET) === seen && !box[${STOP}]) {
    if (++spins > patience) { Atomics.wait(box, TICKET, seen); spins = 0; }
  }
  if (box[${STOP}]) break;
  claimChunks(box, floats, rows, box[${SCRATCH} + thread]);
  seen = Atomics.load(box, TICKET);
}
`;

/** Starts `threads` workers (default: one per extra core, at most 3); null when there is only one core or no worker_threads. */
export async function startThreadPool(
  module: WasmModule,
  heap: WasmHeap,
  own: RowKernels,
  options: PoolOptions = {},
): Promise<ThreadPool | null> {
  const { splitThreshold = SPLIT_THRESHOLD, spins = WORKER_SPINS, nativePath = null } = options;
  let workerThreads: typeof import('node:worker_threads');
  let cores = 1;
  try {
    workerThreads = await import('node:worker_threads');
    cores = (await import('node:os')).availableParallelism();
  } catch {
    return null; // not Node: the browser page runs single-threaded
  }
  const count = Math.min(MAX_THREADS, Math.max(0, Math.floor(options.threads ?? Math.min(cores - 1, 3))));
  if (count === 0) return null;

  const mailbox = heap.scratch('mailbox', MAILBOX_SLOTS * 4);
  const box = new Int32Array(heap.buffer(), mailbox, MAILBOX_SLOTS);
  const floats = new Float32Array(box.buffer, mailbox, box.length);
  const workers: Worker[] = [];
  for (let t = 1; t <= count; t++) {
    const worker = new workerThreads.Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module, memory: heap.memory, mailbox, thread: t, spins, nativePath },
    });
    worker.unref();
    workers.push(worker);
  }
  let job = 0;
  let strikes = 0;
  let pausedUntil = 0;
  let closed = false;

  // Publishes the job written into the mailbox (rows [0, m) in chunks), takes chunks until none is left,
  // then waits for the ones still running.
  const run = (m: number, listBytes: number) => {
    // about four chunks per thread, of a multiple of four rows (the kernels take rows in pairs, the
    // native ones in fours: a chunk's leftover rows would go to their slower kernels)
    const perChunk = 4 * Math.ceil(m / (16 * (count + 1)));
    const chunks = Math.ceil(m / perChunk);
    for (let t = 1; t <= count; t++) box[SCRATCH + t] = heap.scratch(LIST_REGIONS[t], listBytes);
    box[CHUNKS] = chunks;
    box[ROWS_PER_CHUNK] = perChunk;
    Atomics.store(box, FINISHED, 0);
    job = (job + 1) & 0x7fff;
    Atomics.store(box, TICKET, job << 16);
    Atomics.notify(box, TICKET);
    const started = performance.now();
    claimChunks(box, floats, own, heap.scratch(LIST_REGIONS[0], listBytes));
    const claimed = performance.now();
    // Only chunks already running remain. Spin briefly, then sleep until a worker reports, so a
    // worker that shares our core on a busy machine gets it instead of a spinning caller.
    for (let spins = 0, done = Atomics.load(box, FINISHED); done < chunks; done = Atomics.load(box, FINISHED)) {
      if (++spins > 1000) Atomics.wait(box, FINISHED, done, 1);
    }
    // A worker descheduled mid-chunk (a busy machine) makes the caller wait longer than the whole
    // product takes alone: after a few such products in a row, stay on one thread for a while.
    const waited = performance.now() - claimed;
    strikes = waited > 0.5 * (claimed - started) ? strikes + 1 : 0;
    pausedUntil = 0;
    if (strikes >= 3) {
      pausedUntil = performance.now() + PAUSE_MS;
      strikes = 0;
    }
  };

  return {
    threads: count,
    worthSplitting: (m, n, k) => {
      if (closed || !(m >= 2 * (count + 1) && m * n * k >= splitThreshold)) return false;
      return pausedUntil === 0 || performance.now() >= pausedUntil;
    },

    gemmRows(transA, m, n, k, a, b, c, accumulate, listBytes, bias, activate, slope) {
      box[KIND] = GEMM;
      box[ARGS] = transA;
      box[ARGS + 1] = m;
      box[ARGS + 2] = n;
      box[ARGS + 3] = k;
      box[ARGS + 4] = a;
      box[ARGS + 5] = b;
      box[ARGS + 6] = c;
      box[ARGS + 7] = accumulate;
      box[ARGS + 8] = bias;
      box[ARGS + 9] = activate;
      floats[SLOPE] = slope;
      run(m, listBytes);
    },

    chainRows(m, table, layers, listBytes, classes) {
      box[KIND] = CHAIN; // chainRows(first, end, m, table, layers, …, classes): m, the layer count, the table and classes where gemmRows has m, k, A and B
      box[ARGS + 1] = m;
      box[ARGS + 3] = layers;
      box[ARGS + 4] = table;
      box[ARGS + 5] = classes;
      run(m, listBytes);
    },

    async close() {
      closed = true;
      Atomics.store(box, STOP, 1);
      Atomics.notify(box, TICKET);
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
