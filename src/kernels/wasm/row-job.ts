/**
 * The fast kernels' boundary, defined once: the jobs their row kernels run, as records of 32-bit slots
 * in the WebAssembly memory. The caller writes a job once; then every thread runs its share of the
 * rows with the same four arguments — `gemmRows(job, rowStart, rowEnd, scratch)` or
 * `chainRows(job, rowStart, rowEnd, scratch)` — and each implementation reads the fields it needs at
 * the slots named here:
 *
 * - TypeScript (backend.ts) writes them, with these constants;
 * - AssemblyScript (assembly/gemm.ts) imports this very file and reads them, load<i32>(job + 4·SLOT);
 * - C (native/kernels.c) includes row-job.h, which `npm run build:native` writes from this file's
 *   compiled form (scripts/build-native.mjs), and the addon reports the layout it was built with, which
 *   the loader compares with this one (native.ts) — a stale build is refused, not misread.
 *
 * So this file holds only `export const NAME = integer;` — the form both tsc and asc compile. A slot
 * holds an i32 (an address is a byte offset into the memory) unless its comment says f32.
 */

// ---- The gemm job: rows of C (+)= op(A)·B, then C = act(C + bias) ----
// op(A) is A [m,k] (transA 0: Y = X·W) or A stored [k,m] (transA 1: dW = Xᵀ·dY); B [k,n], C [m,n].

/** 0: C (+)= A·B; 1: C (+)= Aᵀ·B, A stored [k,m]. */
export const GEMM_TRANS_A = 0;
/** Rows of C. */
export const GEMM_M = 1;
/** Columns of C (and of B). */
export const GEMM_N = 2;
/** The inner dimension: columns of op(A), rows of B. */
export const GEMM_K = 3;
/** Address of A. */
export const GEMM_A = 4;
/** Address of B, [k,n]. */
export const GEMM_B = 5;
/** Address of C, [m,n]. */
export const GEMM_C = 6;
/** 0: C = op(A)·B; 1: C += op(A)·B. */
export const GEMM_ACCUMULATE = 7;
/** Address of the bias added to every row of C, n floats; 0: none. */
export const GEMM_BIAS = 8;
/** 1: then act(v) = v > 0 ? v : slope·v; 0: no activation. */
export const GEMM_ACTIVATE = 9;
/** The activation's slope for v ≤ 0 (0: ReLU), f32. */
export const GEMM_SLOPE = 10;
/** Slots of a gemm job. */
export const GEMM_SLOTS = 11;

// ---- The chain job: rows through a chain of dense layers, Y = act(X·W + b) each (evaluation) ----
// A header, then CHAIN_LAYER_SLOTS slots for each layer, in order: layer l's entry starts at slot
// CHAIN_SLOTS + l·CHAIN_LAYER_SLOTS.

/** Rows of the batch. */
export const CHAIN_M = 0;
/** Layers in the chain. */
export const CHAIN_LAYERS = 1;
/** Address of m i32s for each row's class (its largest output of the last layer, the first on a tie); 0: none. */
export const CHAIN_CLASSES = 2;
/** Slots of the chain's header (a fourth one keeps the layer entries 16-byte aligned; unused). */
export const CHAIN_SLOTS = 4;

/** A layer's inputs k. */
export const LAYER_INPUTS = 0;
/** A layer's units n. */
export const LAYER_UNITS = 1;
/** Address of its input X [m,k]: the chain's input, or the layer before's output. */
export const LAYER_INPUT = 2;
/** Address of its weight W [k,n]. */
export const LAYER_WEIGHT = 3;
/** Address of its output Y [m,n]. */
export const LAYER_OUTPUT = 4;
/** Address of its bias, n floats; 0: none. */
export const LAYER_BIAS = 5;
/** 1: act(v) = v > 0 ? v : slope·v; 0: none. */
export const LAYER_ACTIVATE = 6;
/** The activation's slope (0: ReLU), f32. */
export const LAYER_SLOPE = 7;
/** Slots of one layer's entry. */
export const CHAIN_LAYER_SLOTS = 8;

// ---- The update job: one optimizer kernel (assembly/optimizers.ts) over a share of a parameter ----
// Its "rows" are the parameter's values: rows [rowStart, rowEnd) run the kernel on those values of
// every buffer. The update is elementwise, so any split gives the bits of one call.

/** Which kernel: UPDATE_SGD_DECAY, UPDATE_MOMENTUM, UPDATE_ADAM, UPDATE_RMSPROP or UPDATE_ADAGRAD. */
export const UPDATE_KERNEL = 0;
/** Values of the parameter. */
export const UPDATE_N = 1;
/** Momentum: 1 for Nesterov. */
export const UPDATE_NESTEROV = 2;
/** Momentum: 1 on the first step (b ← g). */
export const UPDATE_FIRST = 3;
/** Address of the gradient. */
export const UPDATE_GRAD = 4;
/** Address of the values. */
export const UPDATE_VALUE = 5;
/** Addresses of the kernel's state buffers, in its parameters' order, from this slot (three slots; 0: none). */
export const UPDATE_STATE = 6;
/** The kernel's scalars as f64, in its parameters' order, from this slot (byte 40: 8-aligned; up to eight). */
export const UPDATE_SCALARS = 10;
/** Slots of an update job. */
export const UPDATE_SLOTS = 26;
/** UPDATE_KERNEL of sgdDecayStep (scalars lr, weightDecay; no state). */
export const UPDATE_SGD_DECAY = 0;
/** UPDATE_KERNEL of momentumStep (scalars lr, weightDecay, momentum, dampening; state: buffer). */
export const UPDATE_MOMENTUM = 1;
/** UPDATE_KERNEL of adamStep (scalars stepSize, rootCorrection, beta1, beta2, eps, weightDecay, shrink; state: m, v). */
export const UPDATE_ADAM = 2;
/** UPDATE_KERNEL of rmspropStep (scalars lr, alpha, eps, weightDecay, momentum; state: square, average, buffer). */
export const UPDATE_RMSPROP = 3;
/** UPDATE_KERNEL of adagradStep (scalars lr, eps, weightDecay; state: sum). */
export const UPDATE_ADAGRAD = 4;

// ---- The image job: one image kernel (assembly/images.ts, elementwise.ts) over a share of a batch ----
// Its "rows" are the batch's images (the ReLU kernels: its values): each thread runs the kernel on its
// images, whose values lie apart from the others', so any split gives the bits of one call.

/** Which kernel: IMAGE_IM2COL, IMAGE_COL2IM, IMAGE_TRANSPOSE, IMAGE_MAX_POOL, IMAGE_MAX_POOL_BACKWARD, IMAGE_RELU or IMAGE_RELU_BACKWARD. */
export const IMAGE_KERNEL = 0;
/** The window's channels (transposeSamples: 0). */
export const IMAGE_CHANNELS = 1;
/** The window's height (transposeSamples: the rows of each matrix). */
export const IMAGE_HEIGHT = 2;
/** The window's width (transposeSamples: the columns of each matrix). */
export const IMAGE_WIDTH = 3;
/** The window's kernel size. */
export const IMAGE_SIZE = 4;
/** The window's stride. */
export const IMAGE_STRIDE = 5;
/** The window's padding (zeros before). */
export const IMAGE_PADDING = 6;
/** The window's output height. */
export const IMAGE_OUT_HEIGHT = 7;
/** The window's output width. */
export const IMAGE_OUT_WIDTH = 8;
/** Address of the kernel's input (im2col x, col2im dcolsT, transpose x, max pool x or dy, ReLU x). */
export const IMAGE_INPUT = 9;
/** Address of its output (cols, dx, y, pooled y or dx, ReLU y or dx). */
export const IMAGE_OUTPUT = 10;
/** Address of its third buffer: max pooling's winners, the ReLU backward's dy; 0: none. */
export const IMAGE_THIRD = 11;
/** Written by max pooling's backward: −1, or an output whose winner lies outside its image (nothing of that share written). */
export const IMAGE_BAD = 12;
/** The ReLU kernels' slope for v ≤ 0, f32. */
export const IMAGE_SLOPE = 13;
/** Slots of an image job. */
export const IMAGE_SLOTS = 14;
/** IMAGE_KERNEL of im2col. */
export const IMAGE_IM2COL = 0;
/** IMAGE_KERNEL of col2imTapMajor. */
export const IMAGE_COL2IM = 1;
/** IMAGE_KERNEL of transposeSamples. */
export const IMAGE_TRANSPOSE = 2;
/** IMAGE_KERNEL of maxPool2d. */
export const IMAGE_MAX_POOL = 3;
/** IMAGE_KERNEL of maxPool2dBackward. */
export const IMAGE_MAX_POOL_BACKWARD = 4;
/** IMAGE_KERNEL of leakyRelu (rows: values). */
export const IMAGE_RELU = 5;
/** IMAGE_KERNEL of leakyReluBackward (rows: values). */
export const IMAGE_RELU_BACKWARD = 6;
