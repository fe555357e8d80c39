/*
 * Elementwise kernels, one loop per op and dtype, written so that GCC vectorises them (checked with
 * -fopt-info-vec) and compiled for three instruction sets (see DISPATCHED in kernels.h). Every expression is the
 * one core's TypeScript kernel evaluates (packages/core/src/ndarray/kernels/unary.ts and binary.ts), in the same
 * order; `W` below is the type it is evaluated in: float for a single IEEE operation on float32 (the same bits as
 * JavaScript's double operation rounded to float32), double for longer float32 expressions, as JavaScript does.
 * -ffp-contract=off (binding.gyp) keeps the compiler from fusing a multiply and an add, which would change bits.
 */
#include <math.h>

#include "kernels.h"

/* ---- unary ---- */

#define UNARY(name, T, W, expr)                                     \
  static DISPATCHED void name(const T *xs, T *out, size_t n) {      \
    for (size_t i = 0; i < n; i++) {                                \
      const W x = xs[i];                                            \
      out[i] = (T)(expr);                                           \
    }                                                               \
  }
#define UNARY_BOTH(name, expr_f32, expr_f64) \
  UNARY(name##_f32, float, float, expr_f32)  \
  UNARY(name##_f64, double, double, expr_f64)

UNARY_BOTH(neg, -x, -x)
UNARY_BOTH(abs, fabsf(x), fabs(x))
UNARY_BOTH(relu, x > 0 || x != x ? x : 0, x > 0 || x != x ? x : 0)
UNARY_BOTH(sqrt, sqrtf(x), sqrt(x))
UNARY_BOTH(sign, x > 0 ? 1.0f : x < 0 ? -1.0f : x, x > 0 ? 1.0 : x < 0 ? -1.0 : x)
/* libm: glibc's exp, log, sin, cos are within one ulp of V8's (fdlibm-derived) Math functions, not bit for bit. */
UNARY(exp_f32, float, double, exp(x))
UNARY(exp_f64, double, double, exp(x))
UNARY(log_f32, float, double, log(x))
UNARY(log_f64, double, double, log(x))
UNARY(sin_f32, float, double, sin(x))
UNARY(sin_f64, double, double, sin(x))
UNARY(cos_f32, float, double, cos(x))
UNARY(cos_f64, double, double, cos(x))
UNARY(tanh_f64, double, double, tanh(x))

/* core's sigmoidNumber and softplusNumber: never exp of a large positive number. */
static inline double sigmoid_number(double x) {
  if (x >= 0) return 1 / (1 + exp(-x));
  const double e = exp(x);
  return e / (1 + e);
}
UNARY(sigmoid_f32, float, double, sigmoid_number(x))
UNARY(sigmoid_f64, double, double, sigmoid_number(x))
UNARY(softplus_f32, float, double, (x > 0 ? x : 0) + log1p(exp(-fabs(x))))
UNARY(softplus_f64, double, double, (x > 0 ? x : 0) + log1p(exp(-fabs(x))))

/*
 * float32 tanh: core's [13/6] rational form in double (unary.ts, tanhFloat32), bit for bit, with libm's tanh past
 * |x| = TANH_RATIONAL_LIMIT (and for NaN). A block is evaluated by the vector loop, then scanned for the few
 * elements outside the limit while it is still in L1.
 */
#define TANH_RATIONAL_LIMIT 7.90531110763549805
#define TANH_BLOCK 2048

static DISPATCHED void tanh_rational_f32(const float *xs, float *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const double x = xs[i], x2 = x * x;
    double p = -2.76076847742355e-16;
    p = p * x2 + 2.00018790482477e-13;
    p = p * x2 - 8.60467152213735e-11;
    p = p * x2 + 5.12229709037114e-8;
    p = p * x2 + 1.48572235717979e-5;
    p = p * x2 + 6.37261928875436e-4;
    p = p * x2 + 4.89352455891786e-3;
    double q = 1.19825839466702e-6;
    q = q * x2 + 1.18534705686654e-4;
    q = q * x2 + 2.268434632439e-3;
    q = q * x2 + 4.89352518554385e-3;
    out[i] = (float)((x * p) / q);
  }
}

static void tanh_f32(const float *xs, float *out, size_t n) {
  for (size_t at = 0; at < n; at += TANH_BLOCK) {
    const size_t len = n - at < TANH_BLOCK ? n - at : TANH_BLOCK;
    tanh_rational_f32(xs + at, out + at, len);
    for (size_t i = at; i < at + len; i++)
      if (!(fabs((double)xs[i]) < TANH_RATIONAL_LIMIT)) out[i] = (float)tanh((double)xs[i]);
  }
}

#define UNARY_ENTRY(name) {#name, name##_f32, name##_f64}
const UnaryKernel UNARY_KERNELS[] = {
    UNARY_ENTRY(neg), UNARY_ENTRY(abs), UNARY_ENTRY(relu), UNARY_ENTRY(sqrt),    UNARY_ENTRY(sign),     UNARY_ENTRY(exp),
    UNARY_ENTRY(log), UNARY_ENTRY(sin), UNARY_ENTRY(cos),  UNARY_ENTRY(tanh), UNARY_ENTRY(sigmoid), UNARY_ENTRY(softplus),
};
const size_t UNARY_KERNEL_COUNT = sizeof UNARY_KERNELS / sizeof UNARY_KERNELS[0];

/* ---- binary, over a broadcast plan ---- */

/*
 * One run of `len` outputs, split like core's loops by which operand is broadcast (step 0), so that the
 * broadcast value (a bias, a scale) stays in a register and the loop vectorises.
 */
#define BINARY(name, T, W, expr)                                                                      \
  static DISPATCHED void name##_run(const T *as, size_t sa, const T *bs, size_t sb, T *out, size_t len) { \
    if (sb == 0) {                                                                                    \
      const W y = bs[0];                                                                              \
      for (size_t j = 0; j < len; j++) {                                                              \
        const W x = as[j];                                                                            \
        out[j] = (T)(expr);                                                                           \
      }                                                                                               \
    } else if (sa == 0) {                                                                             \
      const W x = as[0];                                                                              \
      for (size_t j = 0; j < len; j++) {                                                              \
        const W y = bs[j];                                                                            \
        out[j] = (T)(expr);                                                                           \
      }                                                                                               \
    } else {                                                                                          \
      for (size_t j = 0; j < len; j++) {                                                              \
        const W x = as[j], y = bs[j];                                                                 \
        out[j] = (T)(expr);                                                                           \
      }                                                                                               \
    }                                                                                                 \
  }                                                                                                   \
  static void name(const T *a, const T *b, T *out, const Plan *p) {                                   \
    for (size_t r = 0; r < p->rows; r++, out += p->len)                                               \
      name##_run(a + p->a_off[r], p->sa, b + p->b_off[r], p->sb, out, p->len);                        \
  }
/* `W32` is the type the float32 form is evaluated in (float when the expression is one IEEE operation). */
#define BINARY_BOTH(name, W32, expr)    \
  BINARY(name##_f32, float, W32, expr) \
  BINARY(name##_f64, double, double, expr)

BINARY_BOTH(add, float, x + y)
BINARY_BOTH(sub, float, x - y)
BINARY_BOTH(mul, float, x * y)
BINARY_BOTH(div, float, x / y)
BINARY_BOTH(pow, double, pow(x, y))
BINARY_BOTH(maximum, float, x >= y || x != x ? x : y)
BINARY_BOTH(minimum, float, x <= y || x != x ? x : y)
/* Masks for gradient rules (maximum's, abs's, ...): 1 or 0; NaN compares false, as in JavaScript. */
BINARY_BOTH(greater, float, x > y ? 1 : 0)
BINARY_BOTH(greaterEqual, float, x >= y ? 1 : 0)
BINARY_BOTH(lessEqual, float, x <= y ? 1 : 0)
BINARY_BOTH(equal, float, x == y ? 1 : 0)
/* The gradient helpers: x is the upstream gradient, y the saved value (tanh's and sigmoid's output, relu's input). */
BINARY_BOTH(tanhGrad, double, x * (1 - y * y))
BINARY_BOTH(sigmoidGrad, double, x * y * (1 - y))
BINARY_BOTH(reluGrad, float, y > 0 ? x : 0 * x)
/* max(a + b, 0), NaN passing through as in relu: rounding a + b to float32 first changes nothing (rounding keeps signs and order). */
BINARY_BOTH(addRelu, float, x + y > 0 || x + y != x + y ? x + y : 0)

#define BINARY_ENTRY(name) {#name, name##_f32, name##_f64}
const BinaryKernel BINARY_KERNELS[] = {
    BINARY_ENTRY(add),      BINARY_ENTRY(sub),         BINARY_ENTRY(mul),      BINARY_ENTRY(div),     BINARY_ENTRY(pow),
    BINARY_ENTRY(maximum),  BINARY_ENTRY(minimum),     BINARY_ENTRY(tanhGrad), BINARY_ENTRY(sigmoidGrad),
    BINARY_ENTRY(reluGrad), BINARY_ENTRY(addRelu),     BINARY_ENTRY(greater),  BINARY_ENTRY(greaterEqual), BINARY_ENTRY(lessEqual),
    BINARY_ENTRY(equal),
};
const size_t BINARY_KERNEL_COUNT = sizeof BINARY_KERNELS / sizeof BINARY_KERNELS[0];
