// AssemblyScript, compiled to WebAssembly by `npm run build:wasm`; not part of tsc.
// The optimizers' updates, each one pass over a parameter's buffers, four lanes at a time with a scalar
// tail. The equations, and the order of every operation, are those of src/kernels/reference.ts (PyTorch's).
// Everything is f32 with a separate multiply and add (no fused multiply-add in either build), so the
// plain and relaxed modules give the same bits, and a resumed run the same steps. Scalars arrive as f64
// (JavaScript numbers) and are rounded to f32 once; a complement such as 1 − β₁ is computed before the
// rounding, as PyTorch computes it in double before its float kernel.
//
// Subnormals: a state that decays towards 0 (a momentum buffer where a weight's gradient has stopped, such
// as those of nearly blank pixels: 2,518 of the first layer's 200,704 after two epochs of Nesterov on
// MNIST) reaches the smallest subnormal and stays there, since 0.9·2^-149 rounds back to 2^-149. Intel's
// x86 cores then take a microcode slow path for every operation on it, and WebAssembly has no
// flush-to-zero mode. So every value an update writes is flushed: |v| < 2^-126 becomes +0, a change
// below 1.2e-38. NaN fails the comparison and is kept. Measured on the AMD EPYC these notes come from,
// subnormals cost nothing, and the flush costs 3 SIMD operations per value written: the Nesterov kernel
// on 235k values takes 0.28 ms against 0.19 without it, 2–5% of a training step.

import {
  UPDATE_ADAGRAD, UPDATE_ADAM, UPDATE_FIRST, UPDATE_GRAD, UPDATE_KERNEL, UPDATE_MOMENTUM, UPDATE_NESTEROV, UPDATE_RMSPROP,
  UPDATE_SCALARS, UPDATE_SGD_DECAY, UPDATE_STATE, UPDATE_VALUE,
} from '../row-job';

const FLT_MIN: f32 = 1.17549435e-38; // 2^-126, the smallest normal f32

const TINY = f32x4.splat(FLT_MIN);

// v, or +0 where |v| < 2^-126: cleared by an and-not with the lanes where |v| < FLT_MIN, a test NaN
// fails, so NaN is kept (and-ing with |v| ≥ FLT_MIN instead would turn NaN into 0).
// @ts-ignore: decorator
@inline function flush4(v: v128): v128 {
  return v128.andnot(v, f32x4.lt(f32x4.abs(v), TINY));
}
// @ts-ignore: decorator
@inline function flush(v: f32): f32 {
  return Mathf.abs(v) < FLT_MIN ? 0 : v;
}

// θ ← θ − lr·(g + λ·θ)
export function sgdDecayStep(n: i32, lr: f64, decay: f64, grad: usize, value: usize): void {
  const rate = <f32>lr;
  const lambda = <f32>decay;
  const lr4 = f32x4.splat(rate);
  const decay4 = f32x4.splat(lambda);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const theta = v128.load(value + at);
    const g = f32x4.add(v128.load(grad + at), f32x4.mul(decay4, theta));
    v128.store(value + at, flush4(f32x4.sub(theta, f32x4.mul(lr4, g))));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const theta = load<f32>(value + at);
    const g = load<f32>(grad + at) + lambda * theta;
    store<f32>(value + at, flush(theta - rate * g));
  }
}

// g ← ∂L/∂θ + λ·θ;  b ← g on the first step, else μ·b + (1 − τ)·g;
// d ← g + μ·b (Nesterov) or b;  θ ← θ − lr·d
export function momentumStep(
  n: i32,
  lr: f64,
  decay: f64,
  momentum: f64,
  dampening: f64,
  nesterov: bool,
  first: bool,
  grad: usize,
  value: usize,
  buffer: usize,
): void {
  const rate = <f32>lr;
  const lambda = <f32>decay;
  const mu = <f32>momentum;
  const keep = <f32>(1 - dampening);
  const lr4 = f32x4.splat(rate);
  const decay4 = f32x4.splat(lambda);
  const mu4 = f32x4.splat(mu);
  const keep4 = f32x4.splat(keep);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const theta = v128.load(value + at);
    const g = f32x4.add(v128.load(grad + at), f32x4.mul(decay4, theta));
    const b = flush4(first ? g : f32x4.add(f32x4.mul(mu4, v128.load(buffer + at)), f32x4.mul(keep4, g)));
    v128.store(buffer + at, b);
    const d = nesterov ? f32x4.add(g, f32x4.mul(mu4, b)) : b;
    v128.store(value + at, flush4(f32x4.sub(theta, f32x4.mul(lr4, d))));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const theta = load<f32>(value + at);
    const g = load<f32>(grad + at) + lambda * theta;
    const b = flush(first ? g : mu * load<f32>(buffer + at) + keep * g);
    store<f32>(buffer + at, b);
    const d = nesterov ? g + mu * b : b;
    store<f32>(value + at, flush(theta - rate * d));
  }
}

// g ← ∂L/∂θ + λ·θ;  m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g·g;
// θ ← θ·shrink − stepSize·m / (√v · (1 / rootCorrection) + ε)
// (√v / rootCorrection as a product: the divider bounds this pass, and one division fewer per value took a whole
// Adam step on 784-256-128-10 from about 0.57 to 0.44 ms on one thread. The product is within an ulp of the quotient.)
export function adamStep(
  n: i32,
  stepSize: f64,
  rootCorrection: f64,
  beta1: f64,
  beta2: f64,
  eps: f64,
  decay: f64,
  shrink: f64,
  grad: usize,
  value: usize,
  m: usize,
  v: usize,
): void {
  const step = <f32>stepSize;
  const inverseRoot = <f32>(1 / rootCorrection);
  const b1 = <f32>beta1;
  const b2 = <f32>beta2;
  const rest1 = <f32>(1 - beta1);
  const rest2 = <f32>(1 - beta2);
  const epsilon = <f32>eps;
  const lambda = <f32>decay;
  const keep = <f32>shrink;
  const step4 = f32x4.splat(step);
  const inverseRoot4 = f32x4.splat(inverseRoot);
  const b1x4 = f32x4.splat(b1);
  const b2x4 = f32x4.splat(b2);
  const rest1x4 = f32x4.splat(rest1);
  const rest2x4 = f32x4.splat(rest2);
  const eps4 = f32x4.splat(epsilon);
  const decay4 = f32x4.splat(lambda);
  const keep4 = f32x4.splat(keep);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const theta = v128.load(value + at);
    const g = f32x4.add(v128.load(grad + at), f32x4.mul(decay4, theta));
    const mi = flush4(f32x4.add(f32x4.mul(b1x4, v128.load(m + at)), f32x4.mul(rest1x4, g)));
    const vi = flush4(f32x4.add(f32x4.mul(b2x4, v128.load(v + at)), f32x4.mul(f32x4.mul(rest2x4, g), g)));
    v128.store(m + at, mi);
    v128.store(v + at, vi);
    const denominator = f32x4.add(f32x4.mul(f32x4.sqrt(vi), inverseRoot4), eps4);
    const stepped = f32x4.sub(f32x4.mul(theta, keep4), f32x4.div(f32x4.mul(step4, mi), denominator));
    v128.store(value + at, flush4(stepped));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const theta = load<f32>(value + at);
    const g = load<f32>(grad + at) + lambda * theta;
    const mi = flush(b1 * load<f32>(m + at) + rest1 * g);
    const vi = flush(b2 * load<f32>(v + at) + rest2 * g * g);
    store<f32>(m + at, mi);
    store<f32>(v + at, vi);
    store<f32>(value + at, flush(theta * keep - (step * mi) / (Mathf.sqrt(vi) * inverseRoot + epsilon)));
  }
}

// g ← ∂L/∂θ + λ·θ;  s ← α·s + (1 − α)·g·g;  centered (a ≠ 0): a ← α·a + (1 − α)·g, s̃ = s − a·a, else s̃ = s;
// r = √s̃ + ε;  momentum (b ≠ 0): b ← μ·b + g / r, θ ← θ − lr·b;  else θ ← θ − lr·g / r
export function rmspropStep(
  n: i32,
  lr: f64,
  alpha: f64,
  eps: f64,
  decay: f64,
  momentum: f64,
  grad: usize,
  value: usize,
  square: usize,
  average: usize,
  buffer: usize,
): void {
  const rate = <f32>lr;
  const keep = <f32>alpha;
  const rest = <f32>(1 - alpha);
  const epsilon = <f32>eps;
  const lambda = <f32>decay;
  const mu = <f32>momentum;
  const lr4 = f32x4.splat(rate);
  const keep4 = f32x4.splat(keep);
  const rest4 = f32x4.splat(rest);
  const eps4 = f32x4.splat(epsilon);
  const decay4 = f32x4.splat(lambda);
  const mu4 = f32x4.splat(mu);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const theta = v128.load(value + at);
    const g = f32x4.add(v128.load(grad + at), f32x4.mul(decay4, theta));
    const s = flush4(f32x4.add(f32x4.mul(keep4, v128.load(square + at)), f32x4.mul(f32x4.mul(rest4, g), g)));
    v128.store(square + at, s);
    let variance = s;
    if (average) {
      const a = flush4(f32x4.add(f32x4.mul(keep4, v128.load(average + at)), f32x4.mul(rest4, g)));
      v128.store(average + at, a);
      variance = f32x4.sub(s, f32x4.mul(a, a));
    }
    const r = f32x4.add(f32x4.sqrt(variance), eps4);
    let stepped: v128;
    if (buffer) {
      const b = flush4(f32x4.add(f32x4.mul(mu4, v128.load(buffer + at)), f32x4.div(g, r)));
      v128.store(buffer + at, b);
      stepped = f32x4.sub(theta, f32x4.mul(lr4, b));
    } else {
      stepped = f32x4.sub(theta, f32x4.div(f32x4.mul(lr4, g), r));
    }
    v128.store(value + at, flush4(stepped));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const theta = load<f32>(value + at);
    const g = load<f32>(grad + at) + lambda * theta;
    const s = flush(keep * load<f32>(square + at) + rest * g * g);
    store<f32>(square + at, s);
    let variance = s;
    if (average) {
      const a = flush(keep * load<f32>(average + at) + rest * g);
      store<f32>(average + at, a);
      variance = s - a * a;
    }
    const r = Mathf.sqrt(variance) + epsilon;
    let stepped: f32;
    if (buffer) {
      const b = flush(mu * load<f32>(buffer + at) + g / r);
      store<f32>(buffer + at, b);
      stepped = theta - rate * b;
    } else {
      stepped = theta - (rate * g) / r;
    }
    store<f32>(value + at, flush(stepped));
  }
}

// g ← ∂L/∂θ + λ·θ;  s ← s + g·g;  θ ← θ − lr·g / (√s + ε)
export function adagradStep(n: i32, lr: f64, eps: f64, decay: f64, grad: usize, value: usize, sum: usize): void {
  const rate = <f32>lr;
  const epsilon = <f32>eps;
  const lambda = <f32>decay;
  const lr4 = f32x4.splat(rate);
  const eps4 = f32x4.splat(epsilon);
  const decay4 = f32x4.splat(lambda);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const theta = v128.load(value + at);
    const g = f32x4.add(v128.load(grad + at), f32x4.mul(decay4, theta));
    const s = flush4(f32x4.add(v128.load(sum + at), f32x4.mul(g, g)));
    v128.store(sum + at, s);
    v128.store(value + at, flush4(f32x4.sub(theta, f32x4.div(f32x4.mul(lr4, g), f32x4.add(f32x4.sqrt(s), eps4)))));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const theta = load<f32>(value + at);
    const g = load<f32>(grad + at) + lambda * theta;
    const s = flush(load<f32>(sum + at) + g * g);
    store<f32>(sum + at, s);
    store<f32>(value + at, flush(theta - (rate * g) / (Mathf.sqrt(s) + epsilon)));
  }
}

// Σ x²: the square of an f32 is exact in f64 (24 + 24 bits < 53), so the sum is accumulated in f64, two
// f64x2 accumulators; it differs from the reference's f64 sum only by the order of the additions.
export function sumOfSquares(n: i32, x: usize): f64 {
  let low = f64x2.splat(0);
  let high = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const a = f64x2.promote_low_f32x4(v);
    const b = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
    low = f64x2.add(low, f64x2.mul(a, a));
    high = f64x2.add(high, f64x2.mul(b, b));
  }
  const both = f64x2.add(low, high);
  let sum = f64x2.extract_lane(both, 0) + f64x2.extract_lane(both, 1);
  for (; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    sum += v * v;
  }
  return sum;
}

// x ← factor·x
export function scaleInPlace(n: i32, factor: f64, x: usize): void {
  const s = <f32>factor;
  const s4 = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    v128.store(x + at, f32x4.mul(s4, v128.load(x + at)));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(x + at, s * load<f32>(x + at));
  }
}

// Rows [rowStart, rowEnd) of the update job at `job` (../row-job.ts): its kernel on those values of each
// buffer, so that threads can share one parameter's update (`scratch` is unused: the row kernels' form).
export function updateRows(job: usize, rowStart: i32, rowEnd: i32, scratch: usize): void {
  const n = rowEnd - rowStart;
  const at = <usize>rowStart << 2;
  const grad = <usize>load<u32>(job + 4 * UPDATE_GRAD) + at;
  const value = <usize>load<u32>(job + 4 * UPDATE_VALUE) + at;
  const s0 = stateAt(job, 0, at);
  const s1 = stateAt(job, 1, at);
  const s2 = stateAt(job, 2, at);
  const kernel = load<i32>(job + 4 * UPDATE_KERNEL);
  if (kernel == UPDATE_SGD_DECAY) sgdDecayStep(n, scalar(job, 0), scalar(job, 1), grad, value);
  else if (kernel == UPDATE_MOMENTUM) {
    const nesterov = load<i32>(job + 4 * UPDATE_NESTEROV) != 0;
    const first = load<i32>(job + 4 * UPDATE_FIRST) != 0;
    momentumStep(n, scalar(job, 0), scalar(job, 1), scalar(job, 2), scalar(job, 3), nesterov, first, grad, value, s0);
  } else if (kernel == UPDATE_ADAM) {
    adamStep(n, scalar(job, 0), scalar(job, 1), scalar(job, 2), scalar(job, 3), scalar(job, 4), scalar(job, 5), scalar(job, 6), grad, value, s0, s1);
  } else if (kernel == UPDATE_RMSPROP) {
    rmspropStep(n, scalar(job, 0), scalar(job, 1), scalar(job, 2), scalar(job, 3), scalar(job, 4), grad, value, s0, s1, s2);
  } else if (kernel == UPDATE_ADAGRAD) adagradStep(n, scalar(job, 0), scalar(job, 1), scalar(job, 2), grad, value, s0);
}

// The job's i-th scalar.
// @ts-ignore: decorator
@inline function scalar(job: usize, i: i32): f64 {
  return load<f64>(job + 4 * UPDATE_SCALARS + 8 * <usize>i);
}

// The job's i-th state buffer, moved to this share's first value; 0 stays 0 (no such buffer).
// @ts-ignore: decorator
@inline function stateAt(job: usize, i: i32, at: usize): usize {
  const address = <usize>load<u32>(job + 4 * (UPDATE_STATE + <usize>i));
  return address == 0 ? 0 : address + at;
}
