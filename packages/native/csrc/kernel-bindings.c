/*
 * The elementwise and reduction kernels as JavaScript functions. Each takes typed arrays of one float dtype and
 * writes into the output array it is given (nothing is allocated here), or returns a number for a full reduction.
 *   unary.<name>(x, out)
 *   binary.<name>(a, b, out, rows, len, sa, sb, aOff, bOff)      (core's BroadcastPlan)
 *   sumAll(x), sumOfProducts(a, b), extremeAll(x, min)
 *   sumAxis(x, out, outer, n, inner), extremeAxis(x, out, outer, n, inner, min)
 */
#include <stdio.h>

#include "bindings.h"
#include "kernels.h"

#define MAX_SIZE ((int64_t)1 << 53)

static bool same_float_type(Args *args, const Array *a, const Array *b, const char *what) {
  if (a->type == b->type) return true;
  char text[128];
  snprintf(text, sizeof text, "%s must be of one dtype (both Float32Array or both Float64Array)", what);
  return type_error(args, text);
}

static napi_value number(napi_env env, double value) {
  napi_value result;
  napi_create_double(env, value, &result);
  return result;
}

static napi_value unary(napi_env env, napi_callback_info info) {
  const UnaryKernel *kernel;
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, (void **)&kernel);
  Args args;
  Array x, out;
  if (!read_args(env, info, kernel->name, 2, &args) || !read_float_array(&args, 0, &x) || !read_float_array(&args, 1, &out) ||
      !same_float_type(&args, &x, &out, "x and out"))
    return NULL;
  if (out.length != x.length) return THROW_RANGE(&args, "out must have as many elements as x");
  if (x.type == napi_float32_array)
    kernel->f32(x.data, out.data, x.length);
  else
    kernel->f64(x.data, out.data, x.length);
  return NULL;
}

static napi_value binary(napi_env env, napi_callback_info info) {
  const BinaryKernel *kernel;
  size_t argc = 0;
  napi_get_cb_info(env, info, &argc, NULL, NULL, (void **)&kernel);
  Args args;
  Array a, b, out, a_off, b_off;
  int64_t rows, len, sa, sb;
  if (!read_args(env, info, kernel->name, 9, &args) || !read_float_array(&args, 0, &a) || !read_float_array(&args, 1, &b) ||
      !read_float_array(&args, 2, &out) || !same_float_type(&args, &a, &b, "a and b") || !same_float_type(&args, &a, &out, "a and out") ||
      !read_index(&args, 3, MAX_SIZE, &rows) || !read_index(&args, 4, MAX_SIZE, &len) || !read_index(&args, 5, 1, &sa) ||
      !read_index(&args, 6, 1, &sb) || !read_int32_array(&args, 7, &a_off) || !read_int32_array(&args, 8, &b_off))
    return NULL;
  if ((uint64_t)rows > a_off.length || (uint64_t)rows > b_off.length) return THROW_RANGE(&args, "aOff and bOff need an offset per row");
  if (!fits(&out, 0, rows * len)) return THROW_RANGE(&args, "out is shorter than rows * len");
  const int32_t *ao = a_off.data, *bo = b_off.data;
  for (int64_t r = 0; r < rows && len > 0; r++)
    if (!fits(&a, ao[r], sa ? len : 1) || !fits(&b, bo[r], sb ? len : 1)) return THROW_RANGE(&args, "a row reads past the end of a or b");
  const Plan plan = {(size_t)rows, (size_t)len, (size_t)sa, (size_t)sb, ao, bo};
  if (a.type == napi_float32_array)
    kernel->f32(a.data, b.data, out.data, &plan);
  else
    kernel->f64(a.data, b.data, out.data, &plan);
  return NULL;
}

static napi_value sum_all(napi_env env, napi_callback_info info) {
  Args args;
  Array x;
  if (!read_args(env, info, "sumAll", 1, &args) || !read_float_array(&args, 0, &x)) return NULL;
  return number(env, x.type == napi_float32_array ? sum_all_f32(x.data, x.length) : sum_all_f64(x.data, x.length));
}

static napi_value sum_of_products(napi_env env, napi_callback_info info) {
  Args args;
  Array a, b;
  if (!read_args(env, info, "sumOfProducts", 2, &args) || !read_float_array(&args, 0, &a) || !read_float_array(&args, 1, &b) ||
      !same_float_type(&args, &a, &b, "a and b"))
    return NULL;
  if (a.length != b.length) return THROW_RANGE(&args, "a and b must have one length");
  return number(env, a.type == napi_float32_array ? sum_of_products_f32(a.data, b.data, a.length)
                                                  : sum_of_products_f64(a.data, b.data, a.length));
}

static napi_value extreme_all(napi_env env, napi_callback_info info) {
  Args args;
  Array x;
  bool min;
  if (!read_args(env, info, "extremeAll", 2, &args) || !read_float_array(&args, 0, &x) || !read_flag(&args, 1, &min)) return NULL;
  return number(env, x.type == napi_float32_array ? extreme_all_f32(x.data, x.length, min) : extreme_all_f64(x.data, x.length, min));
}

/* sumAxis and extremeAxis: x viewed as [outer, n, inner], out as [outer, inner]. */
static bool read_axis(Args *args, Array *x, Array *out, int64_t *outer, int64_t *n, int64_t *inner) {
  if (!read_float_array(args, 0, x) || !read_float_array(args, 1, out) || !same_float_type(args, x, out, "x and out") ||
      !read_index(args, 2, MAX_SIZE, outer) || !read_index(args, 3, MAX_SIZE, n) || !read_index(args, 4, MAX_SIZE, inner))
    return false;
  if (!fits(x, 0, *outer * *n * *inner)) return range_error(args, "x is shorter than outer * n * inner");
  if (!fits(out, 0, *outer * *inner)) return range_error(args, "out is shorter than outer * inner");
  return true;
}

static napi_value sum_axis(napi_env env, napi_callback_info info) {
  Args args;
  Array x, out;
  int64_t outer, n, inner;
  if (!read_args(env, info, "sumAxis", 5, &args) || !read_axis(&args, &x, &out, &outer, &n, &inner)) return NULL;
  BY_FLOAT_TYPE(x, sum_axis, x.data, out.data, outer, n, inner);
  return NULL;
}

static napi_value extreme_axis(napi_env env, napi_callback_info info) {
  Args args;
  Array x, out;
  int64_t outer, n, inner;
  bool min;
  if (!read_args(env, info, "extremeAxis", 6, &args) || !read_axis(&args, &x, &out, &outer, &n, &inner) || !read_flag(&args, 5, &min))
    return NULL;
  BY_FLOAT_TYPE(x, extreme_axis, x.data, out.data, outer, n, inner, min);
  return NULL;
}

static bool add_function(napi_env env, napi_value target, const char *name, napi_callback cb, void *data) {
  napi_value fn;
  return napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, data, &fn) == napi_ok &&
         napi_set_named_property(env, target, name, fn) == napi_ok;
}

bool export_kernels(napi_env env, napi_value exports) {
  napi_value unaries, binaries;
  if (napi_create_object(env, &unaries) != napi_ok || napi_create_object(env, &binaries) != napi_ok) return false;
  for (size_t i = 0; i < UNARY_KERNEL_COUNT; i++)
    if (!add_function(env, unaries, UNARY_KERNELS[i].name, unary, (void *)&UNARY_KERNELS[i])) return false;
  for (size_t i = 0; i < BINARY_KERNEL_COUNT; i++)
    if (!add_function(env, binaries, BINARY_KERNELS[i].name, binary, (void *)&BINARY_KERNELS[i])) return false;
  napi_value levels;
  napi_create_string_utf8(env, DISPATCH_LEVELS, NAPI_AUTO_LENGTH, &levels);
  return napi_set_named_property(env, exports, "unary", unaries) == napi_ok && napi_set_named_property(env, exports, "binary", binaries) == napi_ok &&
         napi_set_named_property(env, exports, "dispatchLevels", levels) == napi_ok &&
         add_function(env, exports, "sumAll", sum_all, NULL) && add_function(env, exports, "sumOfProducts", sum_of_products, NULL) &&
         add_function(env, exports, "extremeAll", extreme_all, NULL) && add_function(env, exports, "sumAxis", sum_axis, NULL) &&
         add_function(env, exports, "extremeAxis", extreme_axis, NULL);
}
