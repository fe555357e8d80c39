/*
 * Matrix products through OpenBLAS: C = op(A) . op(B), row-major, with op the identity or the transpose, in float32
 * (sgemm) and float64 (dgemm), one product or a batch of them. Operands are read in place from the typed arrays.
 * OpenBLAS picks its kernel for this CPU at load time (Debian builds it with DYNAMIC_ARCH), so nothing here is
 * CPU-specific; how many threads it runs on is set through `setThreads` (see src/executor.ts for who sets it).
 */
#include <cblas.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "bindings.h"

typedef struct {
  Array a, b, c;
  int64_t m, n, k;
  bool ta, tb;
} Product;

/* Reads the operands and sizes shared by gemm and gemmBatch: A at 0, B at `b_at`, C at `c_at`, then m n k tA tB. */
static bool read_product(Args *args, size_t b_at, size_t c_at, size_t sizes_at, Product *p) {
  if (!read_float_array(args, 0, &p->a) || !read_float_array(args, b_at, &p->b) || !read_float_array(args, c_at, &p->c)) return false;
  if (p->a.type != p->b.type || p->a.type != p->c.type) return type_error(args, "A, B and C must all be Float32Array or all Float64Array");
  return read_index(args, sizes_at, INT_MAX, &p->m) && read_index(args, sizes_at + 1, INT_MAX, &p->n) &&
         read_index(args, sizes_at + 2, INT_MAX, &p->k) && read_flag(args, sizes_at + 3, &p->ta) && read_flag(args, sizes_at + 4, &p->tb);
}

static bool check_ranges(Args *args, const Product *p, int64_t ao, int64_t bo, int64_t co) {
  if (!fits(&p->a, ao, p->m * p->k)) return range_error(args, "A is too short for op(A) [m, k] at its offset");
  if (!fits(&p->b, bo, p->k * p->n)) return range_error(args, "B is too short for op(B) [k, n] at its offset");
  if (!fits(&p->c, co, p->m * p->n)) return range_error(args, "C is too short for [m, n] at its offset");
  return true;
}

/* One product; C's range is overwritten (beta = 0: its previous contents, NaN included, are never read). */
static void run(const Product *p, int64_t ao, int64_t bo, int64_t co) {
  const int m = (int)p->m, n = (int)p->n, k = (int)p->k;
  if (m == 0 || n == 0) return;
  const size_t size = p->c.type == napi_float32_array ? sizeof(float) : sizeof(double);
  if (k == 0) {
    /* An empty sum; BLAS would reject lda = 0 for a transposed A with k = 0, so it is not asked. */
    memset((char *)p->c.data + co * size, 0, (size_t)m * (size_t)n * size);
    return;
  }
  const enum CBLAS_TRANSPOSE ta = p->ta ? CblasTrans : CblasNoTrans, tb = p->tb ? CblasTrans : CblasNoTrans;
  const int lda = p->ta ? m : k, ldb = p->tb ? k : n;
  if (p->c.type == napi_float32_array)
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, (const float *)p->a.data + ao, lda, (const float *)p->b.data + bo, ldb, 0.0f,
                (float *)p->c.data + co, n);
  else
    cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, (const double *)p->a.data + ao, lda, (const double *)p->b.data + bo, ldb, 0.0,
                (double *)p->c.data + co, n);
}

/* gemm(A, ao, B, bo, C, co, m, n, k, transposeA, transposeB) */
napi_value gemm(napi_env env, napi_callback_info info) {
  Args args;
  Product p;
  int64_t ao, bo, co;
  if (!read_args(env, info, "gemm", 11, &args) || !read_product(&args, 2, 4, 6, &p)) return NULL;
  if (!read_index(&args, 1, INT64_MAX / 2, &ao) || !read_index(&args, 3, INT64_MAX / 2, &bo) || !read_index(&args, 5, INT64_MAX / 2, &co))
    return NULL;
  if (!check_ranges(&args, &p, ao, bo, co)) return NULL;
  run(&p, ao, bo, co);
  return NULL;
}

/*
 * gemmBatch(A, aOffsets, B, bOffsets, C, cOffsets, m, n, k, transposeA, transposeB): one product per entry of the
 * offset arrays (Float64Array, one length), all of the same shape; a broadcast operand repeats its offset. OpenBLAS
 * 0.3.21 has no batched call, so this is a loop, which saves a JavaScript-to-C crossing per product.
 */
napi_value gemm_batch(napi_env env, napi_callback_info info) {
  Args args;
  Product p;
  Array offsets[3];
  if (!read_args(env, info, "gemmBatch", 11, &args) || !read_product(&args, 2, 4, 6, &p)) return NULL;
  for (int i = 0; i < 3; i++) {
    if (!read_float_array(&args, 2 * i + 1, &offsets[i])) return NULL;
    if (offsets[i].type != napi_float64_array) return THROW_TYPE(&args, "the offset arrays must be Float64Array");
  }
  const size_t count = offsets[0].length;
  if (offsets[1].length != count || offsets[2].length != count) return THROW_RANGE(&args, "the three offset arrays differ in length");
  const double *ao = offsets[0].data, *bo = offsets[1].data, *co = offsets[2].data;
  for (size_t t = 0; t < count; t++) {
    if (ao[t] != (double)(int64_t)ao[t] || bo[t] != (double)(int64_t)bo[t] || co[t] != (double)(int64_t)co[t])
      return THROW_RANGE(&args, "an offset is not a whole number");
    if (!check_ranges(&args, &p, (int64_t)ao[t], (int64_t)bo[t], (int64_t)co[t])) return NULL;
  }
  for (size_t t = 0; t < count; t++) run(&p, (int64_t)ao[t], (int64_t)bo[t], (int64_t)co[t]);
  return NULL;
}

/* setThreads(n): the number of threads OpenBLAS runs each product on (1 = the calling thread alone). */
napi_value set_threads(napi_env env, napi_callback_info info) {
  Args args;
  int64_t threads;
  if (!read_args(env, info, "setThreads", 1, &args) || !read_index(&args, 0, 1024, &threads)) return NULL;
  if (threads < 1) return THROW_RANGE(&args, "the thread count must be at least 1");
  openblas_set_num_threads((int)threads);
  return NULL;
}

/* threads(): the thread count OpenBLAS uses now. */
napi_value get_threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  napi_create_int32(env, openblas_get_num_threads(), &result);
  return result;
}

/* blasInfo(): OpenBLAS's build configuration and the kernel family it chose for this CPU, e.g. "... Zen". */
napi_value blas_info(napi_env env, napi_callback_info info) {
  (void)info;
  char text[512];
  snprintf(text, sizeof text, "%s (core %s)", openblas_get_config(), openblas_get_corename());
  napi_value result;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &result);
  return result;
}
