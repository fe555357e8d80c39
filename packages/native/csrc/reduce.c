/*
 * Reductions, in the order core's TypeScript kernels use (packages/core/src/ndarray/kernels/reduce.ts), so the
 * results are the same bits: a full sum keeps four running sums in double over elements i mod 4 and adds them as
 * (s0 + s1) + (s2 + s3), the tail going to s0; a sum along an axis adds row after row into the output, rounding to
 * its dtype at every step; max and min keep the first of equal values and give NaN if any element is NaN.
 * Four double lanes are one AVX2 register (two SSE2 ones), so the full sum vectorises without changing its order.
 */
#include <math.h>

#include "kernels.h"

#define SUM_ALL(name, T, product)                                   \
  DISPATCHED double name(const T *a, const T *b, size_t n) {        \
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;                          \
    const size_t n4 = n - n % 4;                                    \
    size_t i = 0;                                                   \
    for (; i < n4; i += 4) {                                        \
      s0 += product(i);                                             \
      s1 += product(i + 1);                                         \
      s2 += product(i + 2);                                         \
      s3 += product(i + 3);                                         \
    }                                                               \
    for (; i < n; i++) s0 += product(i);                            \
    return s0 + s1 + (s2 + s3);                                     \
  }

#define ELEMENT(i) ((double)a[i])
#define PRODUCT_F32(i) ((double)(a[i] * b[i]))
#define PRODUCT_F64(i) (a[i] * b[i])

static SUM_ALL(sum_f32, float, ELEMENT)
static SUM_ALL(sum_f64, double, ELEMENT)
SUM_ALL(sum_of_products_f32, float, PRODUCT_F32)
SUM_ALL(sum_of_products_f64, double, PRODUCT_F64)

double sum_all_f32(const float *x, size_t n) { return sum_f32(x, x, n); }
double sum_all_f64(const double *x, size_t n) { return sum_f64(x, x, n); }

#define EXTREME_ALL(name, T)                                        \
  double name(const T *x, size_t n, int min) {                      \
    double m = min ? INFINITY : -INFINITY;                          \
    for (size_t i = 0; i < n; i++) {                                \
      const double v = x[i];                                        \
      if (v != v) return NAN;                                       \
      if (min ? v < m : v > m) m = v;                               \
    }                                                               \
    return m;                                                       \
  }
EXTREME_ALL(extreme_all_f32, float)
EXTREME_ALL(extreme_all_f64, double)

#define SUM_AXIS(name, T)                                                          \
  DISPATCHED void name(const T *x, T *out, size_t outer, size_t n, size_t inner) { \
    for (size_t o = 0; o < outer; o++) {                                           \
      T *row_out = out + o * inner;                                                \
      for (size_t i = 0; i < inner; i++) row_out[i] = 0;                           \
      for (size_t k = 0; k < n; k++) {                                             \
        const T *row = x + (o * n + k) * inner;                                    \
        for (size_t i = 0; i < inner; i++) row_out[i] += row[i];                   \
      }                                                                            \
    }                                                                              \
  }
SUM_AXIS(sum_axis_f32, float)
SUM_AXIS(sum_axis_f64, double)

#define EXTREME_AXIS(name, T)                                                               \
  void name(const T *x, T *out, size_t outer, size_t n, size_t inner, int min) {            \
    for (size_t o = 0; o < outer; o++)                                                      \
      for (size_t i = 0; i < inner; i++) {                                                  \
        T m = min ? INFINITY : -INFINITY;                                                   \
        for (size_t k = 0; k < n; k++) {                                                    \
          const T v = x[(o * n + k) * inner + i];                                           \
          if (v != v) {                                                                     \
            m = NAN;                                                                        \
            break;                                                                          \
          }                                                                                 \
          if (min ? v < m : v > m) m = v;                                                   \
        }                                                                                   \
        out[o * inner + i] = m;                                                             \
      }                                                                                     \
  }
EXTREME_AXIS(extreme_axis_f32, float)
EXTREME_AXIS(extreme_axis_f64, double)
