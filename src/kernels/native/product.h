// The ISA-independent driver of the native product C (+)= A·B, shared by kernels-avx512.c and
// kernels-avx2.c: each includes it after defining KERNEL (its target attribute), rowFlags and
// groupBlock, so this code is compiled once per instruction set and inlines that set's primitives.
// Not a header of declarations: include it only there.

// Flags rows first..first+rows−1 and sorts their indices in the window into order[] (kernels.h, insertRow).
KERNEL static void flagAndSortRows(const float *a, int k, int first, int rows, uint64_t *flags, int words, int32_t *keys, int32_t *order) {
  for (int q = 0; q < rows; q++) {
    uint64_t *f = flags + (size_t)q * words;
    rowFlags(a + (size_t)(first + q) * k, k, f);
    insertRow(q, f, words, keys, order);
  }
}

// Rows [rowStart, rowEnd) of C (+)= A·B, A [m,k], B [k,n], C [m,n], all row-major. In each window of
// rows: flag and sort them, then for each block of 64 columns of A (its rows of B stay in the L1 cache)
// every group of four rows walks the runs of its union, a block of columns of C at a time in registers
// (64 with AVX-512, 24 with AVX2).
KERNEL static void product(int rowStart, int rowEnd, int n, int k, const float *a, const float *b, float *c, int accumulate, uint8_t *scratch) {
  const int words = (k + 63) >> 6;
  uint64_t *flags = (uint64_t *)scratch;
  int32_t *keys = (int32_t *)(flags + (size_t)PAIR_WINDOW * words);
  int32_t *order = keys + PAIR_WINDOW;
  for (int first = rowStart; first < rowEnd; first += PAIR_WINDOW) {
    const int rows = rowEnd - first < PAIR_WINDOW ? rowEnd - first : PAIR_WINDOW;
    flagAndSortRows(a, k, first, rows, flags, words, keys, order);
    for (int w = 0; w < words; w++) {
      const float *bBlock = b + (size_t)w * BLOCK * n;
      const int fresh = w == 0 && !accumulate;
      int q = 0;
      for (; q + 4 <= rows; q += 4) groupBlock(4, order + q, first, w, words, flags, a, k, bBlock, n, c, fresh);
      // the last one to three rows (a single image, say) in pairs: a group of four would multiply a
      // repeated row for nothing; a lone row pairs with itself
      for (; q < rows; q += 2) {
        const int at[2] = {order[q], q + 1 < rows ? order[q + 1] : order[q]};
        groupBlock(2, at, first, w, words, flags, a, k, bBlock, n, c, fresh);
      }
    }
  }
}
