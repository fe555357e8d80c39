/*
 * The in-place updates as JavaScript functions; every array is updated or read in place, all of one float dtype and
 * one length:
 *   axpy(x, y, alpha)                                             x += alpha * y
 *   sgd(p, g, lr, weightDecay)
 *   sgdMomentum(p, g, buf, lr, weightDecay, momentum, dampening, nesterov, first)
 *   adam(p, g, m, v, beta1, beta2, stepSize, rootC2, eps, coupled, shrink)
 */
#include "bindings.h"
#include "kernels.h"

/* `count` arrays from argument 0 on, all Float32Array or all Float64Array, all of one length. */
static bool read_arrays(Args *args, size_t count, Array *out) {
  for (size_t i = 0; i < count; i++) {
    if (!read_float_array(args, i, &out[i])) return false;
    if (out[i].type != out[0].type) return type_error(args, "the arrays must all be Float32Array or all Float64Array");
    if (out[i].length != out[0].length) return range_error(args, "the arrays must all have one length");
  }
  return true;
}

static bool read_doubles(Args *args, size_t from, size_t count, double *out) {
  for (size_t i = 0; i < count; i++)
    if (!read_double(args, from + i, &out[i])) return false;
  return true;
}

static napi_value axpy(napi_env env, napi_callback_info info) {
  Args args;
  Array a[2];
  double alpha;
  if (!read_args(env, info, "axpy", 3, &args) || !read_arrays(&args, 2, a) || !read_double(&args, 2, &alpha)) return NULL;
  BY_FLOAT_TYPE(a[0], axpy, a[0].data, a[1].data, a[0].length, alpha);
  return NULL;
}

static napi_value sgd(napi_env env, napi_callback_info info) {
  Args args;
  Array a[2];
  double o[2];
  if (!read_args(env, info, "sgd", 4, &args) || !read_arrays(&args, 2, a) || !read_doubles(&args, 2, 2, o)) return NULL;
  BY_FLOAT_TYPE(a[0], sgd, a[0].data, a[1].data, a[0].length, o[0], o[1]);
  return NULL;
}

static napi_value sgd_momentum(napi_env env, napi_callback_info info) {
  Args args;
  Array a[3];
  double o[4];
  bool nesterov, first;
  if (!read_args(env, info, "sgdMomentum", 9, &args) || !read_arrays(&args, 3, a) || !read_doubles(&args, 3, 4, o) ||
      !read_flag(&args, 7, &nesterov) || !read_flag(&args, 8, &first))
    return NULL;
  const SgdMomentum s = {o[0], o[1], o[2], o[3], nesterov, first};
  BY_FLOAT_TYPE(a[0], sgd_momentum, a[0].data, a[1].data, a[2].data, a[0].length, &s);
  return NULL;
}

static napi_value adam(napi_env env, napi_callback_info info) {
  Args args;
  Array a[4];
  double o[7];
  if (!read_args(env, info, "adam", 11, &args) || !read_arrays(&args, 4, a) || !read_doubles(&args, 4, 7, o)) return NULL;
  /* beta1, beta2, stepSize, rootC2, eps, coupled, shrink; a1 and a2 as nn's Adam computes them. */
  const AdamStep s = {o[0], o[1], 1 - o[0], 1 - o[1], o[2], o[3], o[4], o[5], o[6]};
  BY_FLOAT_TYPE(a[0], adam, a[0].data, a[1].data, a[2].data, a[3].data, a[0].length, &s);
  return NULL;
}

bool export_updates(napi_env env, napi_value exports) {
  const struct {
    const char *name;
    napi_callback cb;
  } fns[] = {{"axpy", axpy}, {"sgd", sgd}, {"sgdMomentum", sgd_momentum}, {"adam", adam}};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value fn;
    if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].cb, NULL, &fn) != napi_ok ||
        napi_set_named_property(env, exports, fns[i].name, fn) != napi_ok)
      return false;
  }
  return true;
}
