// AssemblyScript, compiled to WebAssembly by `npm run build:wasm`; not part of tsc.
// Elementwise kernels and reductions over f32 buffers in the shared memory (byte addresses), four lanes
// at a time with a scalar tail. The equations are those of src/kernels/reference.ts.

const ZERO = f32x4.splat(0);

// out[c] = Σ_r x[r,c]
export function sumRows(rows: i32, cols: i32, x: usize, out: usize): void {
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    let sum = ZERO;
    for (let r = 0; r < rows; r++) sum = f32x4.add(sum, v128.load(x + ((<usize>r * <usize>cols + <usize>c) << 2)));
    v128.store(out + (<usize>c << 2), sum);
  }
  for (; c < cols; c++) {
    let sum: f32 = 0;
    for (let r = 0; r < rows; r++) sum += load<f32>(x + ((<usize>r * <usize>cols + <usize>c) << 2));
    store<f32>(out + (<usize>c << 2), sum);
  }
}

// y = slope·x if x ≤ 0 else x  (slope 0: ReLU, giving +0 for −0). NaN fails x ≤ 0 and passes through, as
// torch.relu and torch's leaky_relu let it.
export function leakyRelu(n: i32, slope: f32, x: usize, y: usize): void {
  const s = f32x4.splat(slope);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const v = v128.load(x + at);
    const nonPositive = f32x4.le(v, ZERO);
    v128.store(y + at, slope == 0 ? v128.andnot(v, nonPositive) : v128.bitselect(f32x4.mul(v, s), v, nonPositive));
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(y + (<usize>i << 2), v <= 0 ? (slope == 0 ? 0 : slope * v) : v);
  }
}

// dx = dy if x > 0 else slope·dy. For NaN x, PyTorch's two backward kernels differ and both are followed:
// ReLU's (threshold_backward: x ≤ 0 ? 0 : dy) passes dy, leaky ReLU's (x > 0 ? dy : slope·dy) gives slope·dy.
export function leakyReluBackward(n: i32, slope: f32, x: usize, dy: usize, dx: usize): void {
  const s = f32x4.splat(slope);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const g = v128.load(dy + at);
    const v = v128.load(x + at);
    v128.store(dx + at, slope == 0 ? v128.andnot(g, f32x4.le(v, ZERO)) : v128.bitselect(g, f32x4.mul(g, s), f32x4.gt(v, ZERO)));
  }
  for (; i < n; i++) {
    const g = load<f32>(dy + (<usize>i << 2));
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(dx + (<usize>i << 2), slope == 0 ? (v <= 0 ? 0 : g) : v > 0 ? g : slope * g);
  }
}

// value −= lr · grad
export function sgdStep(n: i32, lr: f32, grad: usize, value: usize): void {
  const rate = f32x4.splat(lr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    v128.store(value + at, f32x4.sub(v128.load(value + at), f32x4.mul(rate, v128.load(grad + at))));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(value + at, load<f32>(value + at) - lr * load<f32>(grad + at));
  }
}

// The index of the first NaN or ±Inf in x[0..n), or −1. v − v is 0 for a finite v and NaN otherwise,
// so four lanes are finite when (v − v) == 0 in all of them; only a group that fails is looked into.
export function firstNonFinite(n: i32, x: usize): i32 {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    if (!i32x4.all_true(f32x4.eq(f32x4.sub(v, v), zero))) break;
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v - v != 0) return i;
  }
  return -1;
}

// Mean softmax cross-entropy of logits [rows, cols] against labels (i32), with log-sum-exp; writes
// probs and dLogits = (p − onehot) / rows and returns the mean loss (the reference's arithmetic, in f64).
export function softmaxCrossEntropy(rows: i32, cols: i32, logits: usize, labels: usize, probs: usize, dLogits: usize): f64 {
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * <usize>cols << 2;
    const label = load<i32>(labels + (<usize>r << 2));
    let max: f32 = -Infinity;
    for (let c = 0; c < cols; c++) max = Mathf.max(max, load<f32>(logits + row + (<usize>c << 2)));
    let sum: f64 = 0;
    for (let c = 0; c < cols; c++) {
      const e = Math.exp(<f64>load<f32>(logits + row + (<usize>c << 2)) - <f64>max);
      store<f32>(probs + row + (<usize>c << 2), <f32>e);
      sum += e;
    }
    total += Math.log(sum) - (<f64>load<f32>(logits + row + (<usize>label << 2)) - <f64>max);
    for (let c = 0; c < cols; c++) {
      const at = row + (<usize>c << 2);
      const p = <f64>load<f32>(probs + at) / sum;
      store<f32>(probs + at, <f32>p);
      store<f32>(dLogits + at, <f32>((p - (c == label ? 1 : 0)) / <f64>rows));
    }
  }
  return total / <f64>rows;
}

// out[i] = scale · bytes[i]: sixteen bytes widened to four f32x4 per step
export function bytesToFloats(n: i32, bytes: usize, scale: f32, out: usize): void {
  const s = f32x4.splat(scale);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const v = v128.load(bytes + <usize>i);
    const lo = i16x8.extend_low_i8x16_u(v);
    const hi = i16x8.extend_high_i8x16_u(v);
    const at = out + (<usize>i << 2);
    v128.store(at, f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(lo)), s), 0);
    v128.store(at, f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(lo)), s), 16);
    v128.store(at, f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(hi)), s), 32);
    v128.store(at, f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(hi)), s), 48);
  }
  for (; i < n; i++) store<f32>(out + (<usize>i << 2), <f32>load<u8>(bytes + <usize>i) * scale);
}
