// AssemblyScript, compiled to WebAssembly by `npm run build:wasm`; not part of tsc.
// Batch normalisation over x [outer, channels, inner] (byte addresses into the shared memory): channel c's
// values are the runs x[o, c, 0..inner) for every o. The equations are those of src/kernels/reference.ts.
//
// Two layouts, two ways to use four lanes:
// - inner = 1 (BatchNorm1d's [batch, features]): a row holds consecutive channels, so four channels go side
//   by side in the lanes and the rows are walked down (each lane is one channel's sum, in the reference's order).
// - inner > 1 (BatchNorm2d's [N, C, H·W]): each run of a channel is contiguous, so the lanes go along it.
//
// Accuracy: every per-channel sum (μ, σ², dβ, dγ) is accumulated in f64 lanes, f32 values promoted (and
// dy·x̂ multiplied in f64, where it is exact), and σ² takes two passes, Σ (x − μ)² after μ, so nothing
// cancels. The f32 rounding of a sum then comes from the final store alone, as in the reference's float64
// sums, for any count a channel can hold. The elementwise passes (x̂, y, dx) are f32, one rounding per operation.

const F32_ZERO = f32x4.splat(0);
const F64_ZERO = f64x2.splat(0);

/** Lanes 0–1 of four f32 as two f64. */
// @ts-ignore: decorator
@inline function low(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}
/** Lanes 2–3 of four f32 as two f64. */
// @ts-ignore: decorator
@inline function high(v: v128): v128 {
  return f64x2.promote_low_f32x4(i64x2.shuffle(v, v, 1, 1));
}
/** Two f64x2 back into four f32 (lo's lanes first). */
// @ts-ignore: decorator
@inline function demote(lo: v128, hi: v128): v128 {
  return i64x2.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 2);
}
/** The sum of a channel's lanes: two f64x2 accumulators and a scalar tail. */
// @ts-ignore: decorator
@inline function total(lo: v128, hi: v128, tail: f64): f64 {
  const both = f64x2.add(lo, hi);
  return f64x2.extract_lane(both, 0) + f64x2.extract_lane(both, 1) + tail;
}

// mean[c] = μ = (1/N) Σ x,  variance[c] = σ² = (1/N) Σ (x − μ)²,  N = outer·inner
export function batchNormStatistics(outer: i32, channels: i32, inner: i32, x: usize, mean: usize, variance: usize): void {
  const count = <f64>outer * <f64>inner;
  if (inner == 1) {
    const rowBytes = <usize>channels << 2;
    const n = f64x2.splat(count);
    let c = 0;
    for (; c + 4 <= channels; c += 4) {
      const first = x + (<usize>c << 2);
      let lo = F64_ZERO,
        hi = F64_ZERO;
      for (let o = 0, at = first; o < outer; o++, at += rowBytes) {
        const v = v128.load(at);
        lo = f64x2.add(lo, low(v));
        hi = f64x2.add(hi, high(v));
      }
      const muLo = f64x2.div(lo, n),
        muHi = f64x2.div(hi, n);
      let squaresLo = F64_ZERO,
        squaresHi = F64_ZERO;
      for (let o = 0, at = first; o < outer; o++, at += rowBytes) {
        const v = v128.load(at);
        const dLo = f64x2.sub(low(v), muLo),
          dHi = f64x2.sub(high(v), muHi);
        squaresLo = f64x2.add(squaresLo, f64x2.mul(dLo, dLo));
        squaresHi = f64x2.add(squaresHi, f64x2.mul(dHi, dHi));
      }
      v128.store(mean + (<usize>c << 2), demote(muLo, muHi));
      v128.store(variance + (<usize>c << 2), demote(f64x2.div(squaresLo, n), f64x2.div(squaresHi, n)));
    }
    for (; c < channels; c++) channelStatistics(outer, channels, 1, c, x, mean, variance, count);
    return;
  }
  for (let c = 0; c < channels; c++) channelStatistics(outer, channels, inner, c, x, mean, variance, count);
}

// One channel's μ and σ², the lanes along each run of `inner` values (inner = 1: one value a run).
function channelStatistics(
  outer: i32,
  channels: i32,
  inner: i32,
  c: i32,
  x: usize,
  mean: usize,
  variance: usize,
  count: f64,
): void {
  const runBytes = <usize>inner << 2;
  const strideBytes = <usize>channels * runBytes;
  const first = x + <usize>c * runBytes;
  let lo = F64_ZERO,
    hi = F64_ZERO,
    tail: f64 = 0;
  for (let o = 0, run = first; o < outer; o++, run += strideBytes) {
    let i = 0;
    for (; i + 4 <= inner; i += 4) {
      const v = v128.load(run + (<usize>i << 2));
      lo = f64x2.add(lo, low(v));
      hi = f64x2.add(hi, high(v));
    }
    for (; i < inner; i++) tail += <f64>load<f32>(run + (<usize>i << 2));
  }
  const mu = total(lo, hi, tail) / count;
  const muLanes = f64x2.splat(mu);
  lo = F64_ZERO;
  hi = F64_ZERO;
  tail = 0;
  for (let o = 0, run = first; o < outer; o++, run += strideBytes) {
    let i = 0;
    for (; i + 4 <= inner; i += 4) {
      const v = v128.load(run + (<usize>i << 2));
      const dLo = f64x2.sub(low(v), muLanes),
        dHi = f64x2.sub(high(v), muLanes);
      lo = f64x2.add(lo, f64x2.mul(dLo, dLo));
      hi = f64x2.add(hi, f64x2.mul(dHi, dHi));
    }
    for (; i < inner; i++) {
      const d = <f64>load<f32>(run + (<usize>i << 2)) - mu;
      tail += d * d;
    }
  }
  store<f32>(mean + (<usize>c << 2), <f32>mu);
  store<f32>(variance + (<usize>c << 2), <f32>(total(lo, hi, tail) / count));
}

// x̂ = (x − μ)·s,  y = γ·x̂ + β, with μ, s = 1/√(σ² + ε), γ, β per channel
export function batchNormForward(
  outer: i32,
  channels: i32,
  inner: i32,
  x: usize,
  mean: usize,
  inverseStd: usize,
  gamma: usize,
  beta: usize,
  xhat: usize,
  y: usize,
): void {
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      const row = <usize>o * <usize>channels << 2;
      let c = 0;
      for (; c + 4 <= channels; c += 4) {
        const k = <usize>c << 2;
        const at = row + k;
        const normalized = f32x4.mul(f32x4.sub(v128.load(x + at), v128.load(mean + k)), v128.load(inverseStd + k));
        v128.store(xhat + at, normalized);
        v128.store(y + at, f32x4.add(f32x4.mul(v128.load(gamma + k), normalized), v128.load(beta + k)));
      }
      for (; c < channels; c++) {
        const k = <usize>c << 2;
        const at = row + k;
        const normalized = (load<f32>(x + at) - load<f32>(mean + k)) * load<f32>(inverseStd + k);
        store<f32>(xhat + at, normalized);
        store<f32>(y + at, load<f32>(gamma + k) * normalized + load<f32>(beta + k));
      }
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const k = <usize>c << 2;
      const mu = load<f32>(mean + k),
        s = load<f32>(inverseStd + k),
        g = load<f32>(gamma + k),
        b = load<f32>(beta + k);
      const muLanes = f32x4.splat(mu),
        sLanes = f32x4.splat(s),
        gLanes = f32x4.splat(g),
        bLanes = f32x4.splat(b);
      const run = (<usize>o * <usize>channels + <usize>c) * <usize>inner << 2;
      let i = 0;
      for (; i + 4 <= inner; i += 4) {
        const at = run + (<usize>i << 2);
        const normalized = f32x4.mul(f32x4.sub(v128.load(x + at), muLanes), sLanes);
        v128.store(xhat + at, normalized);
        v128.store(y + at, f32x4.add(f32x4.mul(gLanes, normalized), bLanes));
      }
      for (; i < inner; i++) {
        const at = run + (<usize>i << 2);
        const normalized = (load<f32>(x + at) - mu) * s;
        store<f32>(xhat + at, normalized);
        store<f32>(y + at, g * normalized + b);
      }
    }
  }
}

// dβ = Σ dy,  dγ = Σ dy·x̂;  dx = γ·s/N · (N·dy − dβ − x̂·dγ) with batch statistics, else γ·s·dy.
// dx = 0: no input gradient wanted. The dx pass takes dβ and dγ as stored (f32), as the reference does.
export function batchNormBackward(
  outer: i32,
  channels: i32,
  inner: i32,
  xhat: usize,
  dy: usize,
  gamma: usize,
  inverseStd: usize,
  batchStatistics: bool,
  dGamma: usize,
  dBeta: usize,
  dx: usize,
): void {
  if (inner == 1) {
    const rowBytes = <usize>channels << 2;
    let c = 0;
    for (; c + 4 <= channels; c += 4) {
      const k = <usize>c << 2;
      let dyLo = F64_ZERO,
        dyHi = F64_ZERO,
        productLo = F64_ZERO,
        productHi = F64_ZERO;
      for (let o = 0, at = k; o < outer; o++, at += rowBytes) {
        const g = v128.load(dy + at),
          h = v128.load(xhat + at);
        dyLo = f64x2.add(dyLo, low(g));
        dyHi = f64x2.add(dyHi, high(g));
        productLo = f64x2.add(productLo, f64x2.mul(low(g), low(h)));
        productHi = f64x2.add(productHi, f64x2.mul(high(g), high(h)));
      }
      const sumDy = demote(dyLo, dyHi),
        sumDyXhat = demote(productLo, productHi);
      v128.store(dBeta + k, sumDy);
      v128.store(dGamma + k, sumDyXhat);
      if (dx == 0) continue;
      const scale = f32x4.mul(v128.load(gamma + k), v128.load(inverseStd + k));
      if (batchStatistics) {
        const n = f32x4.splat(<f32>(<f64>outer));
        const perValue = f32x4.div(scale, n);
        for (let o = 0, at = k; o < outer; o++, at += rowBytes) {
          const centred = f32x4.sub(f32x4.mul(n, v128.load(dy + at)), sumDy);
          v128.store(dx + at, f32x4.mul(perValue, f32x4.sub(centred, f32x4.mul(v128.load(xhat + at), sumDyXhat))));
        }
      } else {
        for (let o = 0, at = k; o < outer; o++, at += rowBytes) v128.store(dx + at, f32x4.mul(scale, v128.load(dy + at)));
      }
    }
    for (; c < channels; c++) channelBackward(outer, channels, 1, c, xhat, dy, gamma, inverseStd, batchStatistics, dGamma, dBeta, dx);
    return;
  }
  for (let c = 0; c < channels; c++) channelBackward(outer, channels, inner, c, xhat, dy, gamma, inverseStd, batchStatistics, dGamma, dBeta, dx);
}

// One channel's dβ, dγ and dx, the lanes along each run of `inner` values.
function channelBackward(
  outer: i32,
  channels: i32,
  inner: i32,
  c: i32,
  xhat: usize,
  dy: usize,
  gamma: usize,
  inverseStd: usize,
  batchStatistics: bool,
  dGamma: usize,
  dBeta: usize,
  dx: usize,
): void {
  const runBytes = <usize>inner << 2;
  const strideBytes = <usize>channels * runBytes;
  const first = <usize>c * runBytes;
  let dyLo = F64_ZERO,
    dyHi = F64_ZERO,
    productLo = F64_ZERO,
    productHi = F64_ZERO,
    dyTail: f64 = 0,
    productTail: f64 = 0;
  for (let o = 0, run = first; o < outer; o++, run += strideBytes) {
    let i = 0;
    for (; i + 4 <= inner; i += 4) {
      const at = run + (<usize>i << 2);
      const g = v128.load(dy + at),
        h = v128.load(xhat + at);
      dyLo = f64x2.add(dyLo, low(g));
      dyHi = f64x2.add(dyHi, high(g));
      productLo = f64x2.add(productLo, f64x2.mul(low(g), low(h)));
      productHi = f64x2.add(productHi, f64x2.mul(high(g), high(h)));
    }
    for (; i < inner; i++) {
      const at = run + (<usize>i << 2);
      const g = <f64>load<f32>(dy + at);
      dyTail += g;
      productTail += g * <f64>load<f32>(xhat + at);
    }
  }
  const k = <usize>c << 2;
  const sumDy = <f32>total(dyLo, dyHi, dyTail),
    sumDyXhat = <f32>total(productLo, productHi, productTail);
  store<f32>(dBeta + k, sumDy);
  store<f32>(dGamma + k, sumDyXhat);
  if (dx == 0) return;
  const scale = load<f32>(gamma + k) * load<f32>(inverseStd + k);
  const scaleLanes = f32x4.splat(scale);
  if (!batchStatistics) {
    for (let o = 0, run = first; o < outer; o++, run += strideBytes) {
      let i = 0;
      for (; i + 4 <= inner; i += 4) v128.store(dx + run + (<usize>i << 2), f32x4.mul(scaleLanes, v128.load(dy + run + (<usize>i << 2))));
      for (; i < inner; i++) store<f32>(dx + run + (<usize>i << 2), scale * load<f32>(dy + run + (<usize>i << 2)));
    }
    return;
  }
  const n = <f32>(<f64>outer * <f64>inner);
  const perValue = scale / n;
  const nLanes = f32x4.splat(n),
    perValueLanes = f32x4.splat(perValue),
    sumDyLanes = f32x4.splat(sumDy),
    sumDyXhatLanes = f32x4.splat(sumDyXhat);
  for (let o = 0, run = first; o < outer; o++, run += strideBytes) {
    let i = 0;
    for (; i + 4 <= inner; i += 4) {
      const at = run + (<usize>i << 2);
      const centred = f32x4.sub(f32x4.mul(nLanes, v128.load(dy + at)), sumDyLanes);
      v128.store(dx + at, f32x4.mul(perValueLanes, f32x4.sub(centred, f32x4.mul(v128.load(xhat + at), sumDyXhatLanes))));
    }
    for (; i < inner; i++) {
      const at = run + (<usize>i << 2);
      store<f32>(dx + at, perValue * (n * load<f32>(dy + at) - sumDy - load<f32>(xhat + at) * sumDyXhat));
    }
  }
}
