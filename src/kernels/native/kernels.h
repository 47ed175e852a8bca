// What the native kernels share: the row kernels each instruction set provides (kernels-avx512.c,
// kernels-avx2.c), the method's constants, and the ISA-independent steps of grouping rows. kernels.c
// picks one set at run time and calls it; the job's fields come from row-job.h (generated from
// src/kernels/wasm/row-job.ts by scripts/build-native.mjs).
#ifndef SCRATCHNET_KERNELS_H
#define SCRATCHNET_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_KERNELS 1
#define INLINE static inline __attribute__((always_inline))
#else
#define HAVE_KERNELS 0
#endif

// Rows sorted together, to be grouped like with like (gemm.ts, PAIR_WINDOW), and columns of A per block:
// one 64-bit word of nonzero flags, whose rows of B (64 × 64 floats = 16 KiB for a 64-unit layer) stay
// in the L1 cache while every group of the window walks them.
#define PAIR_WINDOW 128
#define BLOCK 64

/** Bytes of scratch `product` uses for k columns: flags, sort keys, order. */
static inline size_t scratchNeeded(int k) {
  return (size_t)PAIR_WINDOW * (size_t)((k + 63) >> 6) * 8 + 2 * PAIR_WINDOW * 4;
}

/** One instruction set's row kernels. */
typedef struct {
  // Rows [rowStart, rowEnd) of C (+)= A·B, A [m,k], B [k,n], C [m,n], row-major; scratch: scratchNeeded(k) bytes.
  void (*product)(int rowStart, int rowEnd, int n, int k, const float *a, const float *b, float *c, int accumulate, uint8_t *scratch);
  // Rows [rowStart, rowEnd) of C (+)= Aᵀ·B, A stored [k,m], B [k,n].
  void (*transposedProduct)(int rowStart, int rowEnd, int m, int n, int k, const float *a, const float *b, float *c, int accumulate);
  // Rows [rowStart, rowEnd) of C = act(C + bias) (bias may be NULL), act(v) = v > 0 ? v : slope·v when activate.
  void (*finishRows)(int rowStart, int rowEnd, int n, float *c, const float *bias, int activate, float slope);
} IsaKernels;

#if HAVE_KERNELS
extern const IsaKernels avx512Kernels, avx2Kernels;
#endif

// Gaps of one or two zero columns between nonzeros are filled: multiplying two zeros costs less than
// starting another run (measured in the wasm kernel; the same holds here). Zero q is filled if q−1 and
// one of q+1, q+2 are set, or q−2 and q+1 are (bit q of f: column q nonzero).
static inline uint64_t fillGaps(uint64_t f) {
  return f | ((f << 1) & ((f >> 1) | (f >> 2))) | ((f << 2) & (f >> 1));
}

// Inserts window row q, whose nonzero flags are f[0..words), into order[0..q] sorted by key: the span of
// its nonzeros in steps of 32 columns, then their count, so that rows alike are grouped (gemm.ts,
// flagAndSortRows: the unions then hold 1.17× the nonzeros of Fashion-MNIST images, 1.33× unsorted).
// Insertion sort: a window is small.
static inline void insertRow(int q, const uint64_t *f, int words, int32_t *keys, int32_t *order) {
  int lo = 0, hi = words - 1;
  while (lo < words && f[lo] == 0) lo++;
  while (hi > lo && f[hi] == 0) hi--;
  int span = 0, count = 0;
  if (lo < words) {
    span = (hi << 6) + 63 - __builtin_clzll(f[hi]) - (lo << 6) - __builtin_ctzll(f[lo]);
    for (int w = lo; w <= hi; w++) count += __builtin_popcountll(f[w]);
  }
  const int32_t key = (span >> 5) << 16 | count;
  int s = q;
  for (; s > 0 && keys[s - 1] > key; s--) {
    keys[s] = keys[s - 1];
    order[s] = order[s - 1];
  }
  keys[s] = key;
  order[s] = q;
}

#endif
