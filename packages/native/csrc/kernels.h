/*
 * The elementwise and reduction kernels (elementwise.c, reduce.c), each in a float32 and a float64 form, over
 * contiguous arrays. Every kernel computes what the TypeScript kernel of @tapegrad/core computes, in the same
 * order and at the same precision (a float32 expression of more than one operation is evaluated in double and
 * rounded once, as JavaScript does), so that the results are bit for bit the same; the exceptions are the libm
 * functions (exp, log, sin, cos, tanh of float64, pow, sigmoid, softplus), within one ulp of V8's.
 */
#ifndef TAPEGRAD_KERNELS_H
#define TAPEGRAD_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Runtime dispatch: the hot loops are compiled three times, for the x86-64 baseline (SSE2), x86-64-v3 (AVX2) and
 * x86-64-v4 (AVX-512), and the loader picks one for the CPU at hand (GCC's target_clones, resolved through glibc's
 * ifunc). The addon then runs on any x86-64 machine that the build machine's image is copied to, which
 * -march=native would not. Elsewhere (Clang, musl, Arm, whose NEON is baseline) a single baseline build.
 */
#include <features.h>
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12 && defined(__GLIBC__)
#define DISPATCHED __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#define DISPATCH_LEVELS "x86-64, x86-64-v3 (AVX2), x86-64-v4 (AVX-512)"
#else
#define DISPATCHED
#define DISPATCH_LEVELS "baseline only"
#endif

typedef void (*UnaryF32)(const float *x, float *out, size_t n);
typedef void (*UnaryF64)(const double *x, double *out, size_t n);

/** A broadcast binary kernel's walk (core's BroadcastPlan): `rows` runs of `len`, steps sa and sb each 0 or 1. */
typedef struct {
  size_t rows, len, sa, sb;
  const int32_t *a_off, *b_off;
} Plan;

typedef void (*BinaryF32)(const float *a, const float *b, float *out, const Plan *plan);
typedef void (*BinaryF64)(const double *a, const double *b, double *out, const Plan *plan);

typedef struct {
  const char *name;
  UnaryF32 f32;
  UnaryF64 f64;
} UnaryKernel;

typedef struct {
  const char *name;
  BinaryF32 f32;
  BinaryF64 f64;
} BinaryKernel;

extern const UnaryKernel UNARY_KERNELS[];
extern const size_t UNARY_KERNEL_COUNT;
extern const BinaryKernel BINARY_KERNELS[];
extern const size_t BINARY_KERNEL_COUNT;

/* Reductions (reduce.c). A full sum keeps four running sums in double, like core's reduceAll. */
double sum_all_f32(const float *x, size_t n);
double sum_all_f64(const double *x, size_t n);
/** Sum of a[i] * b[i], each product rounded to float32 first (core's sumOfProducts). */
double sum_of_products_f32(const float *a, const float *b, size_t n);
double sum_of_products_f64(const double *a, const double *b, size_t n);
/** Max (or min, when `min`) of everything; NaN if any element is NaN; -Infinity (Infinity) when empty. */
double extreme_all_f32(const float *x, size_t n, int min);
double extreme_all_f64(const double *x, size_t n, int min);
/** out[o, i] = sum over k of x[o, k, i], for x viewed as [outer, n, inner]; `out` is overwritten. */
void sum_axis_f32(const float *x, float *out, size_t outer, size_t n, size_t inner);
void sum_axis_f64(const double *x, double *out, size_t outer, size_t n, size_t inner);
void extreme_axis_f32(const float *x, float *out, size_t outer, size_t n, size_t inner, int min);
void extreme_axis_f64(const double *x, double *out, size_t outer, size_t n, size_t inner, int min);

/* In-place updates (optim.c): core's addInPlace and nn's optimiser rules, bit for bit. */
void axpy_f32(float *x, const float *y, size_t n, double alpha);
void axpy_f64(double *x, const double *y, size_t n, double alpha);
void sgd_f32(float *p, const float *g, size_t n, double lr, double wd);
void sgd_f64(double *p, const double *g, size_t n, double lr, double wd);

/** SGD with momentum: `first` when the momentum buffer is new (it then starts as the gradient, as in PyTorch). */
typedef struct {
  double lr, weight_decay, momentum, dampening;
  int nesterov, first;
} SgdMomentum;
void sgd_momentum_f32(float *p, const float *g, float *buf, size_t n, const SgdMomentum *o);
void sgd_momentum_f64(double *p, const double *g, double *buf, size_t n, const SgdMomentum *o);

/** One Adam step's constants, as nn's Adam.update computes them (a1 = 1 - beta1, a2 = 1 - beta2). */
typedef struct {
  double beta1, beta2, a1, a2, step_size, root_c2, eps, coupled, shrink;
} AdamStep;
void adam_f32(float *p, const float *g, float *m, float *v, size_t n, const AdamStep *o);
void adam_f64(double *p, const double *g, double *m, double *v, size_t n, const AdamStep *o);

#endif
