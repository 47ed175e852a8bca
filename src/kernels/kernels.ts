/**
 * A square window stepping over NCHW images [images, channels, height, width]: the geometry of a
 * convolution or a pooling. Along each axis, out = ⌊(size + padding + paddingAfter − kernel) / stride⌋ + 1;
 * the kernels need only the zeros before (`padding`), since every position past the image reads as 0.
 */
export interface ImageWindow {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** Side of the square window. */
  readonly kernel: number;
  readonly stride: number;
  /** Zeros before the first row and column. */
  readonly padding: number;
  readonly outHeight: number;
  readonly outWidth: number;
}

/**
 * The arithmetic every layer needs, as one interface: pure functions over caller-owned Float32Array
 * buffers, with sizes passed explicitly. A kernel never allocates; it writes into the output it is given.
 *
 * Two backends implement it: `reference` (readable TypeScript — the documentation of each kernel) and
 * the fast WebAssembly backend. Layers get their buffers from `alloc`, so a backend can keep every
 * buffer inside its own memory and run without copying.
 *
 * Conventions: matrices are row-major; `n` is an element count; outputs are overwritten unless a
 * parameter says they accumulate.
 */
/**
 * What gemm does to each row of C after the product: C[r,c] = act(C[r,c] + bias[c]). A fast backend
 * does it while the rows are still in its cache (and on the thread that wrote them), not in another pass.
 */
export interface Epilogue {
  /** Added to every row of C; n values. */
  readonly bias?: Float32Array;
  /** Then the (leaky) ReLU, act(v) = reluSlope·v if v ≤ 0 else v (0: ReLU; NaN passes through); absent: no activation. */
  readonly reluSlope?: number;
}

/** One dense layer of a chain (Kernels.denseChain): Y [m, units] = act(X [m, inputs] · weight + bias). */
export interface DenseStep {
  readonly inputs: number;
  readonly units: number;
  /** W [inputs, units] */
  readonly weight: Float32Array;
  readonly epilogue: Epilogue;
}

/**
 * The arithmetic every layer needs, one function per kernel, each stated as its equation. Two backends
 * implement it: `reference` (readable TypeScript, the documentation) and the WebAssembly backend
 * (SIMD, threads, and native products where they run). `kernels()` is the active one.
 */
export interface Kernels {
  readonly name: string;

  /** A zero-filled buffer of `length` floats that this backend's kernels can read and write directly. */
  readonly alloc: (length: number) => Float32Array;

  /**
   * General matrix product, C[m,n] = op(A)·op(B), or C += op(A)·op(B) when `accumulate`.
   * op(A) is [m,k]: A is stored [m,k], or [k,m] when `transA`.
   * op(B) is [k,n]: B is stored [k,n], or [n,k] when `transB`.
   * Dense uses three: Y = X·W (NN), dW = Xᵀ·dY (TN), dX = dY·Wᵀ (NT).
   * An `epilogue` then finishes each row of C: Y = act(X·W + b) in one call.
   */
  readonly gemm: (
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    accumulate: boolean,
    epilogue?: Epilogue,
  ) => void;

  /**
   * A chain of dense layers in evaluation: x [m, layers[0].inputs] through each layer in turn, layer i
   * writing outputs[i] [m, layers[i].units] (the next one's input). Rows are independent, so a fast
   * backend can run the whole chain on its share of the rows in each thread, without a hand-off per layer.
   * With `classes`, classes[r] = the index of row r's largest output of the last layer (the first, on a tie).
   */
  readonly denseChain: (
    m: number,
    x: Float32Array,
    layers: readonly DenseStep[],
    outputs: readonly Float32Array[],
    classes?: Int32Array,
  ) => void;

  /**
   * classes[r] = argmax_c x[r,c], the smallest such c on a tie, NaN counting as the largest value (the
   * first NaN, as torch.argmax): each row's predicted class, from a
   * [rows, cols] matrix of scores (logits or probabilities) into classes [rows].
   */
  readonly argmaxRows: (rows: number, cols: number, x: Float32Array, classes: Int32Array) => void;

  /** out[c] = Σ_r x[r,c]: column sums of a [rows, cols] matrix (the bias gradient). */
  readonly sumRows: (rows: number, cols: number, x: Float32Array, out: Float32Array) => void;

  /** y = max(0, x), and NaN for NaN (torch.relu) */
  readonly relu: (n: number, x: Float32Array, y: Float32Array) => void;
  /** dx = 0 if x ≤ 0 else dy: dy for NaN x, as torch's threshold_backward */
  readonly reluBackward: (n: number, x: Float32Array, dy: Float32Array, dx: Float32Array) => void;
  /** y = x if x > 0 else slope·x (NaN for NaN) */
  readonly leakyRelu: (n: number, slope: number, x: Float32Array, y: Float32Array) => void;
  /** dx = dy · (1 if x > 0 else slope): slope·dy for NaN x, as torch's leaky_relu_backward */
  readonly leakyReluBackward: (n: number, slope: number, x: Float32Array, dy: Float32Array, dx: Float32Array) => void;
  /** y = 1 / (1 + e^(−x)) */
  readonly sigmoid: (n: number, x: Float32Array, y: Float32Array) => void;
  /** dx = dy · y(1 − y), from the forward output y */
  readonly sigmoidBackward: (n: number, y: Float32Array, dy: Float32Array, dx: Float32Array) => void;
  /** y = tanh(x) */
  readonly tanh: (n: number, x: Float32Array, y: Float32Array) => void;
  /** dx = dy · (1 − y²), from the forward output y */
  readonly tanhBackward: (n: number, y: Float32Array, dy: Float32Array, dx: Float32Array) => void;

  /** probs[r,:] = softmax(logits[r,:]) for a [rows, cols] matrix, stabilised by subtracting the row max. */
  readonly softmax: (rows: number, cols: number, logits: Float32Array, probs: Float32Array) => void;
  /**
   * Mean softmax cross-entropy of [rows, cols] logits against integer labels, computed with log-sum-exp:
   * L = (1/rows) Σ_r [log Σ_c e^(z_rc) − z_r,label_r]. Writes the probabilities and the gradient of the
   * mean loss, dLogits = (softmax(z) − onehot(label)) / rows, and returns L.
   */
  readonly softmaxCrossEntropy: (
    rows: number,
    cols: number,
    logits: Float32Array,
    labels: Int32Array,
    probs: Float32Array,
    dLogits: Float32Array,
  ) => number;

  /**
   * out[b, :] = scale · source[row_b, :] for b < count, where row_b = order[start + b] (or start + b
   * when order is null): copies chosen rows of a [*, size] matrix of bytes or floats into a batch of
   * floats, normalising on the way (bytes 0–255 × 1/255). The batch gatherer of training and evaluation.
   */
  readonly gatherRows: (
    count: number,
    size: number,
    source: Uint8Array | Float32Array,
    order: Int32Array | null,
    start: number,
    scale: number,
    out: Float32Array,
  ) => void;

  /** value −= lr · grad: plain gradient descent on one parameter buffer. */
  readonly sgdStep: (n: number, lr: number, grad: Float32Array, value: Float32Array) => void;

  // The optimizers' updates (src/optimizers), each one pass over one parameter's buffers, all [n]:
  // grad g, value θ, and the optimizer's state. Every value they write is flushed: |v| < 2^-126 becomes
  // +0 (a change below 1.2e-38; NaN is kept), so that a state decaying towards 0 never sticks at a
  // subnormal, which x86 computes on a slow path and WebAssembly cannot flush by a mode.

  /** θ ← θ − lr·(g + λ·θ): SGD with coupled weight decay λ (`weightDecay`). */
  readonly sgdDecayStep: (n: number, lr: number, weightDecay: number, grad: Float32Array, value: Float32Array) => void;
  /**
   * SGD with momentum μ, dampening τ and coupled weight decay λ, as PyTorch's: g ← ∂L/∂θ + λ·θ;
   * b ← g on the `first` step, else b ← μ·b + (1 − τ)·g; d ← g + μ·b when `nesterov`, else d ← b;
   * θ ← θ − lr·d.
   */
  readonly momentumStep: (
    n: number,
    lr: number,
    weightDecay: number,
    momentum: number,
    dampening: number,
    nesterov: boolean,
    first: boolean,
    grad: Float32Array,
    value: Float32Array,
    buffer: Float32Array,
  ) => void;
  /**
   * Adam and AdamW, the bias corrections given as scalars (for step t: stepSize = lr / (1 − β₁ᵗ),
   * rootCorrection = √(1 − β₂ᵗ)): g ← ∂L/∂θ + λ·θ (λ = `weightDecay`, coupled; 0 for AdamW);
   * m ← β₁·m + (1 − β₁)·g; v ← β₂·v + (1 − β₂)·g·g;
   * θ ← θ·shrink − stepSize·m / (√v / rootCorrection + ε) (shrink = 1 − lr·λ for AdamW, else 1).
   */
  readonly adamStep: (
    n: number,
    stepSize: number,
    rootCorrection: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    shrink: number,
    grad: Float32Array,
    value: Float32Array,
    m: Float32Array,
    v: Float32Array,
  ) => void;
  /**
   * RMSprop: g ← ∂L/∂θ + λ·θ; s ← α·s + (1 − α)·g·g (`square`); with `average` (centered),
   * a ← α·a + (1 − α)·g and s̃ = s − a·a, else s̃ = s; r = √s̃ + ε; with `buffer` (momentum μ),
   * b ← μ·b + g / r and θ ← θ − lr·b, else θ ← θ − lr·g / r.
   */
  readonly rmspropStep: (
    n: number,
    lr: number,
    alpha: number,
    eps: number,
    weightDecay: number,
    momentum: number,
    grad: Float32Array,
    value: Float32Array,
    square: Float32Array,
    average: Float32Array | null,
    buffer: Float32Array | null,
  ) => void;
  /** Adagrad: g ← ∂L/∂θ + λ·θ; s ← s + g·g; θ ← θ − lr·g / (√s + ε). */
  readonly adagradStep: (
    n: number,
    lr: number,
    eps: number,
    weightDecay: number,
    grad: Float32Array,
    value: Float32Array,
    sum: Float32Array,
  ) => void;
  /** Σ_i x_i² over x[0..n), in float64: gradient clipping's squared norm. */
  readonly sumOfSquares: (n: number, x: Float32Array) => number;
  /** x ← factor·x in place: the gradients scaled down by clipping. */
  readonly scaleInPlace: (n: number, factor: number, x: Float32Array) => void;

  /**
   * The index of the first NaN or ±Inf among x[0..n), or −1: the check of every gradient before each
   * optimizer step, so it must cost little beside the step (v − v is 0 exactly when v is finite).
   */
  readonly firstNonFinite: (n: number, x: Float32Array) => number;

  // Batch normalisation and dropout. Batch norm's x is [outer, channels, inner] with statistics per channel
  // over its outer·inner values (N of them): BatchNorm1d's [batch, features] is outer = batch, inner = 1;
  // BatchNorm2d's NCHW is outer = N, channels = C, inner = H·W. Every per-channel sum is accumulated in float64.

  /**
   * Batch statistics per channel c, over the N = outer·inner values x[o, c, i]:
   * mean[c] = μ = (1/N) Σ x,  variance[c] = σ² = (1/N) Σ (x − μ)², the biased variance, computed in two
   * passes (the mean first), so no cancellation of Σx² − Nμ² can make it inaccurate or negative.
   */
  readonly batchNormStatistics: (
    outer: number,
    channels: number,
    inner: number,
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
  ) => void;

  /**
   * x̂ = (x − mean[c])·inverseStd[c],  y = gamma[c]·x̂ + beta[c], for x, xhat, y [outer, channels, inner] and
   * the per-channel mean, inverseStd (1/√(σ² + ε)), gamma and beta [channels]: batch norm's forward, in
   * training (batch statistics) and evaluation (running statistics) alike.
   */
  readonly batchNormForward: (
    outer: number,
    channels: number,
    inner: number,
    x: Float32Array,
    mean: Float32Array,
    inverseStd: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    xhat: Float32Array,
    y: Float32Array,
  ) => void;

  /**
   * Batch norm's backward, per channel c with s = inverseStd[c], γ = gamma[c] and sums over its N values:
   * dBeta[c] = Σ dy,  dGamma[c] = Σ dy·x̂ (overwritten), then, when dx is given,
   * with `batchStatistics` (training: μ and σ² depend on x)  dx = γ·s/N · (N·dy − dBeta − x̂·dGamma),
   * without (evaluation, running statistics)               dx = γ·s·dy.
   */
  readonly batchNormBackward: (
    outer: number,
    channels: number,
    inner: number,
    xhat: Float32Array,
    dy: Float32Array,
    gamma: Float32Array,
    inverseStd: Float32Array,
    batchStatistics: boolean,
    dGamma: Float32Array,
    dBeta: Float32Array,
    dx: Float32Array | null,
  ) => void;

  /**
   * Inverted dropout: for i < n, u_i = the next 32 bits of the xoshiro128** generator whose four words are
   * `state` (advanced n steps, the stream of Rng.nextUint32), mask[i] = 0 if u_i/2^32 < rate (Rng.uniform() < p)
   * else 1/(1 − rate) rounded to float32, and y[i] = x[i]·mask[i].
   */
  readonly dropout: (n: number, rate: number, state: Uint32Array, x: Float32Array, y: Float32Array, mask: Float32Array) => void;

  /** dx = dy·mask: dropout's backward, with the mask its forward wrote. */
  readonly dropoutBackward: (n: number, mask: Float32Array, dy: Float32Array, dx: Float32Array) => void;

  // Convolution and pooling over NCHW images, `images` of them, their geometry in an ImageWindow w. A
  // convolution is one matrix product over the whole batch: every receptive field is a row of `cols`.

  /**
   * im2col: cols[(n·H′ + i)·W′ + j, (c·k + u)·k + v] = x[n, c, i·s + u − p, j·s + v − p], 0 outside the image,
   * for x [images, C, H, W] and cols [images·H′·W′, C·k·k]: then conv(x, W) = cols · Wᵀ with W [O, C·k·k].
   */
  readonly im2col: (images: number, w: ImageWindow, x: Float32Array, cols: Float32Array) => void;

  /**
   * The adjoint of im2col, from the receptive fields' gradient laid out tap-major (one row per tap, as
   * im2col's output transposed per image): dx[n, c, i·s + u − p, j·s + v − p] = Σ dcolsT[n, (c·k + u)·k + v, i·W′ + j]
   * over every window that reads that pixel (overlapping windows add up), dcolsT [images, C·k·k, H′·W′];
   * dx [images, C, H, W] overwritten. Tap-major because then each tap's row adds into a row of dx as one
   * contiguous run, where the window-major layout would scatter k floats at a time into overlapping places.
   */
  readonly col2imTapMajor: (images: number, w: ImageWindow, dcolsT: Float32Array, dx: Float32Array) => void;

  /**
   * out[c] = Σ_n Σ_p x[n, c, p] for x [images, channels, positions] (NCHW with positions = H·W), summed in
   * float64: a convolution's bias gradient, db = Σ over the batch and the positions of dY.
   */
  readonly sumChannels: (images: number, channels: number, positions: number, x: Float32Array, out: Float32Array) => void;

  /** y[s, c, r] = x[s, r, c]: each of `count` [rows, cols] matrices transposed (NHWC-like rows ↔ NCHW). */
  readonly transposeSamples: (count: number, rows: number, cols: number, x: Float32Array, y: Float32Array) => void;

  /**
   * Max pooling: y[n, c, i, j] = max over u, v < k of x[n, c, i·s + u, j·s + v] (no padding), NaN counting as
   * the largest (the first NaN, as PyTorch), and winners[same index] = the index into x of the (first) largest,
   * for x [images, C, H, W], y and winners [images, C, H′, W′].
   */
  readonly maxPool2d: (images: number, w: ImageWindow, x: Float32Array, y: Float32Array, winners: Int32Array) => void;

  /**
   * Max pooling's backward: dx = 0, then dx[winners[o]] += dy[o] for o < outputs; dx has `inputs` values.
   * Outputs and inputs are `images` equal parts, and each output's winner lies in its own image's part
   * (maxPool2d's winners do), so the work splits image by image; a winner that does not is an error.
   */
  readonly maxPool2dBackward: (
    images: number,
    outputs: number,
    inputs: number,
    dy: Float32Array,
    winners: Int32Array,
    dx: Float32Array,
  ) => void;
}
