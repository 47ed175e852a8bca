// The native row kernels with AVX2 and FMA: the method of kernels-avx512.c in 256-bit vectors, for the
// CPUs without AVX-512 — every AMD chip before Zen 4, most Intel client chips. kernels.c calls them where
// the CPU has AVX2 and FMA but not AVX-512, or where SCRATCHNET_NATIVE_ISA=avx2 asks for them.
//
// What 256 bits change: sixteen registers of eight floats instead of 32 of sixteen, and no mask
// registers. A group of four rows (the same grouping as AVX-512, so the same unions of nonzeros) keeps
// 4 rows × V vectors of sums, V vectors of B and one broadcast value of A in registers:
// 4·V + V + 1 ≤ 16 gives V = 3, 24 columns of C per walk of the runs (measured against V = 2, the first
// layer of bench:chain: 0.65–0.71× the wasm kernels' time against 0.75–0.82×). Column tails are masked loads
// (vmaskmovps) only where the width is not a multiple of eight, as the masks cost more than a load.
//
// Every sum is the same chain of fused multiply-adds in the same order (p ascending, from 0 or from C) as
// in the AVX-512 and relaxed-SIMD wasm kernels, so the three give the same bits.
#include "kernels.h"

#if HAVE_KERNELS
#define KERNEL __attribute__((target("avx2,fma,bmi,bmi2,lzcnt,popcnt")))
#define VMAX 3 // vectors of sums per row: 4·VMAX + VMAX + 1 ≤ 16 registers
#define COLUMNS (8 * VMAX)

// mask(r) = loadu(LANES + 8 − r): the first r of eight lanes (maskload and maskstore read each lane's sign).
static const int32_t LANES[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

KERNEL INLINE __m256i firstLanes(int r) { return _mm256_loadu_si256((const __m256i *)(LANES + 8 - r)); }

// Vector v of V from p: the last one masked to `last` when `tail` (a width not a multiple of eight).
KERNEL INLINE __m256 loadVector(const float *p, int v, int V, int tail, __m256i last) {
  return tail && v == V - 1 ? _mm256_maskload_ps(p, last) : _mm256_loadu_ps(p);
}
KERNEL INLINE void storeVector(float *p, int v, int V, int tail, __m256i last, __m256 x) {
  if (tail && v == V - 1) _mm256_maskstore_ps(p, last, x);
  else _mm256_storeu_ps(p, x);
}

// Bit q of word w set where A[row, 64w + q] ≠ 0 (NaN counts as nonzero, so it reaches C).
KERNEL static void rowFlags(const float *a, int k, uint64_t *flags) {
  const __m256 zero = _mm256_setzero_ps();
  const int words = (k + 63) >> 6;
  for (int w = 0; w < words; w++) {
    uint64_t word = 0;
    for (int q = 0; q < 8; q++) {
      const int p = (w << 6) + (q << 3);
      if (p >= k) break;
      uint64_t bits = 0;
      if (p + 8 <= k) bits = (uint64_t)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(a + p), zero, _CMP_NEQ_UQ));
      else for (int j = 0; p + j < k; j++) bits |= (uint64_t)(a[p + j] != 0) << j;
      word |= bits << (q << 3);
    }
    flags[w] = word;
  }
}

// R rows of C, columns [0, 8V), (+)= Σ_p (a[0][p], …, a[R−1][p]) ⊗ B[p, :] over the runs of one block
// (bit p of `runs`): R × V vectors of eight sums in registers, each vector of B loaded serving every row.
// `fresh`: C starts at zero instead of its stored values.
KERNEL INLINE void groupRuns(const int R, const int V, const int tail, const __m256i last, uint64_t runs, const float *const *a,
                             const float *b, const size_t n, float *const *c, const int fresh) {
  __m256 s[4][VMAX];
  for (int r = 0; r < R; r++) {
    for (int v = 0; v < V; v++) s[r][v] = fresh ? _mm256_setzero_ps() : loadVector(c[r] + 8 * v, v, V, tail, last);
  }
  while (runs) {
    const int start = (int)_tzcnt_u64(runs);
    const uint64_t after = ~(runs >> start); // zero while the run lasts
    const int length = after == 0 ? 64 - start : (int)_tzcnt_u64(after);
    runs = start + length >= 64 ? 0 : runs & (~0ull << (start + length));
    const float *bp = b + (size_t)start * n;
    for (int p = start; p < start + length; p++, bp += n) {
      __m256 w[VMAX];
      for (int v = 0; v < V; v++) w[v] = loadVector(bp + 8 * v, v, V, tail, last);
      for (int r = 0; r < R; r++) {
        const __m256 x = _mm256_broadcast_ss(a[r] + p);
        for (int v = 0; v < V; v++) s[r][v] = _mm256_fmadd_ps(x, w[v], s[r][v]);
      }
    }
  }
  for (int r = 0; r < R; r++) { // a lone row is paired with itself (c[1] == c[0]): the same sums twice
    for (int v = 0; v < V; v++) storeVector(c[r] + 8 * v, v, V, tail, last, s[r][v]);
  }
}

// One group of R rows (indices `at` into the window from `first`) through block w of A: the runs of
// their union, then COLUMNS columns of C at a time.
KERNEL INLINE void groupBlock(const int R, const int *at, int first, int w, int words, const uint64_t *flags,
                              const float *a, int k, const float *bBlock, int n, float *c, int fresh) {
  uint64_t union_ = 0;
  for (int r = 0; r < R; r++) union_ |= flags[(size_t)at[r] * words + w];
  const uint64_t runs = fillGaps(union_);
  if (runs == 0 && !fresh) return;
  for (int j = 0; j < n; j += COLUMNS) {
    const int cols = n - j < COLUMNS ? n - j : COLUMNS;
    const int V = (cols + 7) >> 3, tail = cols & 7;
    const __m256i last = firstLanes(tail);
    const float *ar[4];
    float *cr[4];
    for (int r = 0; r < R; r++) {
      ar[r] = a + (size_t)(first + at[r]) * k + w * BLOCK;
      cr[r] = c + (size_t)(first + at[r]) * n + j;
    }
    const float *bj = bBlock + j;
    switch (V * 2 + (tail != 0)) { // V and whether it ends in a tail as constants: the loops unroll
#if VMAX >= 3
      case 6: groupRuns(R, 3, 0, last, runs, ar, bj, (size_t)n, cr, fresh); break;
#endif
#if VMAX >= 3
      case 7: groupRuns(R, 3, 1, last, runs, ar, bj, (size_t)n, cr, fresh); break;
#endif
      case 4: groupRuns(R, 2, 0, last, runs, ar, bj, (size_t)n, cr, fresh); break;
      case 5: groupRuns(R, 2, 1, last, runs, ar, bj, (size_t)n, cr, fresh); break;
      case 2: groupRuns(R, 1, 0, last, runs, ar, bj, (size_t)n, cr, fresh); break;
      default: groupRuns(R, 1, 1, last, runs, ar, bj, (size_t)n, cr, fresh); break;
    }
  }
}

#include "product.h" // flagAndSortRows and product, over this file's rowFlags and groupBlock

// Four rows of C = Aᵀ·B (four adjacent inputs p), 4 × V sums in registers, over the k rows of the batch;
// a batch row where all four inputs are zero is skipped (kernels-avx512.c, transposedRows4).
KERNEL INLINE void transposedRows4(const int V, const int tail, const __m256i last, const float *a, const size_t m,
                                   const float *b, const size_t n, const int k, float *c, const int accumulate) {
  __m256 s[4][VMAX];
  for (int r = 0; r < 4; r++) {
    for (int v = 0; v < V; v++) s[r][v] = accumulate ? loadVector(c + r * n + 8 * v, v, V, tail, last) : _mm256_setzero_ps();
  }
  const __m128 zero = _mm_setzero_ps();
  for (int i = 0; i < k; i++) {
    const float *x = a + (size_t)i * m;
    if (_mm_movemask_ps(_mm_cmpneq_ps(_mm_loadu_ps(x), zero)) == 0) continue;
    const float *bp = b + (size_t)i * n;
    __m256 w[VMAX];
    for (int v = 0; v < V; v++) w[v] = loadVector(bp + 8 * v, v, V, tail, last);
    for (int r = 0; r < 4; r++) {
      const __m256 xr = _mm256_broadcast_ss(x + r);
      for (int v = 0; v < V; v++) s[r][v] = _mm256_fmadd_ps(xr, w[v], s[r][v]);
    }
  }
  for (int r = 0; r < 4; r++) {
    for (int v = 0; v < V; v++) storeVector(c + r * n + 8 * v, v, V, tail, last, s[r][v]);
  }
}

// Rows [rowStart, rowEnd) of C (+)= Aᵀ·B, A stored [k,m], B [k,n]: the weight gradient dW = Xᵀ·dY.
KERNEL static void transposedProduct(int rowStart, int rowEnd, int m, int n, int k, const float *a, const float *b, float *c, int accumulate) {
  int p = rowStart;
  for (; p + 4 <= rowEnd; p += 4) {
    for (int j = 0; j < n; j += COLUMNS) {
      const int cols = n - j < COLUMNS ? n - j : COLUMNS;
      const int V = (cols + 7) >> 3, tail = cols & 7;
      const __m256i last = firstLanes(tail);
      const float *ap = a + p, *bj = b + j;
      float *cp = c + (size_t)p * n + j;
      switch (V * 2 + (tail != 0)) {
#if VMAX >= 3
        case 6: transposedRows4(3, 0, last, ap, (size_t)m, bj, (size_t)n, k, cp, accumulate); break;
#endif
#if VMAX >= 3
        case 7: transposedRows4(3, 1, last, ap, (size_t)m, bj, (size_t)n, k, cp, accumulate); break;
#endif
        case 4: transposedRows4(2, 0, last, ap, (size_t)m, bj, (size_t)n, k, cp, accumulate); break;
        case 5: transposedRows4(2, 1, last, ap, (size_t)m, bj, (size_t)n, k, cp, accumulate); break;
        case 2: transposedRows4(1, 0, last, ap, (size_t)m, bj, (size_t)n, k, cp, accumulate); break;
        default: transposedRows4(1, 1, last, ap, (size_t)m, bj, (size_t)n, k, cp, accumulate); break;
      }
    }
  }
  for (; p < rowEnd; p++) { // the last one to three rows, one at a time
    for (int j = 0; j < n; j += 8) {
      const __m256i mask = firstLanes(n - j >= 8 ? 8 : n - j);
      float *cp = c + (size_t)p * n + j;
      __m256 sum = accumulate ? _mm256_maskload_ps(cp, mask) : _mm256_setzero_ps();
      for (int i = 0; i < k; i++) {
        const float x = a[(size_t)i * m + p];
        if (x != 0) sum = _mm256_fmadd_ps(_mm256_set1_ps(x), _mm256_maskload_ps(b + (size_t)i * n + j, mask), sum);
      }
      _mm256_maskstore_ps(cp, mask, sum);
    }
  }
}

// Rows [rowStart, rowEnd) of C = act(C + bias): act(v) = v ≤ 0 ? slope·v : v. Tested as v ≤ 0
// (ordered: false for NaN), so NaN passes through ReLU as torch.relu lets it, and as the wasm kernel does.
KERNEL static void finishRows(int rowStart, int rowEnd, int n, float *c, const float *bias, int activate, float slope) {
  const __m256 zero = _mm256_setzero_ps(), slopes = _mm256_set1_ps(slope);
  for (int r = rowStart; r < rowEnd; r++) {
    float *row = c + (size_t)r * n;
    int j = 0;
    for (; j + 8 <= n; j += 8) {
      __m256 v = _mm256_loadu_ps(row + j);
      if (bias) v = _mm256_add_ps(v, _mm256_loadu_ps(bias + j));
      if (activate) {
        const __m256 negative = _mm256_cmp_ps(v, zero, _CMP_LE_OQ); // v ≤ 0, false for NaN
        v = _mm256_blendv_ps(v, slope == 0 ? zero : _mm256_mul_ps(v, slopes), negative);
      }
      _mm256_storeu_ps(row + j, v);
    }
    for (; j < n; j++) {
      float v = row[j];
      if (bias) v += bias[j];
      if (activate && v <= 0) v = slope == 0 ? 0 : slope * v;
      row[j] = v;
    }
  }
}

/** The AVX2 row kernels, for kernels.c. */
const IsaKernels avx2Kernels = {product, transposedProduct, finishRows};

#endif
