/*
 * In-place updates: x += alpha * y (core's addInPlace, gradient accumulation) and the optimisers' per-parameter
 * rules (packages/nn/src/optim: SGD with momentum, dampening, Nesterov and weight decay; Adam and AdamW). Each is
 * the TypeScript loop's expression, evaluated in double and rounded to the parameter's dtype once per store, as
 * JavaScript does, so the results are the same bits. The moments are stored rounded, and used unrounded in the
 * step that computed them, as nn's Adam does.
 */
#include <math.h>

#include "kernels.h"

#define AXPY(name, T)                                                                     \
  DISPATCHED void name(T *x, const T *y, size_t n, double alpha) {                        \
    for (size_t i = 0; i < n; i++) x[i] = (T)((double)x[i] + alpha * (double)y[i]);       \
  }
AXPY(axpy_f32, float)
AXPY(axpy_f64, double)

#define SGD(name, T)                                                                                          \
  DISPATCHED void name(T *p, const T *g, size_t n, double lr, double wd) {                                    \
    for (size_t i = 0; i < n; i++) p[i] = (T)((double)p[i] - lr * ((double)g[i] + wd * (double)p[i]));      \
  }
SGD(sgd_f32, float)
SGD(sgd_f64, double)

#define SGD_MOMENTUM(name, T)                                                                                      \
  DISPATCHED void name(T *p, const T *g, T *buf, size_t n, const SgdMomentum *o) {                                 \
    for (size_t i = 0; i < n; i++) {                                                                               \
      const double gi = (double)g[i] + o->weight_decay * (double)p[i];                                             \
      const double b = o->first ? gi : o->momentum * (double)buf[i] + (1 - o->dampening) * gi;                     \
      buf[i] = (T)b;                                                                                               \
      p[i] = (T)((double)p[i] - o->lr * (o->nesterov ? gi + o->momentum * b : b));                                 \
    }                                                                                                              \
  }
SGD_MOMENTUM(sgd_momentum_f32, float)
SGD_MOMENTUM(sgd_momentum_f64, double)

#define ADAM(name, T)                                                                                    \
  DISPATCHED void name(T *p, const T *g, T *m, T *v, size_t n, const AdamStep *o) {                      \
    for (size_t i = 0; i < n; i++) {                                                                     \
      const double pi = p[i];                                                                            \
      const double gi = (double)g[i] + o->coupled * pi;                                                  \
      const double mi = o->beta1 * (double)m[i] + o->a1 * gi;                                            \
      const double vi = o->beta2 * (double)v[i] + o->a2 * gi * gi;                                       \
      m[i] = (T)mi;                                                                                      \
      v[i] = (T)vi;                                                                                      \
      p[i] = (T)(pi * o->shrink - (o->step_size * mi) / (sqrt(vi) / o->root_c2 + o->eps));               \
    }                                                                                                    \
  }
ADAM(adam_f32, float)
ADAM(adam_f64, double)
