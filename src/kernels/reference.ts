import type { Kernels } from './kernels.js';
import { xoshiro128StarStar } from '../tensor/rng.js';
import { referenceImageKernels } from './reference-images.js';

/**
 * The reference backend: every kernel as plain TypeScript loops, written to be read.
 * The fast backend is tested against these on random shapes.
 */
export const reference: Kernels = {
  name: 'js',

  alloc: (length) => new Float32Array(length),

  gemm(transA, transB, m, n, k, a, b, c, accumulate, epilogue) {
    product(transA, transB, m, n, k, a, b, c, accumulate);
    if (!epilogue) return;
    // C[r,c] = act(C[r,c] + bias[c]); act(v) = v ≤ 0 ? slope·v : v, written so that ReLU gives +0 and NaN
    // (which fails v ≤ 0) passes through, as torch.relu lets it
    const { bias, reluSlope: slope } = epilogue;
    for (let r = 0; r < m; r++) {
      for (let j = 0, at = r * n; j < n; j++, at++) {
        const v = bias ? Math.fround(c[at] + bias[j]) : c[at]; // rounded as a stored Y = X·W + b would be
        c[at] = slope !== undefined && v <= 0 ? (slope === 0 ? 0 : slope * v) : v;
      }
    }
  },

  denseChain(m, x, layers, outputs, classes) {
    let input = x;
    layers.forEach((layer, i) => {
      reference.gemm(false, false, m, layer.units, layer.inputs, input, layer.weight, outputs[i], false, layer.epilogue);
      input = outputs[i];
    });
    if (classes && layers.length > 0) reference.argmaxRows(m, layers[layers.length - 1].units, input, classes);
  },

  argmaxRows(rows, cols, x, classes) {
    for (let r = 0, at = 0; r < rows; r++, at += cols) {
      let best = 0;
      let top = x[at];
      for (let c = 1; c < cols; c++) {
        const v = x[at + c];
        // strictly greater: a tie keeps the first; NaN counts as the largest (the first NaN wins), as in torch.argmax
        if (v > top || (Number.isNaN(v) && !Number.isNaN(top))) {
          top = v;
          best = c;
        }
      }
      classes[r] = best;
    }
  },

  sumRows(rows, cols, x, out) {
    out.fill(0, 0, cols);
    for (let r = 0; r < rows; r++) {
      const row = r * cols;
      for (let c = 0; c < cols; c++) out[c] += x[row + c];
    }
  },

  // Tested as x ≤ 0, which NaN fails: NaN passes through (torch.relu), and its gradient passes dy
  // (torch's threshold_backward: x ≤ 0 ? 0 : dy).
  relu(n, x, y) {
    for (let i = 0; i < n; i++) y[i] = x[i] <= 0 ? 0 : x[i];
  },
  reluBackward(n, x, dy, dx) {
    for (let i = 0; i < n; i++) dx[i] = x[i] <= 0 ? 0 : dy[i];
  },
  // NaN fails x > 0: y = slope·NaN = NaN, and dx = slope·dy, as torch's leaky_relu and its backward.
  leakyRelu(n, slope, x, y) {
    for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : slope * x[i];
  },
  leakyReluBackward(n, slope, x, dy, dx) {
    for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : slope * dy[i];
  },
  sigmoid(n, x, y) {
    // Written as two branches so e^(−x) never overflows for very negative x.
    for (let i = 0; i < n; i++) {
      const v = x[i];
      if (v >= 0) y[i] = 1 / (1 + Math.exp(-v));
      else {
        const e = Math.exp(v);
        y[i] = e / (1 + e);
      }
    }
  },
  sigmoidBackward(n, y, dy, dx) {
    for (let i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
  },
  tanh(n, x, y) {
    for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]);
  },
  tanhBackward(n, y, dy, dx) {
    for (let i = 0; i < n; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
  },

  softmax(rows, cols, logits, probs) {
    for (let r = 0; r < rows; r++) {
      const row = r * cols;
      let max = -Infinity;
      for (let c = 0; c < cols; c++) if (logits[row + c] > max) max = logits[row + c];
      let sum = 0;
      for (let c = 0; c < cols; c++) {
        const e = Math.exp(logits[row + c] - max);
        probs[row + c] = e;
        sum += e;
      }
      for (let c = 0; c < cols; c++) probs[row + c] /= sum;
    }
  },

  softmaxCrossEntropy(rows, cols, logits, labels, probs, dLogits) {
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const row = r * cols;
      const label = labels[r];
      let max = -Infinity;
      for (let c = 0; c < cols; c++) if (logits[row + c] > max) max = logits[row + c];
      let sum = 0;
      for (let c = 0; c < cols; c++) {
        const e = Math.exp(logits[row + c] - max);
        probs[row + c] = e;
        sum += e;
      }
      // −log p_label = log Σ e^(z − max) − (z_label − max): finite for any finite logits.
      total += Math.log(sum) - (logits[row + label] - max);
      for (let c = 0; c < cols; c++) {
        const p = probs[row + c] / sum;
        probs[row + c] = p;
        dLogits[row + c] = (p - (c === label ? 1 : 0)) / rows;
      }
    }
    return total / rows;
  },

  gatherRows(count, size, source, order, start, scale, out) {
    for (let b = 0; b < count; b++) {
      const from = (order ? order[start + b] : start + b) * size;
      const to = b * size;
      for (let i = 0; i < size; i++) out[to + i] = source[from + i] * scale;
    }
  },

  sgdStep(n, lr, grad, value) {
    for (let i = 0; i < n; i++) value[i] -= lr * grad[i];
  },

  // The optimizers' updates in PyTorch's order of operations, in float64 between the float32 loads and
  // stores. Every value stored is flushed (`flushed`): |v| < 2^-126 becomes +0, as the fast kernels do.
  sgdDecayStep(n, lr, weightDecay, grad, value) {
    for (let i = 0; i < n; i++) value[i] = flushed(value[i] - lr * (grad[i] + weightDecay * value[i]));
  },

  momentumStep(n, lr, weightDecay, momentum, dampening, nesterov, first, grad, value, buffer) {
    for (let i = 0; i < n; i++) {
      const g = grad[i] + weightDecay * value[i];
      buffer[i] = flushed(first ? g : momentum * buffer[i] + (1 - dampening) * g);
      const d = nesterov ? g + momentum * buffer[i] : buffer[i];
      value[i] = flushed(value[i] - lr * d);
    }
  },

  adamStep(n, stepSize, rootCorrection, beta1, beta2, eps, weightDecay, shrink, grad, value, m, v) {
    for (let i = 0; i < n; i++) {
      const g = grad[i] + weightDecay * value[i];
      m[i] = flushed(beta1 * m[i] + (1 - beta1) * g);
      v[i] = flushed(beta2 * v[i] + (1 - beta2) * g * g);
      value[i] = flushed(value[i] * shrink - (stepSize * m[i]) / (Math.sqrt(v[i]) / rootCorrection + eps));
    }
  },

  rmspropStep(n, lr, alpha, eps, weightDecay, momentum, grad, value, square, average, buffer) {
    for (let i = 0; i < n; i++) {
      const g = grad[i] + weightDecay * value[i];
      square[i] = flushed(alpha * square[i] + (1 - alpha) * g * g);
      let variance = square[i];
      if (average) {
        average[i] = flushed(alpha * average[i] + (1 - alpha) * g);
        variance -= average[i] * average[i];
      }
      const root = Math.sqrt(variance) + eps;
      if (buffer) {
        buffer[i] = flushed(momentum * buffer[i] + g / root);
        value[i] = flushed(value[i] - lr * buffer[i]);
      } else {
        value[i] = flushed(value[i] - (lr * g) / root);
      }
    }
  },

  adagradStep(n, lr, eps, weightDecay, grad, value, sum) {
    for (let i = 0; i < n; i++) {
      const g = grad[i] + weightDecay * value[i];
      sum[i] = flushed(sum[i] + g * g);
      value[i] = flushed(value[i] - (lr * g) / (Math.sqrt(sum[i]) + eps));
    }
  },

  sumOfSquares(n, x) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x[i] * x[i];
    return sum;
  },

  scaleInPlace(n, factor, x) {
    for (let i = 0; i < n; i++) x[i] *= factor;
  },

  firstNonFinite(n, x) {
    for (let i = 0; i < n; i++) if (!Number.isFinite(x[i])) return i;
    return -1;
  },

  // Batch norm on x [outer, channels, inner]: channel c's values are x[(o·channels + c)·inner + i]. Sums are
  // JavaScript numbers (float64), so the statistics stay accurate over many values (BatchNorm2d's N·H·W).
  batchNormStatistics(outer, channels, inner, x, mean, variance) {
    const count = outer * inner;
    for (let c = 0; c < channels; c++) {
      let sum = 0;
      for (let o = 0; o < outer; o++) for (let i = 0, at = (o * channels + c) * inner; i < inner; i++) sum += x[at + i];
      const mu = sum / count;
      let squares = 0;
      for (let o = 0; o < outer; o++) {
        for (let i = 0, at = (o * channels + c) * inner; i < inner; i++) squares += (x[at + i] - mu) ** 2;
      }
      mean[c] = mu;
      variance[c] = squares / count;
    }
  },

  batchNormForward(outer, channels, inner, x, mean, inverseStd, gamma, beta, xhat, y) {
    for (let o = 0; o < outer; o++) {
      for (let c = 0; c < channels; c++) {
        for (let i = 0, at = (o * channels + c) * inner; i < inner; i++) {
          xhat[at + i] = (x[at + i] - mean[c]) * inverseStd[c];
          y[at + i] = gamma[c] * xhat[at + i] + beta[c];
        }
      }
    }
  },

  batchNormBackward(outer, channels, inner, xhat, dy, gamma, inverseStd, batchStatistics, dGamma, dBeta, dx) {
    const count = outer * inner;
    for (let c = 0; c < channels; c++) {
      let sumDy = 0;
      let sumDyXhat = 0;
      for (let o = 0; o < outer; o++) {
        for (let i = 0, at = (o * channels + c) * inner; i < inner; i++) {
          sumDy += dy[at + i];
          sumDyXhat += dy[at + i] * xhat[at + i];
        }
      }
      dBeta[c] = sumDy;
      dGamma[c] = sumDyXhat;
      if (!dx) continue;
      const scale = gamma[c] * inverseStd[c];
      for (let o = 0; o < outer; o++) {
        for (let i = 0, at = (o * channels + c) * inner; i < inner; i++) {
          dx[at + i] = batchStatistics
            ? (scale / count) * (count * dy[at + i] - dBeta[c] - xhat[at + i] * dGamma[c])
            : scale * dy[at + i];
        }
      }
    }
  },

  dropout(n, rate, state, x, y, mask) {
    const scale = 1 / (1 - rate);
    for (let i = 0; i < n; i++) {
      // u/2^32 < p, Rng.uniform() < p: exact, as u/2^32 is (a float64 holds 32 bits)
      mask[i] = xoshiro128StarStar(state) / 4294967296 < rate ? 0 : scale;
      y[i] = x[i] * mask[i]; // float32 times float32 is exact in float64, so this rounds once, as float32 multiplication does
    }
  },

  dropoutBackward(n, mask, dy, dx) {
    for (let i = 0; i < n; i++) dx[i] = dy[i] * mask[i];
  },

  ...referenceImageKernels,
};

/** The smallest normal float32, 2^-126. */
const FLT_MIN = 2 ** -126;

/**
 * v as a float32 buffer stores it, but +0 where that is subnormal (|v| < 2^-126; NaN kept): a state
 * decaying towards 0 would otherwise stick at 2^-149 (0.9·2^-149 rounds back to it), and every later
 * operation on it takes x86's slow path for subnormals. The change is below 1.2e-38.
 */
function flushed(v: number): number {
  const stored = Math.fround(v);
  return Math.abs(stored) < FLT_MIN ? 0 : stored;
}

/** C = op(A)·op(B), or C += op(A)·op(B) when accumulating: the four ways round of gemm. */
function product(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  accumulate: boolean,
): void {
  if (!accumulate) c.fill(0, 0, m * n);
  if (!transA && !transB) {
    // C[i,:] += A[i,p] · B[p,:]   (A [m,k], B [k,n]); zero entries of A (blank pixels, dead ReLUs) cost nothing
    for (let i = 0; i < m; i++) {
      const cRow = i * n;
      for (let p = 0; p < k; p++) {
        const aip = a[i * k + p];
        if (aip === 0) continue;
        const bRow = p * n;
        for (let j = 0; j < n; j++) c[cRow + j] += aip * b[bRow + j];
      }
    }
  } else if (transA && !transB) {
    // C[i,:] += A[p,i] · B[p,:]   (A [k,m], B [k,n]): the weight gradient Xᵀ·dY
    for (let p = 0; p < k; p++) {
      const bRow = p * n;
      for (let i = 0; i < m; i++) {
        const api = a[p * m + i];
        if (api === 0) continue;
        const cRow = i * n;
        for (let j = 0; j < n; j++) c[cRow + j] += api * b[bRow + j];
      }
    }
  } else if (!transA && transB) {
    // C[i,j] += Σ_p A[i,p] · B[j,p]   (A [m,k], B [n,k]): row-by-row dot products, dY·Wᵀ
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[i * k + p] * b[j * k + p];
        c[i * n + j] += sum;
      }
    }
  } else {
    // C[i,j] += Σ_p A[p,i] · B[j,p]   (A [k,m], B [n,k])
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[p * m + i] * b[j * k + p];
        c[i * n + j] += sum;
      }
    }
  }
}
