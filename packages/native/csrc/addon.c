/*
 * The N-API addon of @tapegrad/native: matrix products through OpenBLAS (gemm.c) and vectorised elementwise and
 * reduction kernels (elementwise.c, reduce.c, exported by kernel-bindings.c), fused programs (program.c) and in-place updates (optim.c). N-API keeps the binary independent of
 * the Node version; src/addon.ts loads it and describes its exports in TypeScript.
 */
#include <cblas.h>

#include "bindings.h"

static bool add(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  return napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn) == napi_ok &&
         napi_set_named_property(env, exports, name, fn) == napi_ok;
}

NAPI_MODULE_INIT() {
  /*
   * OpenBLAS starts with one thread per core. Products run on the calling thread alone until src/executor.ts
   * says otherwise, so that loading the addon never adds threads behind @tapegrad/threads' back.
   */
  openblas_set_num_threads(1);
  if (!add(env, exports, "gemm", gemm) || !add(env, exports, "gemmBatch", gemm_batch) || !add(env, exports, "setThreads", set_threads) ||
      !add(env, exports, "threads", get_threads) || !add(env, exports, "blasInfo", blas_info) ||
      !add(env, exports, "runProgram", run_program) || !add(env, exports, "programKernels", program_kernels) || !export_kernels(env, exports) || !export_updates(env, exports)) {
    napi_throw_error(env, NULL, "@tapegrad/native: could not register the addon's functions");
    return NULL;
  }
  return exports;
}
