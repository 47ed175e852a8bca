// AssemblyScript, compiled to WebAssembly by `npm run build:wasm` (see package.json); not part of tsc.
//
// The three matrix products of a dense layer, C[m,n] = op(A)·op(B), over f32 row-major matrices that
// live in the shared WebAssembly memory. Every argument named like a matrix is a byte address.
//
// One micro-kernel does the work: a row of C is a weighted sum of rows of B,
//   C[i,:] = Σ_p A[i,p] · B[p,:]
// so the nonzeros of A's row i are first listed (index, value), then each block of 32 columns of C is
// held in eight f32x4 registers while the list is walked. Zero entries of A — blank pixels, dead ReLUs,
// ReLU'd gradients — cost nothing, which is the lever a dense BLAS does not pull. The forward product
// X·W takes its rows two at a time and walks the runs of columns where either row is nonzero instead
// (rowsFromRuns2): a pixel's blank surround is skipped without listing the pixels one by one.
//
// The exported row kernels take a job — the product's fields, written once into the memory by the caller
// at slots named in ../row-job.ts, the one definition of this boundary — and the rows of C to compute.
// `scratch` is caller-owned space for the lists, the pairing order and the rows' nonzero flags, or for a
// padded copy of a narrow B: 64·k + 64 + 12·128 + 1024 bytes (one region per thread; the backend sizes it).

import {
  CHAIN_CLASSES, CHAIN_LAYER_SLOTS, CHAIN_LAYERS, CHAIN_M, CHAIN_SLOTS, GEMM_A, GEMM_ACCUMULATE, GEMM_ACTIVATE, GEMM_B,
  GEMM_BIAS, GEMM_C, GEMM_K, GEMM_M, GEMM_N, GEMM_SLOPE, GEMM_TRANS_A, LAYER_ACTIVATE, LAYER_BIAS, LAYER_INPUT, LAYER_INPUTS,
  LAYER_OUTPUT, LAYER_SLOPE, LAYER_UNITS, LAYER_WEIGHT,
} from '../row-job';

// a·b + c, four lanes. The build makes two modules from this file (package.json, build:wasm): in the one
// compiled with relaxed SIMD this is a fused multiply-add (one instruction, one rounding), which measured
// 1.4× the multiply-adds per second of mul + add in the 2×16 micro-kernel on this project's machines; the
// other keeps the separate multiply and add for engines without relaxed SIMD.
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// Lists the nonzeros of a[0], a[stride], …, a[(k−1)·stride] as byte offsets p·rowBytes into B (at idx)
// and values (at val); returns how many. Contiguous rows skip all-zero groups of four at once.
@inline function listNonzeros(a: usize, stride: usize, k: i32, rowBytes: i32, idx: usize, val: usize): i32 {
  let count = 0;
  let p = 0;
  if (stride == 4) {
    for (; p + 4 <= k; p += 4) {
      const group = v128.load(a + (<usize>p << 2));
      if (!v128.any_true(f32x4.ne(group, f32x4.splat(0)))) continue;
      for (let q = 0; q < 4; q++) {
        const x = load<f32>(a + (<usize>(p + q) << 2));
        store<i32>(idx + (<usize>count << 2), (p + q) * rowBytes);
        store<f32>(val + (<usize>count << 2), x);
        count += i32(x != 0);
      }
    }
  }
  for (; p < k; p++) {
    const x = load<f32>(a + <usize>p * stride);
    store<i32>(idx + (<usize>count << 2), p * rowBytes);
    store<f32>(val + (<usize>count << 2), x);
    count += i32(x != 0);
  }
  return count;
}

// cRow[0..n) (+)= Σ_t val[t] · B[idx[t] + 0..n)  — the micro-kernel, 32 columns per pass.
@inline function rowFromList(count: i32, idx: usize, val: usize, b: usize, n: i32, cRow: usize, accumulate: bool): void {
  let j = 0;
  for (; j + 32 <= n; j += 32) {
    const bj = b + (<usize>j << 2);
    const cj = cRow + (<usize>j << 2);
    let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
    if (accumulate) {
      c0 = v128.load(cj, 0); c1 = v128.load(cj, 16); c2 = v128.load(cj, 32); c3 = v128.load(cj, 48);
      c4 = v128.load(cj, 64); c5 = v128.load(cj, 80); c6 = v128.load(cj, 96); c7 = v128.load(cj, 112);
    }
    for (let t = 0; t < count; t++) {
      const s = v128.load32_splat(val + (<usize>t << 2));
      const bp = bj + <usize>load<i32>(idx + (<usize>t << 2));
      c0 = madd(s, v128.load(bp, 0), c0);
      c1 = madd(s, v128.load(bp, 16), c1);
      c2 = madd(s, v128.load(bp, 32), c2);
      c3 = madd(s, v128.load(bp, 48), c3);
      c4 = madd(s, v128.load(bp, 64), c4);
      c5 = madd(s, v128.load(bp, 80), c5);
      c6 = madd(s, v128.load(bp, 96), c6);
      c7 = madd(s, v128.load(bp, 112), c7);
    }
    v128.store(cj, c0, 0); v128.store(cj, c1, 16); v128.store(cj, c2, 32); v128.store(cj, c3, 48);
    v128.store(cj, c4, 64); v128.store(cj, c5, 80); v128.store(cj, c6, 96); v128.store(cj, c7, 112);
  }
  for (; j + 4 <= n; j += 4) {
    const bj = b + (<usize>j << 2);
    const cj = cRow + (<usize>j << 2);
    let c0 = accumulate ? v128.load(cj) : f32x4.splat(0);
    for (let t = 0; t < count; t++) {
      const s = v128.load32_splat(val + (<usize>t << 2));
      c0 = madd(s, v128.load(bj + <usize>load<i32>(idx + (<usize>t << 2))), c0);
    }
    v128.store(cj, c0);
  }
  for (; j < n; j++) {
    const bj = b + (<usize>j << 2);
    let sum: f32 = accumulate ? load<f32>(cRow + (<usize>j << 2)) : 0;
    for (let t = 0; t < count; t++) {
      sum += load<f32>(val + (<usize>t << 2)) * load<f32>(bj + <usize>load<i32>(idx + (<usize>t << 2)));
    }
    store<f32>(cRow + (<usize>j << 2), sum);
  }
}

// Nonzeros in the four rows last listed by listNonzeros4 (each instance — each thread — has its own).
let nonzerosOfFour = 0;

// Four rows at once: lists every p where any of rows r..r+3 of op(A) is nonzero, with the four values
// side by side (one f32x4 per entry), and counts the nonzeros themselves into nonzerosOfFour.
// Element (row q, column p) sits at a + q·rowStride + p·colStride.
@inline function listNonzeros4(a: usize, rowStride: usize, colStride: usize, k: i32, rowBytes: i32, idx: usize, vals: usize): i32 {
  let count = 0;
  let nonzeros = 0;
  for (let p = 0; p < k; p++) {
    const at = a + <usize>p * colStride;
    const v = rowStride == 4
      ? v128.load(at)
      : f32x4(load<f32>(at), load<f32>(at + rowStride), load<f32>(at + 2 * rowStride), load<f32>(at + 3 * rowStride));
    store<i32>(idx + (<usize>count << 2), p * rowBytes);
    v128.store(vals + (<usize>count << 4), v);
    const mask = i32x4.bitmask(f32x4.ne(v, f32x4.splat(0)));
    count += i32(mask != 0);
    nonzeros += popcnt(mask);
  }
  nonzerosOfFour = nonzeros;
  return count;
}

// C[r..r+3, 0..n) (+)= Σ_t vals[t] ⊗ B[idx[t] + 0..n): a 4-row × 8-column block in eight registers,
// so each vector of B loaded serves four rows.
@inline function rowsFromList4(count: i32, idx: usize, vals: usize, b: usize, n: i32, c: usize, accumulate: bool): void {
  const cStride = <usize>n << 2;
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const bj = b + (<usize>j << 2);
    const cj = c + (<usize>j << 2);
    let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    if (accumulate) {
      c00 = v128.load(cj, 0); c01 = v128.load(cj, 16);
      c10 = v128.load(cj + cStride, 0); c11 = v128.load(cj + cStride, 16);
      c20 = v128.load(cj + 2 * cStride, 0); c21 = v128.load(cj + 2 * cStride, 16);
      c30 = v128.load(cj + 3 * cStride, 0); c31 = v128.load(cj + 3 * cStride, 16);
    }
    for (let t = 0; t < count; t++) {
      const v = v128.load(vals + (<usize>t << 4));
      const bp = bj + <usize>load<i32>(idx + (<usize>t << 2));
      const b0 = v128.load(bp, 0);
      const b1 = v128.load(bp, 16);
      let s = v128.shuffle<f32>(v, v, 0, 0, 0, 0);
      c00 = madd(s, b0, c00); c01 = madd(s, b1, c01);
      s = v128.shuffle<f32>(v, v, 1, 1, 1, 1);
      c10 = madd(s, b0, c10); c11 = madd(s, b1, c11);
      s = v128.shuffle<f32>(v, v, 2, 2, 2, 2);
      c20 = madd(s, b0, c20); c21 = madd(s, b1, c21);
      s = v128.shuffle<f32>(v, v, 3, 3, 3, 3);
      c30 = madd(s, b0, c30); c31 = madd(s, b1, c31);
    }
    v128.store(cj, c00, 0); v128.store(cj, c01, 16);
    v128.store(cj + cStride, c10, 0); v128.store(cj + cStride, c11, 16);
    v128.store(cj + 2 * cStride, c20, 0); v128.store(cj + 2 * cStride, c21, 16);
    v128.store(cj + 3 * cStride, c30, 0); v128.store(cj + 3 * cStride, c31, 16);
  }
  for (; j < n; j++) {
    const bj = b + (<usize>j << 2);
    const cj = c + (<usize>j << 2);
    let sum = accumulate
      ? f32x4(load<f32>(cj), load<f32>(cj + cStride), load<f32>(cj + 2 * cStride), load<f32>(cj + 3 * cStride))
      : f32x4.splat(0);
    for (let t = 0; t < count; t++) {
      const x = f32x4.splat(load<f32>(bj + <usize>load<i32>(idx + (<usize>t << 2))));
      sum = madd(v128.load(vals + (<usize>t << 4)), x, sum);
    }
    store<f32>(cj, f32x4.extract_lane(sum, 0));
    store<f32>(cj + cStride, f32x4.extract_lane(sum, 1));
    store<f32>(cj + 2 * cStride, f32x4.extract_lane(sum, 2));
    store<f32>(cj + 3 * cStride, f32x4.extract_lane(sum, 3));
  }
}

// Bit q set where column p + q of row a is nonzero, for 16 columns from p: the rows' nonzero tests narrowed
// to one i8x16, then its bitmask.
@inline function nonzeroFlags16(a: usize, p: i32): u64 {
  const at = a + (<usize>p << 2);
  const zero = f32x4.splat(0);
  const n0 = f32x4.ne(v128.load(at), zero), n1 = f32x4.ne(v128.load(at, 16), zero);
  const n2 = f32x4.ne(v128.load(at, 32), zero), n3 = f32x4.ne(v128.load(at, 48), zero);
  return <u64>i8x16.bitmask(i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(n0, n1), i16x8.narrow_i32x4_s(n2, n3)));
}

// Writes the nonzero flags of a[0..k) as bits, 64 columns to a word, at flags.
@inline function nonzeroFlags(a: usize, k: i32, flags: usize): void {
  for (let p = 0; p < k; p += 64) {
    let word: u64 = 0;
    if (p + 64 <= k) {
      word = nonzeroFlags16(a, p) | nonzeroFlags16(a, p + 16) << 16 | nonzeroFlags16(a, p + 32) << 32 | nonzeroFlags16(a, p + 48) << 48;
    } else {
      let q = 0;
      for (; p + q + 16 <= k; q += 16) word |= nonzeroFlags16(a, p + q) << <u64>q;
      for (; p + q < k; q++) word |= <u64>(load<f32>(a + (<usize>(p + q) << 2)) != 0) << <u64>q;
    }
    store<u64>(flags + (<usize>p >> 3), word);
  }
}

// Runs of columns where either of two rows is nonzero (flags0, flags1 from nonzeroFlags), as positions at
// runs: start, end (exclusive), start, end, …; returns how many positions (twice the runs). Gaps of one or
// two zero columns inside a word are filled: two zeros multiplied cost less than starting another run.
// A bit of `edges` marks each column where the flag changes, and the edges' indices are the positions.
// `runs` needs room for k + 2 positions.
@inline function listRuns2(flags0: usize, flags1: usize, k: i32, runs: usize): i32 {
  let count = 0;
  let previous: u64 = 0; // the flag of the column before p
  for (let p = 0; p < k; p += 64) {
    const at = <usize>p >> 3;
    const flags = load<u64>(flags0 + at) | load<u64>(flags1 + at);
    // zero q is filled if q−1 and one of q+1, q+2 are set, or q−2 and q+1 are
    const filled = flags | (flags << 1 & (flags >> 1 | flags >> 2)) | (flags << 2 & flags >> 1);
    let edges = filled ^ (filled << 1 | previous);
    previous = filled >> 63;
    while (edges != 0) {
      store<i32>(runs + (<usize>count << 2), p + <i32>ctz(edges));
      count++;
      edges &= edges - 1;
    }
  }
  if (count & 1) {
    store<i32>(runs + (<usize>count << 2), k);
    count++;
  }
  return count;
}

// Rows c and c1 of C (+)= Σ_p (a0[p], a1[p]) ⊗ B[p, 0..n) over the runs' columns p: two rows × sixteen
// columns in eight registers, each vector of B loaded serving both rows, each row's value broadcast straight
// from its row of A. Within a run, p, its row of B and its values all advance by one step.
@inline function rowsFromRuns2(positions: i32, runs: usize, a0: usize, a1: usize, b: usize, n: i32, c: usize, c1: usize, accumulate: bool): void {
  const rowBytes = <usize>n << 2;
  const other = a1 - a0;
  let j = 0;
  // each run as three byte offsets, [start, end) into the rows of A and start into B, for the passes below
  const spans = runs + (<usize>positions << 2) + 16;
  for (let t = 0; t < positions; t += 2) {
    const start = <usize>load<i32>(runs + (<usize>t << 2)), end = <usize>load<i32>(runs + (<usize>t << 2), 4);
    const at = spans + <usize>(t >> 1) * 12;
    store<u32>(at, <u32>(start << 2));
    store<u32>(at, <u32>(end << 2), 4);
    store<u32>(at, <u32>(start * rowBytes), 8);
  }
  const runCount = positions >> 1;
  for (; j + 16 <= n; j += 16) {
    const bj = b + (<usize>j << 2);
    const r0 = c + (<usize>j << 2);
    const r1 = c1 + (<usize>j << 2);
    let c00 = f32x4.splat(0), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    if (accumulate) {
      c00 = v128.load(r0, 0); c01 = v128.load(r0, 16); c02 = v128.load(r0, 32); c03 = v128.load(r0, 48);
      c10 = v128.load(r1, 0); c11 = v128.load(r1, 16); c12 = v128.load(r1, 32); c13 = v128.load(r1, 48);
    }
    for (let at = spans, last = spans + <usize>runCount * 12; at < last; at += 12) {
      const end = a0 + <usize>load<u32>(at, 4);
      let bp = bj + <usize>load<u32>(at, 8);
      for (let x = a0 + <usize>load<u32>(at); x < end; x += 4, bp += rowBytes) {
        const b0 = v128.load(bp, 0), b1 = v128.load(bp, 16), b2 = v128.load(bp, 32), b3 = v128.load(bp, 48);
        let s = v128.load32_splat(x);
        c00 = madd(s, b0, c00); c01 = madd(s, b1, c01);
        c02 = madd(s, b2, c02); c03 = madd(s, b3, c03);
        s = v128.load32_splat(x + other);
        c10 = madd(s, b0, c10); c11 = madd(s, b1, c11);
        c12 = madd(s, b2, c12); c13 = madd(s, b3, c13);
      }
    }
    v128.store(r0, c00, 0); v128.store(r0, c01, 16); v128.store(r0, c02, 32); v128.store(r0, c03, 48);
    v128.store(r1, c10, 0); v128.store(r1, c11, 16); v128.store(r1, c12, 32); v128.store(r1, c13, 48);
  }
  for (; j + 4 <= n; j += 4) {
    const bj = b + (<usize>j << 2);
    const r0 = c + (<usize>j << 2);
    const r1 = c1 + (<usize>j << 2);
    let c00 = accumulate ? v128.load(r0) : f32x4.splat(0);
    let c10 = accumulate ? v128.load(r1) : f32x4.splat(0);
    for (let t = 0; t < positions; t += 2) {
      const start = <usize>load<i32>(runs + (<usize>t << 2));
      const end = a0 + (<usize>load<i32>(runs + (<usize>t << 2), 4) << 2);
      let bp = bj + start * rowBytes;
      for (let x = a0 + (start << 2); x < end; x += 4, bp += rowBytes) {
        const b0 = v128.load(bp);
        c00 = madd(v128.load32_splat(x), b0, c00);
        c10 = madd(v128.load32_splat(x + other), b0, c10);
      }
    }
    v128.store(r0, c00);
    v128.store(r1, c10);
  }
  for (; j < n; j++) {
    const bj = b + (<usize>j << 2);
    let sum0: f32 = accumulate ? load<f32>(c + (<usize>j << 2)) : 0;
    let sum1: f32 = accumulate ? load<f32>(c1 + (<usize>j << 2)) : 0;
    for (let t = 0; t < positions; t += 2) {
      const start = <usize>load<i32>(runs + (<usize>t << 2));
      const end = <usize>load<i32>(runs + (<usize>t << 2), 4);
      for (let p = start; p < end; p++) {
        const x = load<f32>(bj + p * rowBytes);
        sum0 += load<f32>(a0 + (p << 2)) * x;
        sum1 += load<f32>(a0 + other + (p << 2)) * x;
      }
    }
    store<f32>(c + (<usize>j << 2), sum0);
    store<f32>(c1 + (<usize>j << 2), sum1);
  }
}

// For each 4-bit mask, the i8x16.swizzle that moves the i32 lanes it selects to the front, in order.
const COMPACT = memory.data<u8>([
  0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
  0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
  4, 5, 6, 7, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
  0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 0, 1, 2, 3,
  8, 9, 10, 11, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
  0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 0, 1, 2, 3,
  4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 0, 1, 2, 3,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3,
  12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
  0, 1, 2, 3, 12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3,
  4, 5, 6, 7, 12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3,
  0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 0, 1, 2, 3,
  8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3,
  0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3,
  4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
], 16);

// Two rows of X at once (the forward product X·W): lists every p where row a0 or row a1 is nonzero, as a
// byte offset into B (at idx) and the two rows' values (at vals0 and vals1). A group of four columns goes
// in without a branch: its offsets and values are compacted by one swizzle each and stored whole, and the
// count moves on by the number kept (the rest is overwritten next). Each list needs room for k + 4 values.
@inline function listNonzeros2(a0: usize, a1: usize, k: i32, rowBytes: i32, idx: usize, vals0: usize, vals1: usize): i32 {
  let count = 0;
  let p = 0;
  const steps = i32x4(0, rowBytes, 2 * rowBytes, 3 * rowBytes);
  for (; p + 4 <= k; p += 4) {
    const at = <usize>p << 2;
    const x0 = v128.load(a0 + at), x1 = v128.load(a1 + at);
    const nonzero = i32x4.bitmask(f32x4.ne(v128.or(x0, x1), f32x4.splat(0))); // bits set on ±0 still count as 0
    const compact = v128.load(COMPACT + (<usize>nonzero << 4));
    const to = <usize>count << 2;
    v128.store(idx + to, i8x16.swizzle(i32x4.add(i32x4.splat(p * rowBytes), steps), compact));
    v128.store(vals0 + to, i8x16.swizzle(x0, compact));
    v128.store(vals1 + to, i8x16.swizzle(x1, compact));
    count += popcnt(nonzero);
  }
  for (; p < k; p++) {
    const x0 = load<f32>(a0 + (<usize>p << 2));
    const x1 = load<f32>(a1 + (<usize>p << 2));
    store<i32>(idx + (<usize>count << 2), p * rowBytes);
    store<f32>(vals0 + (<usize>count << 2), x0);
    store<f32>(vals1 + (<usize>count << 2), x1);
    count += i32((x0 != 0) | (x1 != 0));
  }
  return count;
}

// Rows c and c1 of C (+)= Σ_t (vals0[t], vals1[t]) ⊗ B[idx[t] + 0..n): two rows × sixteen columns in eight registers,
// each vector of B loaded serving both rows, each row's value broadcast straight from memory.
@inline function rowsFromList2(count: i32, idx: usize, vals0: usize, vals1: usize, b: usize, n: i32, c: usize, c1: usize, accumulate: bool): void {
  let j = 0;
  for (; j + 16 <= n; j += 16) {
    const bj = b + (<usize>j << 2);
    const r0 = c + (<usize>j << 2);
    const r1 = c1 + (<usize>j << 2);
    let c00 = f32x4.splat(0), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    if (accumulate) {
      c00 = v128.load(r0, 0); c01 = v128.load(r0, 16); c02 = v128.load(r0, 32); c03 = v128.load(r0, 48);
      c10 = v128.load(r1, 0); c11 = v128.load(r1, 16); c12 = v128.load(r1, 32); c13 = v128.load(r1, 48);
    }
    for (let t = 0; t < count; t++) {
      const bp = bj + <usize>load<i32>(idx + (<usize>t << 2));
      const b0 = v128.load(bp, 0), b1 = v128.load(bp, 16), b2 = v128.load(bp, 32), b3 = v128.load(bp, 48);
      const at = <usize>t << 2;
      let s = v128.load32_splat(vals0 + at);
      c00 = madd(s, b0, c00); c01 = madd(s, b1, c01);
      c02 = madd(s, b2, c02); c03 = madd(s, b3, c03);
      s = v128.load32_splat(vals1 + at);
      c10 = madd(s, b0, c10); c11 = madd(s, b1, c11);
      c12 = madd(s, b2, c12); c13 = madd(s, b3, c13);
    }
    v128.store(r0, c00, 0); v128.store(r0, c01, 16); v128.store(r0, c02, 32); v128.store(r0, c03, 48);
    v128.store(r1, c10, 0); v128.store(r1, c11, 16); v128.store(r1, c12, 32); v128.store(r1, c13, 48);
  }
  for (; j + 4 <= n; j += 4) {
    const bj = b + (<usize>j << 2);
    const r0 = c + (<usize>j << 2);
    const r1 = c1 + (<usize>j << 2);
    let c00 = accumulate ? v128.load(r0) : f32x4.splat(0);
    let c10 = accumulate ? v128.load(r1) : f32x4.splat(0);
    for (let t = 0; t < count; t++) {
      const b0 = v128.load(bj + <usize>load<i32>(idx + (<usize>t << 2)));
      const at = <usize>t << 2;
      c00 = madd(v128.load32_splat(vals0 + at), b0, c00);
      c10 = madd(v128.load32_splat(vals1 + at), b0, c10);
    }
    v128.store(r0, c00);
    v128.store(r1, c10);
  }
  for (; j < n; j++) {
    const bj = b + (<usize>j << 2);
    let sum0: f32 = accumulate ? load<f32>(c + (<usize>j << 2)) : 0;
    let sum1: f32 = accumulate ? load<f32>(c1 + (<usize>j << 2)) : 0;
    for (let t = 0; t < count; t++) {
      const x = load<f32>(bj + <usize>load<i32>(idx + (<usize>t << 2)));
      sum0 += load<f32>(vals0 + (<usize>t << 2)) * x;
      sum1 += load<f32>(vals1 + (<usize>t << 2)) * x;
    }
    store<f32>(c + (<usize>j << 2), sum0);
    store<f32>(c1 + (<usize>j << 2), sum1);
  }
}

// Rows paired for Y = X·W. A pair walks the union of its two rows' nonzeros, so each row pays for the
// other's: rows should be paired with rows like them. In each window of PAIR_WINDOW rows, the rows are
// sorted by the span of their nonzeros (last − first column) in steps of 32 columns, then by how many
// there are, and taken two by two in that order. Fashion-MNIST test images: the unions hold 1.17× the
// nonzeros (1.19× sorted by span alone, 1.33× paired as they come); the filled gaps of listRuns2 make it
// 1.21×. Choosing each row's partner among the next 4–16 by the size of their union would save 4% more
// of the multiply-adds, but measured 2–6% slower overall.
const PAIR_WINDOW = 128;

// Flags the nonzeros of rows first..first+rows−1 of A (row stride k, columns [0, depth) from a) into
// flags, `words` per row, and writes the rows' indices in the window into order[], sorted by the span of
// their nonzeros (first to last set flag) in steps of 32, then by their count. The rows are read in
// order, once, which the prefetcher follows; the pairs then read them again from the cache.
@inline function flagAndSortRows(a: usize, k: i32, depth: i32, first: i32, rows: i32, flags: usize, words: i32, keys: usize, order: usize): void {
  for (let q = 0; q < rows; q++) {
    const rowFlags = flags + (<usize>(q * words) << 3);
    nonzeroFlags(a + (<usize>(first + q) * <usize>k << 2), depth, rowFlags);
    let lo = 0;
    while (lo < words && load<u64>(rowFlags + (<usize>lo << 3)) == 0) lo++;
    let hi = words - 1;
    while (hi > lo && load<u64>(rowFlags + (<usize>hi << 3)) == 0) hi--;
    const span = lo == words ? 0 : (hi << 6) + 63 - <i32>clz(load<u64>(rowFlags + (<usize>hi << 3))) - (lo << 6) - <i32>ctz(load<u64>(rowFlags + (<usize>lo << 3)));
    let nonzeros: u64 = 0;
    for (let w = lo; w <= hi && w < words; w++) nonzeros += popcnt(load<u64>(rowFlags + (<usize>w << 3)));
    const key = (span >> 5) << 16 | <i32>nonzeros; // depth ≤ 2048 columns here, so the count fits below
    let s = q; // insertion sort: a window is small
    for (; s > 0 && load<i32>(keys + (<usize>(s - 1) << 2)) > key; s--) {
      store<i32>(keys + (<usize>s << 2), load<i32>(keys + (<usize>(s - 1) << 2)));
      store<i32>(order + (<usize>s << 2), load<i32>(order + (<usize>(s - 1) << 2)));
    }
    store<i32>(keys + (<usize>s << 2), key);
    store<i32>(order + (<usize>s << 2), q);
  }
}

// Rows [rowStart, rowEnd) of C (+)= A·B for a narrow C (n < 16: a classifier's output layer), densely: at
// these sizes listing nonzeros costs more than the multiplications it saves. B is first copied into
// `padded` with rows of 4·V floats, V = ⌈n/4⌉, zeros after column n, so that every load is a whole vector;
// then three rows of C at a time are held in 3·V registers while p runs over k.
function narrowProduct(rowStart: i32, rowEnd: i32, n: i32, k: i32, a: usize, b: usize, c: usize, accumulate: bool, padded: usize): void {
  const vectors = (n + 3) >> 2;
  const stride = <usize>vectors << 4;
  for (let p = 0; p < k; p++) {
    const to = padded + <usize>p * stride;
    for (let q = 0; q < vectors; q++) v128.store(to + (<usize>q << 4), f32x4.splat(0));
    memory.copy(to, b + (<usize>(p * n) << 2), <usize>n << 2);
  }
  if (vectors == 1) narrowRows(rowStart, rowEnd, n, k, a, padded, c, accumulate, 1);
  else if (vectors == 2) narrowRows(rowStart, rowEnd, n, k, a, padded, c, accumulate, 2);
  else if (vectors == 3) narrowRows(rowStart, rowEnd, n, k, a, padded, c, accumulate, 3);
  else narrowRows(rowStart, rowEnd, n, k, a, padded, c, accumulate, 4);
}

// narrowProduct's kernel; inlined with a constant V, so the tests on it fold away. Three rows at a time:
// 3·V independent sums, enough to keep both FMA pipes busy (two rows leave them waiting on latency).
@inline function narrowRows(rowStart: i32, rowEnd: i32, n: i32, k: i32, a: usize, b: usize, c: usize, accumulate: bool, V: i32): void {
  const stride = <usize>V << 4;
  const aRow = <usize>k << 2;
  for (let r = rowStart; r < rowEnd; r += 3) {
    const a0 = a + <usize>r * aRow;
    const a1 = r + 1 < rowEnd ? a0 + aRow : a0; // rows past the end repeat the last one, and are not stored
    const a2 = r + 2 < rowEnd ? a1 + aRow : a1;
    let c00 = f32x4.splat(0), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    let c20 = c00, c21 = c00, c22 = c00, c23 = c00;
    let bp = b;
    for (let p = 0; p < k; p++, bp += stride) {
      const at = <usize>p << 2;
      const s0 = v128.load32_splat(a0 + at), s1 = v128.load32_splat(a1 + at), s2 = v128.load32_splat(a2 + at);
      const b0 = v128.load(bp);
      c00 = madd(s0, b0, c00); c10 = madd(s1, b0, c10); c20 = madd(s2, b0, c20);
      if (V > 1) { const b1 = v128.load(bp, 16); c01 = madd(s0, b1, c01); c11 = madd(s1, b1, c11); c21 = madd(s2, b1, c21); }
      if (V > 2) { const b2 = v128.load(bp, 32); c02 = madd(s0, b2, c02); c12 = madd(s1, b2, c12); c22 = madd(s2, b2, c22); }
      if (V > 3) { const b3 = v128.load(bp, 48); c03 = madd(s0, b3, c03); c13 = madd(s1, b3, c13); c23 = madd(s2, b3, c23); }
    }
    finishNarrowRow(c + (<usize>(r * n) << 2), n, c00, c01, c02, c03, accumulate);
    if (r + 1 < rowEnd) finishNarrowRow(c + (<usize>((r + 1) * n) << 2), n, c10, c11, c12, c13, accumulate);
    if (r + 2 < rowEnd) finishNarrowRow(c + (<usize>((r + 2) * n) << 2), n, c20, c21, c22, c23, accumulate);
  }
}

// Stores (or adds) the first n lanes of v0‖v1‖v2‖v3 into a row of C, the partial vector lane by lane.
function finishNarrowRow(row: usize, n: i32, v0: v128, v1: v128, v2: v128, v3: v128, accumulate: bool): void {
  for (let q = 0; q < 4 && q << 2 < n; q++) {
    const v = q == 0 ? v0 : q == 1 ? v1 : q == 2 ? v2 : v3;
    const at = row + (<usize>q << 4);
    if ((q + 1) << 2 <= n) {
      v128.store(at, accumulate ? f32x4.add(v128.load(at), v) : v);
      continue;
    }
    for (let j = 0; j < n - (q << 2); j++) {
      const lane = j == 0 ? f32x4.extract_lane(v, 0) : j == 1 ? f32x4.extract_lane(v, 1) : f32x4.extract_lane(v, 2);
      const to = at + (<usize>j << 2);
      store<f32>(to, accumulate ? load<f32>(to) + lane : lane);
    }
  }
}

// Rows [rowStart, rowEnd) of C (+)= op(A)·B with B stored [k,n]:
//   transA = 0: A stored [m,k], row i of op(A) is contiguous   (Y = X·W)
//   transA = 1: A stored [k,m], row i of op(A) is column i     (dW = Xᵀ·dY)
// For dW = Xᵀ·dY the k dimension is walked in blocks whose rows of B fit in 16 KiB, so B stays in the L1
// cache while every row of C takes its share from it. For Y = X·W the blocks are 512 KiB (the L2 cache):
// a 784×64 weight matrix (200 KiB) is then one block, and each pair of rows walks its runs once and
// keeps its sums in registers over all of them — measured 5% faster than 16 KiB blocks at that shape.
// Then, given a bias (address ≠ 0) or `activate`, the rows are finished: C = act(C + bias).
// The product's fields are the gemm job's at `job` (row-job.ts, which names every slot). Threads split
// the rows of C between them; each passes its own scratch.
export function gemmRows(job: usize, rowStart: i32, rowEnd: i32, scratch: usize): void {
  const n = load<i32>(job + (GEMM_N << 2)), c = <usize>load<u32>(job + (GEMM_C << 2));
  const bias = <usize>load<u32>(job + (GEMM_BIAS << 2)), activate = load<i32>(job + (GEMM_ACTIVATE << 2));
  product(load<i32>(job + (GEMM_TRANS_A << 2)), rowStart, rowEnd, load<i32>(job + (GEMM_M << 2)), n, load<i32>(job + (GEMM_K << 2)),
    <usize>load<u32>(job + (GEMM_A << 2)), <usize>load<u32>(job + (GEMM_B << 2)), c, load<i32>(job + (GEMM_ACCUMULATE << 2)), scratch);
  if (bias != 0 || activate != 0) finishRows(rowStart, rowEnd, n, c, bias, activate != 0, load<f32>(job + (GEMM_SLOPE << 2)));
}

// Rows [rowStart, rowEnd) through a chain of dense layers, each act(X·W + b): the network's forward pass
// in evaluation, one thread's share of the batch, with no hand-off between layers. The chain job at `job`
// (row-job.ts) holds the batch's rows, the layers, where the classes go, then one entry per layer: inputs
// k, units n, the addresses of its input, W, output and bias (0: none), activate and the slope. Given
// classes (≠ 0), each row's class follows: the index of its largest output of the last layer, the first
// one on a tie (i32 each).
export function chainRows(job: usize, rowStart: i32, rowEnd: i32, scratch: usize): void {
  const m = load<i32>(job + (CHAIN_M << 2)), layers = load<i32>(job + (CHAIN_LAYERS << 2));
  const classes = <usize>load<u32>(job + (CHAIN_CLASSES << 2));
  for (let l = 0; l < layers; l++) {
    const at = job + (<usize>(CHAIN_SLOTS + l * CHAIN_LAYER_SLOTS) << 2);
    const n = load<i32>(at + (LAYER_UNITS << 2)), out = <usize>load<u32>(at + (LAYER_OUTPUT << 2));
    const bias = <usize>load<u32>(at + (LAYER_BIAS << 2)), activate = load<i32>(at + (LAYER_ACTIVATE << 2));
    product(0, rowStart, rowEnd, m, n, load<i32>(at + (LAYER_INPUTS << 2)), <usize>load<u32>(at + (LAYER_INPUT << 2)),
      <usize>load<u32>(at + (LAYER_WEIGHT << 2)), out, 0, scratch);
    if (bias != 0 || activate != 0) finishRows(rowStart, rowEnd, n, out, bias, activate != 0, load<f32>(at + (LAYER_SLOPE << 2)));
  }
  if (classes == 0 || layers == 0) return;
  const last = job + (<usize>(CHAIN_SLOTS + (layers - 1) * CHAIN_LAYER_SLOTS) << 2);
  const n = load<i32>(last + (LAYER_UNITS << 2)), out = <usize>load<u32>(last + (LAYER_OUTPUT << 2));
  for (let r = rowStart; r < rowEnd; r++) {
    const row = out + (<usize>r * <usize>n << 2);
    let best = 0;
    let top = load<f32>(row);
    for (let j = 1; j < n; j++) {
      const v = load<f32>(row + (<usize>j << 2));
      if (v > top || (v != v && top == top)) { top = v; best = j; } // the first NaN is the largest, as torch.argmax
    }
    store<i32>(classes + (<usize>r << 2), best);
  }
}

// Rows [rowStart, rowEnd) of C = act(C + bias): the dense layer's bias and activation, applied by the
// thread that just wrote those rows, while they are in its cache. act(v) = v ≤ 0 ? slope·v : v, tested as
// v ≤ 0 (false for NaN) so NaN passes through ReLU, as torch.relu lets it.
function finishRows(rowStart: i32, rowEnd: i32, n: i32, c: usize, bias: usize, activate: bool, slope: f32): void {
  const zero = f32x4.splat(0), slopes = f32x4.splat(slope);
  for (let r = rowStart; r < rowEnd; r++) {
    const row = c + (<usize>r * <usize>n << 2);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const at = row + (<usize>j << 2);
      let v = v128.load(at);
      if (bias != 0) v = f32x4.add(v, v128.load(bias + (<usize>j << 2)));
      if (activate) v = v128.bitselect(slope == 0 ? zero : f32x4.mul(v, slopes), v, f32x4.le(v, zero));
      v128.store(at, v);
    }
    for (; j < n; j++) {
      const at = row + (<usize>j << 2);
      let v = load<f32>(at);
      if (bias != 0) v += load<f32>(bias + (<usize>j << 2));
      if (activate && v <= 0) v = slope == 0 ? 0 : slope * v;
      store<f32>(at, v);
    }
  }
}

// The product itself, rows [rowStart, rowEnd) of C (+)= op(A)·B.
function product(
  transA: i32, rowStart: i32, rowEnd: i32, m: i32, n: i32, k: i32,
  a: usize, b: usize, c: usize, accumulate: i32, scratch: usize,
): void {
  if (!transA && n < 16) return narrowProduct(rowStart, rowEnd, n, k, a, b, c, accumulate != 0, scratch);
  const idx = scratch; // k + 4 offsets, or a pair's runs (k + 2 positions)
  const val = scratch + ((<usize>k << 2) + 31) & ~<usize>15; // k values, or k groups of four (16·k bytes)
  const vals0 = val, vals1 = val + ((<usize>k << 2) + 31) & ~<usize>15; // or the two rows' values of a pair
  const keys = val + (<usize>k << 4) + 64; // PAIR_WINDOW sort keys, then the rows' order (i32 each)
  const order = keys + (PAIR_WINDOW << 2);
  const flags = order + (PAIR_WINDOW << 2); // PAIR_WINDOW rows of ⌈k/64⌉ u64 nonzero flags
  const rowBytes = n << 2;
  const stride: usize = transA ? <usize>m << 2 : 4;
  const block = max(8, ((transA ? 4096 : 131072) / max(n, 1)) & ~3);
  for (let p0 = 0; p0 < k; p0 += block) {
    const depth = min(block, k - p0);
    const adding = accumulate != 0 || p0 > 0;
    const bBlock = b + (<usize>p0 * <usize>n << 2);
    let i = rowStart;
    if (!transA && n >= 64) {
      // Y = X·W: rows in pairs. Two rows waste less on their union of nonzeros than four (pixels: 1.33×
      // the nonzeros against 1.58×, before sorting) and every vector of W loaded still serves two rows.
      const words = (depth + 63) >> 6;
      for (let first = rowStart; first < rowEnd; first += PAIR_WINDOW) {
        const rows = min(PAIR_WINDOW, rowEnd - first);
        flagAndSortRows(a + (<usize>p0 << 2), k, depth, first, rows, flags, words, keys, order);
        for (let q = 0; q + 2 <= rows; q += 2) {
          const q0 = load<i32>(order + (<usize>q << 2)), q1 = load<i32>(order + (<usize>q << 2), 4);
          const r0 = <usize>(first + q0), r1 = <usize>(first + q1);
          const positions = listRuns2(flags + (<usize>(q0 * words) << 3), flags + (<usize>(q1 * words) << 3), depth, idx);
          if (positions == 0 && adding) continue;
          const a0 = a + ((r0 * <usize>k + <usize>p0) << 2), a1 = a + ((r1 * <usize>k + <usize>p0) << 2);
          rowsFromRuns2(positions, idx, a0, a1, bBlock, n, c + (r0 * <usize>n << 2), c + (r1 * <usize>n << 2), adding);
        }
        if (rows & 1) {
          // a lone row (a single image, an odd batch) pairs with itself: the pair kernel, twice the sums,
          // is still faster than the one-row kernel
          const q0 = load<i32>(order + (<usize>(rows - 1) << 2));
          const r = <usize>(first + q0);
          const rowFlags = flags + (<usize>(q0 * words) << 3);
          const positions = listRuns2(rowFlags, rowFlags, depth, idx);
          if (positions == 0 && adding) continue;
          const ar = a + ((r * <usize>k + <usize>p0) << 2), cr = c + (r * <usize>n << 2);
          rowsFromRuns2(positions, idx, ar, ar, bBlock, n, cr, cr, adding);
        }
      }
      continue;
    }
    if (!transA && n >= 16) {
      // Y = X·W for a layer of 16–63 units, its input a ReLU's output: zeros scattered, so runs would be
      // short and the rows' spans alike. Rows are paired as they come, over the list of their nonzeros.
      for (; i + 2 <= rowEnd; i += 2) {
        const a0 = a + ((<usize>i * <usize>k + <usize>p0) << 2);
        const count = listNonzeros2(a0, a0 + (<usize>k << 2), depth, rowBytes, idx, vals0, vals1);
        if (count == 0 && adding) continue;
        rowsFromList2(count, idx, vals0, vals1, bBlock, n, c + (<usize>i * <usize>n << 2), c + (<usize>(i + 1) * <usize>n << 2), adding);
      }
    }
    for (; i + 4 <= rowEnd; i += 4) {
      const aStart = transA ? a + ((<usize>p0 * <usize>m + <usize>i) << 2) : a + ((<usize>i * <usize>k + <usize>p0) << 2);
      const rowStride: usize = transA ? 4 : <usize>k << 2;
      const count = listNonzeros4(aStart, rowStride, stride, depth, rowBytes, idx, val);
      if (count == 0 && adding) continue;
      // The block pays when the rows share their nonzeros (pixels: the digit is in the middle); rows
      // with scattered zeros (ReLU outputs) make the union nearly dense, and wide rows of C then go
      // faster one by one. Measured break-even: union ≤ 3/4 of the nonzeros for n < 128 (dW of the
      // tutorial's first layer: 4% faster than 1/2), ≤ 2/5 above.
      if (n < 128 ? count * 4 <= nonzerosOfFour * 3 : count * 5 <= nonzerosOfFour * 2) {
        rowsFromList4(count, idx, val, bBlock, n, c + (<usize>i * <usize>n << 2), adding);
        continue;
      }
      for (let q = 0; q < 4; q++) {
        const single = listNonzeros(aStart + <usize>q * rowStride, stride, depth, rowBytes, idx, val);
        if (single == 0 && adding) continue;
        rowFromList(single, idx, val, bBlock, n, c + ((<usize>(i + q) * <usize>n) << 2), adding);
      }
    }
    for (; i < rowEnd; i++) {
      const aStart = transA ? a + ((<usize>p0 * <usize>m + <usize>i) << 2) : a + ((<usize>i * <usize>k + <usize>p0) << 2);
      const count = listNonzeros(aStart, stride, depth, rowBytes, idx, val);
      if (count == 0 && adding) continue;
      rowFromList(count, idx, val, bBlock, n, c + (<usize>i * <usize>n << 2), adding);
    }
  }
}

// out[cols, rows] = srcᵀ for src [rows, cols]: turns C = A·Bᵀ into the row kernel's C = A·(Bᵀ).
// Rows [rowStart, rowEnd) of src only, so threads can share the work. 4×4 tiles are transposed in
// registers (two rounds of shuffles); the ragged edges go one value at a time.
export function transpose(rowStart: i32, rowEnd: i32, rows: i32, cols: i32, src: usize, out: usize): void {
  const srcRow = <usize>cols << 2;
  const outRow = <usize>rows << 2;
  let r = rowStart;
  for (; r + 4 <= rowEnd; r += 4) {
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const from = src + <usize>r * srcRow + (<usize>c << 2);
      const r0 = v128.load(from), r1 = v128.load(from + srcRow), r2 = v128.load(from + 2 * srcRow), r3 = v128.load(from + 3 * srcRow);
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const to = out + <usize>c * outRow + (<usize>r << 2);
      v128.store(to, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(to + outRow, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      v128.store(to + 2 * outRow, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      v128.store(to + 3 * outRow, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
    }
    for (; c < cols; c++) {
      for (let q = 0; q < 4; q++) {
        store<f32>(out + <usize>c * outRow + (<usize>(r + q) << 2), load<f32>(src + <usize>(r + q) * srcRow + (<usize>c << 2)));
      }
    }
  }
  for (; r < rowEnd; r++) {
    for (let c = 0; c < cols; c++) {
      store<f32>(out + <usize>c * outRow + (<usize>r << 2), load<f32>(src + <usize>r * srcRow + (<usize>c << 2)));
    }
  }
}
