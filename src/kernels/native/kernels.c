// scratchnet's native row kernels for Node on x86-64 with AVX-512: the products of a dense layer,
// C = act(A·B + bias) and its weight gradient C = Aᵀ·B, and the evaluation chain of dense layers.
// Built by `npm run build:native` (node-gyp, binding.gyp); loaded by native.ts, which falls back to the
// WebAssembly kernels when the build or the CPU lacks it. The matrices live in the WebAssembly backend's shared memory: every
// address argument is a byte offset into it, as for the wasm kernels (src/kernels/wasm/assembly/gemm.ts,
// which this file follows; read that one for the method, this one for what 512 bits change).
//
// Why it exists: WebAssembly SIMD is 128 bits wide, and V8 gives it sixteen registers. On Fashion-MNIST
// (half the pixels nonzero) skipping zeros in 128-bit lanes only draws level with a BLAS that multiplies
// everything in 512-bit lanes. Here the same method — rows sorted and grouped, walking the runs of
// columns where any of them is nonzero — runs sixteen lanes wide, with four rows × 64 columns of sums
// in registers (AVX-512 has 32 of them).
//
//   C[i,:] = Σ_p A[i,p] · B[p,:]     (a row of C is a weighted sum of rows of B; A's zeros cost nothing)
#include <node_api.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_KERNELS 1
#define KERNEL __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma,bmi,bmi2,lzcnt,popcnt")))
#define INLINE static inline __attribute__((always_inline))
#else
#define HAVE_KERNELS 0
#endif

// The WebAssembly memories attached (a backend's memory has one address in every thread: a shared memory
// grows in place), each with the largest length any thread has seen; every call names its memory by
// index and is checked against that length.
#define MEMORIES 1024 // backends made in one process (each has its own memory; entries are never reused)
static struct { uint8_t *base; size_t bytes; } memories[MEMORIES];
static pthread_mutex_t attaching = PTHREAD_MUTEX_INITIALIZER; // threads attach their views concurrently

// Rows sorted together, to be grouped like with like (gemm.ts, PAIR_WINDOW), and columns of A per block:
// one 64-bit word of nonzero flags, whose rows of B (64 × 64 floats = 16 KiB for a 64-unit layer) stay
// in the L1 cache while every group of the window walks them.
#define PAIR_WINDOW 128
#define BLOCK 64

/** Bytes of scratch `product` uses for k columns: flags, sort keys, order. */
static size_t scratchNeeded(int k) {
  return (size_t)PAIR_WINDOW * (size_t)((k + 63) >> 6) * 8 + 2 * PAIR_WINDOW * 4;
}

#if HAVE_KERNELS

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

// Flags rows first..first+rows−1 and sorts their indices in the window into order[]: by the span of
// their nonzeros in steps of 32 columns, then by their count, so that rows alike are grouped (gemm.ts,
// flagAndSortRows: the unions then hold 1.17× the nonzeros of Fashion-MNIST images, 1.33× unsorted).
KERNEL static void flagAndSortRows(const float *a, int k, int first, int rows, uint64_t *flags, int words, int32_t *keys, int32_t *order) {
  for (int q = 0; q < rows; q++) {
    uint64_t *f = flags + (size_t)q * words;
    rowFlags(a + (size_t)(first + q) * k, k, f);
    int lo = 0, hi = words - 1;
    while (lo < words && f[lo] == 0) lo++;
    while (hi > lo && f[hi] == 0) hi--;
    int span = 0, count = 0;
    if (lo < words) {
      span = (hi << 6) + 63 - __builtin_clzll(f[hi]) - (lo << 6) - __builtin_ctzll(f[lo]);
      for (int w = lo; w <= hi; w++) count += __builtin_popcountll(f[w]);
    }
    const int32_t key = (span >> 5) << 16 | count;
    int s = q; // insertion sort: a window is small
    for (; s > 0 && keys[s - 1] > key; s--) {
      keys[s] = keys[s - 1];
      order[s] = order[s - 1];
    }
    keys[s] = key;
    order[s] = q;
  }
}

// Gaps of one or two zero columns between nonzeros are filled: multiplying two zeros costs less than
// starting another run (measured in the wasm kernel; the same holds here).
static inline uint64_t fillGaps(uint64_t f) {
  return f | ((f << 1) & ((f >> 1) | (f >> 2))) | ((f << 2) & (f >> 1));
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

// Rows [rowStart, rowEnd) of C (+)= A·B, A [m,k], B [k,n], C [m,n], all row-major. In each window of
// rows: flag and sort them, then for each block of 64 columns of A (its rows of B stay in the L1 cache)
// every group of four rows walks the runs of its union, 64 columns of C at a time in registers.
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

// Rows [rowStart, rowEnd) of C = act(C + bias): act(v) = v > 0 ? v : slope·v (NaN stays NaN).
KERNEL static void finishRows(int rowStart, int rowEnd, int n, float *c, const float *bias, int activate, float slope) {
  const __m512 zero = _mm512_setzero_ps(), slopes = _mm512_set1_ps(slope);
  for (int r = rowStart; r < rowEnd; r++) {
    float *row = c + (size_t)r * n;
    for (int j = 0; j < n; j += 16) {
      const __mmask16 m = n - j >= 16 ? 0xffff : (__mmask16)((1u << (n - j)) - 1);
      __m512 v = _mm512_maskz_loadu_ps(m, row + j);
      if (bias) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, bias + j));
      if (activate) {
        const __mmask16 negative = _mm512_cmp_ps_mask(v, zero, _CMP_NGT_UQ); // not v > 0
        v = _mm512_mask_mov_ps(v, negative, slope == 0 ? zero : _mm512_mul_ps(v, slopes));
      }
      _mm512_mask_storeu_ps(row + j, m, v);
    }
  }
}

// The index of each row's largest value, the first one on a tie (as reference.ts, argmaxRows).
static void argmaxRows(int rowStart, int rowEnd, int n, const float *values, int32_t *classes) {
  for (int r = rowStart; r < rowEnd; r++) {
    const float *row = values + (size_t)r * n;
    int best = 0;
    float top = row[0];
    for (int j = 1; j < n; j++) {
      if (row[j] > top) {
        top = row[j];
        best = j;
      }
    }
    classes[r] = best;
  }
}

#endif

// ---- Node-API glue: argument checks against the memory, then the kernels ----

static napi_value fail(napi_env env, const char *message) {
  napi_throw_range_error(env, NULL, message);
  return NULL;
}

// Reads `count` numbers after the memory index into out (the last as a double when `last` is given),
// and points heap, heapBytes at that memory.
static int readArgs(napi_env env, napi_callback_info info, size_t count, int64_t *out, double *last, uint8_t **heap, size_t *heapBytes) {
  napi_value argv[17];
  size_t argc = 17;
  int64_t id;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < count + 1) return 0;
  if (napi_get_value_int64(env, argv[0], &id) != napi_ok || id < 0 || id >= MEMORIES) return 0;
  *heap = __atomic_load_n(&memories[id].base, __ATOMIC_ACQUIRE);
  *heapBytes = __atomic_load_n(&memories[id].bytes, __ATOMIC_ACQUIRE);
  if (!*heap) return 0;
  for (size_t i = 0; i < count; i++) {
    if (last && i == count - 1) {
      if (napi_get_value_double(env, argv[i + 1], last) != napi_ok) return 0;
    } else if (napi_get_value_int64(env, argv[i + 1], &out[i]) != napi_ok) {
      return 0;
    }
  }
  return 1;
}

#define inHeap(at, length) ((at) >= 0 && (length) >= 0 && (uint64_t)((at) + (length)) <= heapBytes)

// attach(view) → the memory's index: a Uint8Array over the whole WebAssembly memory (again after it grows).
static napi_value attach(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    return fail(env, "native kernels: attach takes a Uint8Array over the WebAssembly memory");
  }
  pthread_mutex_lock(&attaching);
  int id = 0;
  while (id < MEMORIES && memories[id].base && memories[id].base != data) id++;
  if (id < MEMORIES) {
    __atomic_store_n(&memories[id].base, (uint8_t *)data, __ATOMIC_RELEASE);
    if (length > memories[id].bytes) __atomic_store_n(&memories[id].bytes, length, __ATOMIC_RELEASE); // a memory only grows
  }
  pthread_mutex_unlock(&attaching);
  if (id == MEMORIES) return fail(env, "native kernels: too many WebAssembly memories attached");
  napi_value result;
  napi_create_int32(env, id, &result);
  return result;
}

// gemmRows(memory, transA, rowStart, rowEnd, m, n, k, a, b, c, accumulate, scratch, bias, activate, slope): as the
// wasm export: C (+)= A·B (transA = 0) or Aᵀ·B (transA = 1, A stored [k,m]), then the epilogue.
static napi_value gemmRows(napi_env env, napi_callback_info info) {
  int64_t v[14];
  double slope;
  uint8_t *heap;
  size_t heapBytes;
  if (!readArgs(env, info, 14, v, &slope, &heap, &heapBytes)) return fail(env, "native kernels: gemmRows takes an attached memory and 14 numbers");
  const int64_t transA = v[0], rowStart = v[1], rowEnd = v[2], m = v[3], n = v[4], k = v[5];
  const int64_t a = v[6], b = v[7], c = v[8], accumulate = v[9], scratch = v[10], bias = v[11], activate = v[12];
  if (!(0 <= rowStart && rowStart <= rowEnd && rowEnd <= m && n > 0 && k > 0 && n < (1 << 24) && k < (1 << 24))) return fail(env, "native kernels: gemmRows rows or shape out of range");
  if (!inHeap(a, 4 * m * k) || !inHeap(b, 4 * k * n) || !inHeap(c, 4 * m * n) || !inHeap(scratch, (int64_t)scratchNeeded((int)k)) || (bias && !inHeap(bias, 4 * n))) {
    return fail(env, "native kernels: gemmRows argument outside the WebAssembly memory");
  }
#if !HAVE_KERNELS
  return fail(env, "native kernels: this build has no kernels (not x86-64 with GCC or Clang)");
#else
  if (rowStart == rowEnd) return NULL;
  float *C = (float *)(heap + c);
  if (transA) transposedProduct((int)rowStart, (int)rowEnd, (int)m, (int)n, (int)k, (const float *)(heap + a), (const float *)(heap + b), C, accumulate != 0);
  else product((int)rowStart, (int)rowEnd, (int)n, (int)k, (const float *)(heap + a), (const float *)(heap + b), C, accumulate != 0, heap + scratch);
  if (bias || activate) finishRows((int)rowStart, (int)rowEnd, (int)n, C, bias ? (const float *)(heap + bias) : NULL, activate != 0, (float)slope);
#endif
  return NULL;
}

// chainRows(memory, rowStart, rowEnd, m, table, layers, scratch, classes): as the wasm export. The table holds
// eight 32-bit fields per layer: inputs k, units n, the addresses of its input, W, output and bias
// (0: none), activate (0 or 1), the slope (f32).
static napi_value chainRows(napi_env env, napi_callback_info info) {
  int64_t v[7];
  uint8_t *heap;
  size_t heapBytes;
  if (!readArgs(env, info, 7, v, NULL, &heap, &heapBytes)) return fail(env, "native kernels: chainRows takes an attached memory and 7 numbers");
  const int64_t rowStart = v[0], rowEnd = v[1], m = v[2], table = v[3], layers = v[4], scratch = v[5], classes = v[6];
  if (!(0 <= rowStart && rowStart <= rowEnd && rowEnd <= m && layers >= 0 && layers < 4096)) return fail(env, "native kernels: chainRows rows or layers out of range");
  if (!inHeap(table, 32 * layers) || (classes && !inHeap(classes, 4 * m))) return fail(env, "native kernels: chainRows table or classes outside the WebAssembly memory");
  const int32_t *entries = (const int32_t *)(heap + table);
  for (int64_t l = 0; l < layers; l++) {
    const int32_t *e = entries + 8 * l;
    const int64_t k = e[0], n = e[1];
    const int64_t input = (uint32_t)e[2], weight = (uint32_t)e[3], output = (uint32_t)e[4], bias = (uint32_t)e[5];
    if (!(n > 0 && k > 0 && n < (1 << 24) && k < (1 << 24))) return fail(env, "native kernels: chainRows layer shape out of range");
    if (!inHeap(input, 4 * m * k) || !inHeap(weight, 4 * k * n) || !inHeap(output, 4 * m * n) || (bias && !inHeap(bias, 4 * n)) || !inHeap(scratch, (int64_t)scratchNeeded((int)k))) {
      return fail(env, "native kernels: chainRows layer outside the WebAssembly memory");
    }
  }
#if !HAVE_KERNELS
  return fail(env, "native kernels: this build has no kernels (not x86-64 with GCC or Clang)");
#else
  if (rowStart == rowEnd) return NULL;
  for (int64_t l = 0; l < layers; l++) {
    const int32_t *e = entries + 8 * l;
    const int k = e[0], n = e[1];
    float *out = (float *)(heap + (uint32_t)e[4]);
    float slope;
    memcpy(&slope, e + 7, 4);
    product((int)rowStart, (int)rowEnd, n, k, (const float *)(heap + (uint32_t)e[2]), (const float *)(heap + (uint32_t)e[3]), out, 0, heap + scratch);
    if (e[5] || e[6]) finishRows((int)rowStart, (int)rowEnd, n, out, e[5] ? (const float *)(heap + (uint32_t)e[5]) : NULL, e[6] != 0, slope);
  }
  if (classes && layers > 0) {
    const int32_t *e = entries + 8 * (layers - 1);
    argmaxRows((int)rowStart, (int)rowEnd, e[1], (const float *)(heap + (uint32_t)e[4]), (int32_t *)(heap + classes));
  }
#endif
  return NULL;
}

// supported(): whether this build has the kernels and this CPU runs them.
static napi_value supported(napi_env env, napi_callback_info info) {
  (void)info;
  int yes = 0;
#if HAVE_KERNELS
  __builtin_cpu_init();
  yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
#endif
  napi_value result;
  napi_get_boolean(env, yes, &result);
  return result;
}

NAPI_MODULE_INIT() {
  const napi_property_descriptor functions[] = {
    {"attach", NULL, attach, NULL, NULL, NULL, napi_default, NULL},
    {"gemmRows", NULL, gemmRows, NULL, NULL, NULL, napi_default, NULL},
    {"chainRows", NULL, chainRows, NULL, NULL, NULL, napi_default, NULL},
    {"supported", NULL, supported, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
  return exports;
}
