/**
 * Matrix products through OpenBLAS, plugged into core's `setGemmExecutor` seam. The executor stands in front of
 * whatever executor was installed before it (normally @tapegrad/threads' pool) and passes that one what it declines.
 *
 * Who splits what: OpenBLAS runs each float product whole, on as many threads as the thread budget allows,
 * sharing its packed panels between them; the pool's helpers are not used for those products (they would need the
 * operands copied into shared memory, and each helper would pack the same panels again). The budget is the
 * `threads` option of enableNative, or else the thread count of the executor behind (so `enableThreads({ threads:
 * 2 })` means two threads with or without the native backend), or else 1. Either way no more threads compute than
 * the budget: the pool's helpers sleep while OpenBLAS works, and OpenBLAS is told its count before each product.
 */
import type { GemmCall, GemmExecutor, TypedArray } from '@tapegrad/core';
import type { NativeAddon } from './addon.js';

/** How enableNative's executor behaves; see NativeOptions for the user-facing meaning. */
export interface ExecutorSettings {
  readonly threads?: number;
  readonly minWork: number;
}

type FloatArray = Float32Array | Float64Array;

/** A, B and C all float32 or all float64: what OpenBLAS's sgemm and dgemm take. */
function sameFloatKind(A: TypedArray, B: TypedArray, C: TypedArray): A is FloatArray {
  const Kind = A instanceof Float32Array ? Float32Array : A instanceof Float64Array ? Float64Array : null;
  return Kind !== null && B instanceof Kind && C instanceof Kind;
}

export class NativeGemmExecutor implements GemmExecutor {
  /** The executor installed before this one (e.g. the thread pool), given what this one declines. */
  behind: GemmExecutor | null;
  /** OpenBLAS's products overwrite C (beta = 0): matmul gives them memory that is not zero-filled. */
  readonly overwrites = true;
  /** OpenBLAS's thread count as last set (read back at the start: a previous executor may have changed it). */
  private blasThreads: number;

  constructor(
    private readonly addon: NativeAddon,
    private readonly settings: ExecutorSettings,
    behind: GemmExecutor | null,
  ) {
    this.behind = behind;
    this.blasThreads = addon.threads();
  }

  /** The thread budget for the next product (see the file comment). */
  threads(): number {
    return this.settings.threads ?? this.behind?.threads?.() ?? 1;
  }

  gemm(...call: GemmCall): boolean {
    const [A, ao, B, bo, C, co, m, n, k, tA, tB] = call;
    if (m * n * k >= this.settings.minWork && sameFloatKind(A, B, C)) {
      const threads = this.threads();
      if (threads !== this.blasThreads) {
        this.addon.setThreads(threads);
        this.blasThreads = threads;
      }
      this.addon.gemm(A, ao, B as FloatArray, bo, C as FloatArray, co, m, n, k, tA, tB);
      return true;
    }
    // What this executor declines, the one behind it takes as the seam says: C zero on entry (matmul's was not filled).
    C.fill(0, co, co + m * n);
    return this.behind?.gemm(...call) ?? false;
  }

  /** Puts OpenBLAS back to one thread (when this executor is removed). */
  release(): void {
    this.addon.setThreads(1);
    this.blasThreads = 1;
  }
}
