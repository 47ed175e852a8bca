// The native row kernels with AVX-512 (F, VL, BW, DQ): 32 registers of sixteen floats, and masks that
// make every column tail a masked load and store. kernels.c says why these exist and calls them where the
// CPU has AVX-512 (or SCRATCHNET_NATIVE_ISA=avx512); kernels-avx2.c is the same method in 256 bits.
//
// Four rows × 64 columns of sums in registers (16 of the 32): every vector of B loaded serves four rows,
// and a group of four rows walks the runs of its union of nonzeros once per 64 columns of C.
#include "kernels.h"

#if HAVE_KERNELS
#define KERNEL __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma,bmi,bmi2,lzcnt,popcnt")))

// Bit q of word w set where A[row, 64w + q] ≠ 0 (NaN counts as nonzero, so it reaches C).
KERNEL static void rowFlags(const float *a, int k, uint64_t *flags) {
  const __m512 zero = _mm512_setzero_ps();
  const int words = (k + 63) >> 6;
  for (int w = 0; w < words; w++) {
    uint64_t word = 0;
    for (int q = 0; q < 4; q++) {
      const int p = (w << 6) + (q << 4);
      if (p >= k) break;
      const __mmask16 valid = p + 16 <= k ? 0xffff : (__mmask16)((1u << (k - p)) - 1);
      const __m512 v = _mm512_maskz_loadu_ps(valid, a + p);
      word |= (uint64_t)_mm512_mask_cmp_ps_mask(valid, v, zero, _CMP_NEQ_UQ) << (q << 4);
    }
    flags[w] = word;
  }
}

// R rows of C, columns [0, 16V) (the last vector masked by `last`), (+)= Σ_p (a[0][p], …, a[R−1][p]) ⊗ B[p, :]
// over the runs of one block (bit p of `runs`): R × V vectors of sixteen sums in registers, each vector
// of B loaded serving every row. `fresh`: C starts at zero instead of its stored values. Four rows (16 of
// the 32 registers) beat two: their union of nonzeros is larger, but half the loads of B remain; on the
// Fashion-MNIST tutorial network, one thread, 0.91 against 0.99 ms per 1000 images (six rows: 0.99).
KERNEL INLINE void groupRuns(const int R, const int V, const __mmask16 last, uint64_t runs, const float *const *a,
                             const float *b, const size_t n, float *const *c, const int fresh) {
  __m512 s[4][4];
  for (int r = 0; r < R; r++) {
    for (int v = 0; v < V; v++) {
      s[r][v] = fresh ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(v == V - 1 ? last : 0xffff, c[r] + 16 * v);
    }
  }
  while (runs) {
    const int start = (int)_tzcnt_u64(runs);
    const uint64_t after = ~(runs >> start); // zero while the run lasts
    const int length = after == 0 ? 64 - start : (int)_tzcnt_u64(after);
    runs = start + length >= 64 ? 0 : runs & (~0ull << (start + length));
    const float *bp = b + (size_t)start * n;
    for (int p = start; p < start + length; p++, bp += n) {
      __m512 w[4];
      for (int v = 0; v < V; v++) w[v] = _mm512_maskz_loadu_ps(v == V - 1 ? last : 0xffff, bp + 16 * v);
      for (int r = 0; r < R; r++) {
        const __m512 x = _mm512_set1_ps(a[r][p]);
        for (int v = 0; v < V; v++) s[r][v] = _mm512_fmadd_ps(x, w[v], s[r][v]);
      }
    }
  }
  for (int r = 0; r < R; r++) { // a lone row is paired with itself (c[1] == c[0]): the same sums twice
    for (int v = 0; v < V; v++) _mm512_mask_storeu_ps(c[r] + 16 * v, v == V - 1 ? last : 0xffff, s[r][v]);
  }
}

// One group of R rows (indices `at` into the window from `first`) through block w of A: the runs of
// their union, then 64 columns of C at a time.
KERNEL INLINE void groupBlock(const int R, const int *at, int first, int w, int words, const uint64_t *flags,
                              const float *a, int k, const float *bBlock, int n, float *c, int fresh) {
  uint64_t union_ = 0;
  for (int r = 0; r < R; r++) union_ |= flags[(size_t)at[r] * words + w];
  const uint64_t runs = fillGaps(union_);
  if (runs == 0 && !fresh) return;
  for (int j = 0; j < n; j += 64) {
    const int cols = n - j < 64 ? n - j : 64;
    const int V = (cols + 15) >> 4;
    const __mmask16 last = (__mmask16)(0xffffu >> (16 * V - cols));
    const float *ar[4];
    float *cr[4];
    for (int r = 0; r < R; r++) {
      ar[r] = a + (size_t)(first + at[r]) * k + w * BLOCK;
      cr[r] = c + (size_t)(first + at[r]) * n + j;
    }
    switch (V) {
      case 4: groupRuns(R, 4, last, runs, ar, bBlock + j, (size_t)n, cr, fresh); break;
      case 3: groupRuns(R, 3, last, runs, ar, bBlock + j, (size_t)n, cr, fresh); break;
      case 2: groupRuns(R, 2, last, runs, ar, bBlock + j, (size_t)n, cr, fresh); break;
      default: groupRuns(R, 1, last, runs, ar, bBlock + j, (size_t)n, cr, fresh); break;
    }
  }
}

#include "product.h" // flagAndSortRows and product, over this file's rowFlags and groupBlock

// Rows [rowStart, rowEnd) of C (+)= Aᵀ·B, A stored [k,m], B [k,n]: the weight gradient dW = Xᵀ·dY, whose
// row p is Σ_i X[i,p] · dY[i,:]. Four rows of C (four adjacent inputs p) at a time, 4 × V sums in
// registers, over the k rows of the batch; a batch row where all four inputs are zero (a blank border
// pixel, four dead ReLUs) is skipped. B (the batch's dY, k × n) is small and stays in the L1 cache.
KERNEL INLINE void transposedRows4(const int V, const __mmask16 last, const float *a, const size_t m,
                                   const float *b, const size_t n, const int k, float *c, const int accumulate) {
  __m512 s[4][4];
  for (int r = 0; r < 4; r++) {
    for (int v = 0; v < V; v++) {
      const __mmask16 mask = v == V - 1 ? last : 0xffff;
      s[r][v] = accumulate ? _mm512_maskz_loadu_ps(mask, c + r * n + 16 * v) : _mm512_setzero_ps();
    }
  }
  const __m128 zero = _mm_setzero_ps();
  for (int i = 0; i < k; i++) {
    const float *x = a + (size_t)i * m;
    if (_mm_movemask_ps(_mm_cmpneq_ps(_mm_loadu_ps(x), zero)) == 0) continue;
    const float *bp = b + (size_t)i * n;
    __m512 w[4];
    for (int v = 0; v < V; v++) w[v] = v == V - 1 ? _mm512_maskz_loadu_ps(last, bp + 16 * v) : _mm512_loadu_ps(bp + 16 * v);
    for (int r = 0; r < 4; r++) {
      const __m512 xr = _mm512_set1_ps(x[r]);
      for (int v = 0; v < V; v++) s[r][v] = _mm512_fmadd_ps(xr, w[v], s[r][v]);
    }
  }
  for (int r = 0; r < 4; r++) {
    for (int v = 0; v < V; v++) _mm512_mask_storeu_ps(c + r * n + 16 * v, v == V - 1 ? last : 0xffff, s[r][v]);
  }
}

KERNEL static void transposedProduct(int rowStart, int rowEnd, int m, int n, int k, const float *a, const float *b, float *c, int accumulate) {
  int p = rowStart;
  for (; p + 4 <= rowEnd; p += 4) {
    for (int j = 0; j < n; j += 64) {
      const int cols = n - j < 64 ? n - j : 64;
      const int V = (cols + 15) >> 4;
      const __mmask16 last = (__mmask16)(0xffffu >> (16 * V - cols));
      float *cp = c + (size_t)p * n + j;
      switch (V) {
        case 4: transposedRows4(4, last, a + p, (size_t)m, b + j, (size_t)n, k, cp, accumulate); break;
        case 3: transposedRows4(3, last, a + p, (size_t)m, b + j, (size_t)n, k, cp, accumulate); break;
        case 2: transposedRows4(2, last, a + p, (size_t)m, b + j, (size_t)n, k, cp, accumulate); break;
        default: transposedRows4(1, last, a + p, (size_t)m, b + j, (size_t)n, k, cp, accumulate); break;
      }
    }
  }
  for (; p < rowEnd; p++) { // the last one to three rows, one at a time
    for (int j = 0; j < n; j += 16) {
      const __mmask16 mask = n - j >= 16 ? 0xffff : (__mmask16)((1u << (n - j)) - 1);
      float *cp = c + (size_t)p * n + j;
      __m512 sum = accumulate ? _mm512_maskz_loadu_ps(mask, cp) : _mm512_setzero_ps();
      for (int i = 0; i < k; i++) {
        const float x = a[(size_t)i * m + p];
        if (x != 0) sum = _mm512_fmadd_ps(_mm512_set1_ps(x), _mm512_maskz_loadu_ps(mask, b + (size_t)i * n + j), sum);
      }
      _mm512_mask_storeu_ps(cp, mask, sum);
    }
  }
}

// Rows [rowStart, rowEnd) of C = act(C + bias): act(v) = v ≤ 0 ? slope·v : v. Tested as v ≤ 0
// (ordered: false for NaN), so NaN passes through ReLU as torch.relu lets it, and as the wasm kernel does.
KERNEL static void finishRows(int rowStart, int rowEnd, int n, float *c, const float *bias, int activate, float slope) {
  const __m512 zero = _mm512_setzero_ps(), slopes = _mm512_set1_ps(slope);
  for (int r = rowStart; r < rowEnd; r++) {
    float *row = c + (size_t)r * n;
    for (int j = 0; j < n; j += 16) {
      const __mmask16 m = n - j >= 16 ? 0xffff : (__mmask16)((1u << (n - j)) - 1);
      __m512 v = _mm512_maskz_loadu_ps(m, row + j);
      if (bias) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, bias + j));
      if (activate) {
        const __mmask16 negative = _mm512_cmp_ps_mask(v, zero, _CMP_LE_OQ); // v ≤ 0, false for NaN
        v = _mm512_mask_mov_ps(v, negative, slope == 0 ? zero : _mm512_mul_ps(v, slopes));
      }
      _mm512_mask_storeu_ps(row + j, m, v);
    }
  }
}

/** The AVX-512 row kernels, for kernels.c. */
const IsaKernels avx512Kernels = {product, transposedProduct, finishRows};

#endif
