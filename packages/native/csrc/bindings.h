/* The functions the addon exports (addon.c registers them). */
#ifndef TAPEGRAD_BINDINGS_H
#define TAPEGRAD_BINDINGS_H

#include "args.h"

napi_value gemm(napi_env env, napi_callback_info info);
napi_value gemm_batch(napi_env env, napi_callback_info info);
napi_value set_threads(napi_env env, napi_callback_info info);
napi_value get_threads(napi_env env, napi_callback_info info);
napi_value blas_info(napi_env env, napi_callback_info info);
/** Adds `unary` and `binary` (objects of kernels by name) and the reductions to `exports`. */
bool export_kernels(napi_env env, napi_value exports);
/** Runs a fused program (program.c); programKernels names the kernels its code indexes. */
napi_value run_program(napi_env env, napi_callback_info info);
napi_value program_kernels(napi_env env, napi_callback_info info);
/** Adds the in-place updates (axpy, sgd, sgdMomentum, adam) to `exports`. */
bool export_updates(napi_env env, napi_value exports);

#endif
