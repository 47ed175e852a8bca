// scratchnet's native row kernels for Node on x86-64: the products of a dense layer, C = act(A·B + bias)
// and its weight gradient C = Aᵀ·B, and the evaluation chain of dense layers, in C with AVX-512
// (kernels-avx512.c) or AVX2 + FMA (kernels-avx2.c), the set chosen at run time from the CPU's features.
// Built by `npm run build:native` (node-gyp, binding.gyp); loaded by native.ts, which falls back to the
// WebAssembly kernels when the build or the CPU lacks them. The matrices live in the WebAssembly
// backend's shared memory: every address is a byte offset into it, and every call names a job written
// there (src/kernels/wasm/row-job.ts, the one definition of its fields; row-job.h is generated from it),
// as for the wasm kernels (src/kernels/wasm/assembly/gemm.ts, which these follow; read that one for the
// method, the ISA files for what wider vectors change). This file is the Node-API glue: arguments checked
// against the memory, then the instruction set's kernels.
//
// Why it exists: WebAssembly SIMD is 128 bits wide, and V8 gives it sixteen registers. On Fashion-MNIST
// (half the pixels nonzero) skipping zeros in 128-bit lanes only draws level with a BLAS that multiplies
// everything in 512-bit lanes. Here the same method — rows sorted and grouped, walking the runs of
// columns where any of them is nonzero — runs sixteen lanes wide with four rows × 64 columns of sums in
// registers (AVX-512 has 32 of them), or eight lanes wide with four rows × 24 columns (AVX2 has 16).
// Measured (`npm run bench:chain`: the tutorial's network, 784-64-32-10, evaluating Fashion-MNIST on one
// thread): AVX-512 0.91 ms per 1000 images on the machine it was written on; AVX2 0.66–0.76× the wasm
// kernels' time on an AMD EPYC without AVX-512 (Zen 3, a busy 2-core VM: 4.2–5.1 ms against 6.2–7.5 ms).
//
//   C[i,:] = Σ_p A[i,p] · B[p,:]     (a row of C is a weighted sum of rows of B; A's zeros cost nothing)
//
// Both sets give the wasm relaxed-SIMD build's bits: each sum is the same chain of fused multiply-adds, in
// the same order (except that here subnormal operands and results count as zero, see flushSubnormals).
#include <node_api.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include "kernels.h"
#include "row-job.h"
#if HAVE_KERNELS
#include <xmmintrin.h>
#endif

// Subnormal floats (|v| < 2^-126) cost about a hundred cycles per operation on x86 when an operand or
// a result is one: the probabilities of confident predictions underflow into them (e^-90 ≈ 8e-40), and
// with them the gradients the products multiply. While a kernel runs, flush-to-zero (results) and
// denormals-are-zero (operands) treat them as 0; a change below 1.2e-38 in any value. The caller's MXCSR
// is restored on return: the same thread runs JavaScript, whose arithmetic must keep IEEE subnormals.
#define FLUSH_SUBNORMALS 0x8040u // MXCSR bits FTZ (15) and DAZ (6)
static unsigned flushSubnormals(void) {
#if HAVE_KERNELS
  const unsigned saved = _mm_getcsr();
  _mm_setcsr(saved | FLUSH_SUBNORMALS);
  return saved;
#else
  return 0;
#endif
}
static void restoreFloatMode(unsigned saved) {
#if HAVE_KERNELS
  _mm_setcsr(saved);
#else
  (void)saved;
#endif
}

// The instruction sets, the fastest first: their names (as native.ts's NativeIsa) and kernels.
#define ISAS 2
static const char *const isaNames[ISAS] = {"avx512", "avx2"};

// Whether this CPU (and its OS, which must save the wider registers: GCC's check includes that) runs set i.
// BMI1 (tzcnt) comes with AVX2 on every chip, and with it LZCNT and POPCNT.
static int isaRuns(int i) {
#if HAVE_KERNELS
  __builtin_cpu_init();
  if (i == 0) {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
  }
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
#else
  (void)i;
  return 0;
#endif
}

static const IsaKernels *isaKernels(int i) {
#if HAVE_KERNELS
  return i == 0 ? &avx512Kernels : &avx2Kernels;
#else
  (void)i;
  return NULL;
#endif
}

// The WebAssembly memories attached (a backend's memory has one address in every thread: a shared memory
// grows in place), each with the largest length any thread has seen and the instruction set its backend
// runs; every call names its memory by index and is checked against that length.
#define MEMORIES 1024 // backends made in one process (each has its own memory; entries are never reused)
static struct { uint8_t *base; size_t bytes; const IsaKernels *kernels; } memories[MEMORIES];
static pthread_mutex_t attaching = PTHREAD_MUTEX_INITIALIZER; // threads attach their views concurrently

// The index of each row's largest value, the first one on a tie, and the first NaN if the row has one
// (as reference.ts, argmaxRows, and torch.argmax).
static void argmaxRows(int rowStart, int rowEnd, int n, const float *values, int32_t *classes) {
  for (int r = rowStart; r < rowEnd; r++) {
    const float *row = values + (size_t)r * n;
    int best = 0;
    float top = row[0];
    for (int j = 1; j < n; j++) {
      if (row[j] > top || (row[j] != row[j] && top == top)) {
        top = row[j];
        best = j;
      }
    }
    classes[r] = best;
  }
}


// ---- Node-API glue: argument checks against the memory, then the kernels ----

static napi_value fail(napi_env env, const char *message) {
  napi_throw_range_error(env, NULL, message);
  return NULL;
}

// The arguments of gemmRows and chainRows: (memory, job, rowStart, rowEnd, scratch), all integers.
typedef struct {
  uint8_t *heap;
  size_t heapBytes;
  const IsaKernels *kernels;
  int64_t jobAt, rowStart, rowEnd, scratch;
} Call;

// Reads the arguments and points at the memory and its instruction set's kernels.
static int readCall(napi_env env, napi_callback_info info, Call *call) {
  napi_value argv[5];
  size_t argc = 5;
  int64_t v[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5) return 0;
  for (int i = 0; i < 5; i++) {
    if (napi_get_value_int64(env, argv[i], &v[i]) != napi_ok) return 0;
  }
  if (v[0] < 0 || v[0] >= MEMORIES) return 0;
  call->heap = __atomic_load_n(&memories[v[0]].base, __ATOMIC_ACQUIRE);
  call->heapBytes = __atomic_load_n(&memories[v[0]].bytes, __ATOMIC_ACQUIRE);
  call->kernels = __atomic_load_n(&memories[v[0]].kernels, __ATOMIC_ACQUIRE);
  if (!call->heap) return 0;
  call->jobAt = v[1], call->rowStart = v[2], call->rowEnd = v[3], call->scratch = v[4];
  return 1;
}

#define inHeap(at, length) ((at) >= 0 && (length) >= 0 && (uint64_t)((at) + (length)) <= call.heapBytes)

// attach(view, isa) → the memory's index: a Uint8Array over the whole WebAssembly memory (again after it
// grows), and the instruction set its kernels run with ('avx512' or 'avx2').
static napi_value attach(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc = 2;
  napi_typedarray_type type;
  size_t length;
  void *data;
  char name[16];
  size_t nameLength;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array ||
      napi_get_value_string_utf8(env, argv[1], name, sizeof name, &nameLength) != napi_ok) {
    return fail(env, "native kernels: attach takes a Uint8Array over the WebAssembly memory and an instruction set");
  }
  int isa = 0;
  while (isa < ISAS && strcmp(name, isaNames[isa]) != 0) isa++;
  if (isa == ISAS) return fail(env, "native kernels: the instruction set is 'avx512' or 'avx2'");
  if (!isaRuns(isa)) return fail(env, isa == 0 ? "native kernels: this CPU lacks AVX-512 (F, VL, BW, DQ)" : "native kernels: this CPU lacks AVX2 and FMA");
  pthread_mutex_lock(&attaching);
  int id = 0;
  while (id < MEMORIES && memories[id].base && memories[id].base != data) id++;
  if (id < MEMORIES) {
    __atomic_store_n(&memories[id].kernels, isaKernels(isa), __ATOMIC_RELEASE);
    __atomic_store_n(&memories[id].base, (uint8_t *)data, __ATOMIC_RELEASE);
    if (length > memories[id].bytes) __atomic_store_n(&memories[id].bytes, length, __ATOMIC_RELEASE); // a memory only grows
  }
  pthread_mutex_unlock(&attaching);
  if (id == MEMORIES) return fail(env, "native kernels: too many WebAssembly memories attached");
  napi_value result;
  napi_create_int32(env, id, &result);
  return result;
}

// gemmRows(memory, job, rowStart, rowEnd, scratch): rows of the gemm job at `job` (row-job.ts), as the wasm
// export: C (+)= A·B (transA = 0) or Aᵀ·B (transA = 1, A stored [k,m]), then the epilogue.
static napi_value gemmRows(napi_env env, napi_callback_info info) {
  Call call;
  if (!readCall(env, info, &call)) return fail(env, "native kernels: gemmRows takes an attached memory and 4 numbers");
  if (!(call.jobAt % 4 == 0 && inHeap(call.jobAt, 4 * GEMM_SLOTS))) return fail(env, "native kernels: gemmRows job outside the WebAssembly memory");
  const int32_t *job = (const int32_t *)(call.heap + call.jobAt);
  const int64_t transA = job[GEMM_TRANS_A], m = job[GEMM_M], n = job[GEMM_N], k = job[GEMM_K], accumulate = job[GEMM_ACCUMULATE];
  const int64_t a = (uint32_t)job[GEMM_A], b = (uint32_t)job[GEMM_B], c = (uint32_t)job[GEMM_C], bias = (uint32_t)job[GEMM_BIAS];
  const int64_t activate = job[GEMM_ACTIVATE], rowStart = call.rowStart, rowEnd = call.rowEnd, scratch = call.scratch;
  float slope;
  memcpy(&slope, job + GEMM_SLOPE, 4);
  if (!(0 <= rowStart && rowStart <= rowEnd && rowEnd <= m && n > 0 && k > 0 && n < (1 << 24) && k < (1 << 24))) return fail(env, "native kernels: gemmRows rows or shape out of range");
  if (!inHeap(a, 4 * m * k) || !inHeap(b, 4 * k * n) || !inHeap(c, 4 * m * n) || !inHeap(scratch, (int64_t)scratchNeeded((int)k)) || (bias && !inHeap(bias, 4 * n))) {
    return fail(env, "native kernels: gemmRows argument outside the WebAssembly memory");
  }
  if (!call.kernels) return fail(env, "native kernels: this build has no kernels (not x86-64 with GCC or Clang)");
  if (rowStart == rowEnd) return NULL;
  const uint8_t *heap = call.heap;
  float *C = (float *)(heap + c);
  const unsigned floatMode = flushSubnormals();
  if (transA) call.kernels->transposedProduct((int)rowStart, (int)rowEnd, (int)m, (int)n, (int)k, (const float *)(heap + a), (const float *)(heap + b), C, accumulate != 0);
  else call.kernels->product((int)rowStart, (int)rowEnd, (int)n, (int)k, (const float *)(heap + a), (const float *)(heap + b), C, accumulate != 0, call.heap + scratch);
  if (bias || activate) call.kernels->finishRows((int)rowStart, (int)rowEnd, (int)n, C, bias ? (const float *)(heap + bias) : NULL, activate != 0, slope);
  restoreFloatMode(floatMode);
  return NULL;
}

// chainRows(memory, job, rowStart, rowEnd, scratch): rows of the chain job at `job` (row-job.ts), as the
// wasm export: each layer Y = act(X·W + bias) on these rows in turn, then each row's class if asked for.
static napi_value chainRows(napi_env env, napi_callback_info info) {
  Call call;
  if (!readCall(env, info, &call)) return fail(env, "native kernels: chainRows takes an attached memory and 4 numbers");
  if (!(call.jobAt % 4 == 0 && inHeap(call.jobAt, 4 * CHAIN_SLOTS))) return fail(env, "native kernels: chainRows job outside the WebAssembly memory");
  const int32_t *job = (const int32_t *)(call.heap + call.jobAt);
  const int64_t m = job[CHAIN_M], layers = job[CHAIN_LAYERS], classes = (uint32_t)job[CHAIN_CLASSES];
  const int64_t rowStart = call.rowStart, rowEnd = call.rowEnd, scratch = call.scratch;
  if (!(0 <= rowStart && rowStart <= rowEnd && rowEnd <= m && layers >= 0 && layers < 4096)) return fail(env, "native kernels: chainRows rows or layers out of range");
  if (!inHeap(call.jobAt, 4 * (CHAIN_SLOTS + CHAIN_LAYER_SLOTS * layers)) || (classes && !inHeap(classes, 4 * m))) return fail(env, "native kernels: chainRows job or classes outside the WebAssembly memory");
  const int32_t *entries = job + CHAIN_SLOTS;
  for (int64_t l = 0; l < layers; l++) {
    const int32_t *e = entries + CHAIN_LAYER_SLOTS * l;
    const int64_t k = e[LAYER_INPUTS], n = e[LAYER_UNITS];
    const int64_t input = (uint32_t)e[LAYER_INPUT], weight = (uint32_t)e[LAYER_WEIGHT], output = (uint32_t)e[LAYER_OUTPUT], bias = (uint32_t)e[LAYER_BIAS];
    if (!(n > 0 && k > 0 && n < (1 << 24) && k < (1 << 24))) return fail(env, "native kernels: chainRows layer shape out of range");
    if (!inHeap(input, 4 * m * k) || !inHeap(weight, 4 * k * n) || !inHeap(output, 4 * m * n) || (bias && !inHeap(bias, 4 * n)) || !inHeap(scratch, (int64_t)scratchNeeded((int)k))) {
      return fail(env, "native kernels: chainRows layer outside the WebAssembly memory");
    }
  }
  if (!call.kernels) return fail(env, "native kernels: this build has no kernels (not x86-64 with GCC or Clang)");
  if (rowStart == rowEnd) return NULL;
  uint8_t *heap = call.heap;
  const unsigned floatMode = flushSubnormals();
  for (int64_t l = 0; l < layers; l++) {
    const int32_t *e = entries + CHAIN_LAYER_SLOTS * l;
    const int k = e[LAYER_INPUTS], n = e[LAYER_UNITS];
    float *out = (float *)(heap + (uint32_t)e[LAYER_OUTPUT]);
    float slope;
    memcpy(&slope, e + LAYER_SLOPE, 4);
    call.kernels->product((int)rowStart, (int)rowEnd, n, k, (const float *)(heap + (uint32_t)e[LAYER_INPUT]), (const float *)(heap + (uint32_t)e[LAYER_WEIGHT]), out, 0, heap + scratch);
    if (e[LAYER_BIAS] || e[LAYER_ACTIVATE]) {
      call.kernels->finishRows((int)rowStart, (int)rowEnd, n, out, e[LAYER_BIAS] ? (const float *)(heap + (uint32_t)e[LAYER_BIAS]) : NULL, e[LAYER_ACTIVATE] != 0, slope);
    }
  }
  if (classes && layers > 0) {
    const int32_t *e = entries + CHAIN_LAYER_SLOTS * (layers - 1);
    argmaxRows((int)rowStart, (int)rowEnd, e[LAYER_UNITS], (const float *)(heap + (uint32_t)e[LAYER_OUTPUT]), (int32_t *)(heap + classes));
  }
  restoreFloatMode(floatMode);
  return NULL;
}

// isas(): the instruction sets this build has and this CPU runs, the fastest first.
static napi_value isas(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result, name;
  napi_create_array(env, &result);
  uint32_t count = 0;
  for (int i = 0; i < ISAS; i++) {
    if (!isaKernels(i) || !isaRuns(i)) continue;
    napi_create_string_utf8(env, isaNames[i], NAPI_AUTO_LENGTH, &name);
    napi_set_element(env, result, count++, name);
  }
  return result;
}

// layout(): every slot constant of row-job.h, as { GEMM_M: 1, … }, for native.ts to compare with row-job.ts.
static napi_value layout(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result, value;
  napi_create_object(env, &result);
#define FIELD(name)                       \
  napi_create_int32(env, name, &value); \
  napi_set_named_property(env, result, #name, value);
  ROW_JOB_FIELDS(FIELD)
#undef FIELD
  return result;
}

NAPI_MODULE_INIT() {
  const napi_property_descriptor functions[] = {
    {"attach", NULL, attach, NULL, NULL, NULL, napi_default, NULL},
    {"gemmRows", NULL, gemmRows, NULL, NULL, NULL, napi_default, NULL},
    {"chainRows", NULL, chainRows, NULL, NULL, NULL, napi_default, NULL},
    {"isas", NULL, isas, NULL, NULL, NULL, napi_default, NULL},
    {"layout", NULL, layout, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
  return exports;
}
