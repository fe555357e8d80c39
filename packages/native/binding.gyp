{
  # Built at install by scripts/install.mjs (node-gyp, against the installed Node's headers), never downloaded.
  "targets": [
    {
      "target_name": "tapegrad_native",
      "sources": ["csrc/addon.c", "csrc/args.c", "csrc/gemm.c", "csrc/kernel-bindings.c", "csrc/elementwise.c", "csrc/reduce.c", "csrc/optim.c", "csrc/optim-bindings.c", "csrc/program.c"],
      "defines": ["NAPI_VERSION=8"],
      # -O3 for the vectoriser; no -march: csrc/kernels.h dispatches at run time instead. -ffp-contract=off: no
      # fused multiply-add where the source has a multiply and an add (bit-exactness with JavaScript);
      # -fno-math-errno lets sqrt vectorise (JavaScript has no errno either). Never -ffast-math: NaN must stay NaN.
      "cflags": ["-O3", "-std=gnu11", "-ffp-contract=off", "-fno-math-errno", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags!": ["-O2"],
      "libraries": ["-lopenblas", "-lm"]
    }
  ]
}
