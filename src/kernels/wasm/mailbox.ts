/**
 * The hand-off between the calling thread and the worker threads (threads.ts, worker.ts): one mailbox of
 * Int32 slots in the shared memory, and the loop every thread runs to claim its share of a job's rows.
 *
 * The caller writes a job into the memory (row-job.ts), puts its kind, address and chunking here, then
 * publishes a ticket — job number << 16 | next chunk — and notifies. Every thread, the caller included,
 * claims chunks by compare-and-swap on the ticket until none is left.
 */

/**
 * The row kernels a thread runs: rows [rowStart, rowEnd) of the gemm job, the chain job, the update job or
 * the image job written at `job` (row-job.ts names their fields), with `scratch` the thread's own
 * workspace. The WebAssembly module exports them (assembly/gemm.ts, optimizers.ts, image-job.ts); the
 * native addon has the first two (native/native.ts), and the update and image jobs always run in WebAssembly.
 */
export interface RowKernels {
  gemmRows(job: number, rowStart: number, rowEnd: number, scratch: number): void;
  chainRows(job: number, rowStart: number, rowEnd: number, scratch: number): void;
  updateRows(job: number, rowStart: number, rowEnd: number, scratch: number): void;
  imageRows(job: number, rowStart: number, rowEnd: number, scratch: number): void;
}

/** Threads besides the caller a pool may have. */
export const MAX_THREADS = 8;

// Mailbox slots (Int32):
/** The ticket: job number << 16 | the next chunk to claim. */
export const TICKET = 0;
/** Chunks of the current job finished. */
export const FINISHED = 1;
/** Chunks the job's rows are cut into. */
export const CHUNKS = 2;
/** Rows in each chunk (the last may have fewer). */
export const ROWS_PER_CHUNK = 3;
/** The job's rows: [0, ROWS). */
export const ROWS = 4;
/** The job's kind: GEMM, CHAIN, UPDATE or IMAGES. */
export const KIND = 5;
/** The job's address in the memory (row-job.ts). */
export const JOB = 6;
/** Set to 1 when the workers are to stop. */
export const STOP = 7;
/** Thread t's scratch address is at slot SCRATCH + t (thread 0 is the caller). */
export const SCRATCH = 8;
/** Slots of the mailbox. */
export const MAILBOX_SLOTS = SCRATCH + MAX_THREADS + 1;

/** KIND of a product (gemmRows). */
export const GEMM = 0;
/** KIND of a chain of dense layers (chainRows). */
export const CHAIN = 1;
/** KIND of an optimizer's update of one parameter (updateRows). */
export const UPDATE = 2;
/** KIND of an image kernel over a batch (imageRows). */
export const IMAGES = 3;

/** A ticket's chunk number while its job is being written: no chunk is that high, so none is claimed. */
export const CLOSED = 0xffff;

/**
 * Runs chunks of the published job until none is left, as thread `thread` (0: the caller). The ticket is
 * read first and the compare-and-swap succeeds only if it is unchanged, so fields read in between belong
 * to the job that ticket published (the caller closes the ticket before it rewrites them). The thread's
 * scratch address is one of those fields: read before the ticket was published, it could be the last
 * job's region, too small for this one (a race seen as a NaN validation loss under load in CI).
 */
export function claimChunks(box: Int32Array, kernels: RowKernels, thread: number): void {
  for (let ticket = Atomics.load(box, TICKET); ; ticket = Atomics.load(box, TICKET)) {
    const next = ticket & 0xffff;
    if (next >= box[CHUNKS]) return;
    const kind = box[KIND];
    const job = box[JOB];
    const m = box[ROWS];
    const per = box[ROWS_PER_CHUNK];
    const scratch = box[SCRATCH + thread];
    if (Atomics.compareExchange(box, TICKET, ticket, ticket + 1) !== ticket) continue; // another thread took it, or a new job began
    const first = next * per;
    const end = Math.min(m, (next + 1) * per);
    if (kind === CHAIN) kernels.chainRows(job, first, end, scratch);
    else if (kind === UPDATE) kernels.updateRows(job, first, end, scratch);
    else if (kind === IMAGES) kernels.imageRows(job, first, end, scratch);
    else kernels.gemmRows(job, first, end, scratch);
    Atomics.add(box, FINISHED, 1);
    Atomics.notify(box, FINISHED);
  }
}
