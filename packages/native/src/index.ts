/**
 * @tapegrad/native: an optional backend for Node. `enableNative()` sends tapegrad's matrix products to OpenBLAS
 * through an N-API addon compiled at install against the system's OpenBLAS (Debian: `libopenblas-dev`). When the
 * addon was not built or does not load, it prints one line saying why and tapegrad keeps its WebAssembly kernels:
 * installing this package never fails because of it.
 * @module @tapegrad/native
 * @packageDocumentation
 */
import { getGemmExecutor, setGemmExecutor, setKernelSet } from '@tapegrad/core';
import { type NativeAddon, loadAddon } from './addon.js';
import { NativeGemmExecutor } from './executor.js';
import { NATIVE_MIN_ELEMENTS, nativeKernelSet } from './kernel-set.js';

export type { NativeAddon, FloatArray, UnaryKernelName, BinaryKernelName, ProgramKernels } from './addon.js';
export { UNARY_KERNELS, BINARY_KERNELS } from './addon.js';
export { NATIVE_MIN_ELEMENTS } from './kernel-set.js';

/** Options of {@link enableNative}. */
export interface NativeOptions {
  /**
   * Threads OpenBLAS runs each product on. Default: the thread count of `@tapegrad/threads` when it is enabled
   * (OpenBLAS then does the splitting, and the pool's helpers wait), else 1.
   */
  readonly threads?: number;
  /**
   * Products with fewer multiply-adds (m·n·k) than this stay with core's kernels. Default {@link NATIVE_MIN_WORK}.
   */
  readonly minWork?: number;
  /**
   * Elementwise ops and reductions over fewer elements than this stay with core's kernels. Default
   * {@link NATIVE_MIN_ELEMENTS}.
   */
  readonly minElements?: number;
  /** Say nothing when the addon is unavailable (the result still says whether native is active). */
  readonly quiet?: boolean;
}

/** What {@link nativeStatus} reports. */
export interface NativeStatus {
  /** Whether tapegrad's matrix products go to OpenBLAS now. */
  readonly active: boolean;
  /** Whether the addon loaded (it may be loaded and not enabled). */
  readonly available: boolean;
  /** Why the addon is unavailable, when it is. */
  readonly reason?: string;
  /** OpenBLAS's build configuration and the CPU kernels it chose, when loaded. */
  readonly blas?: string;
  /** The instruction sets the addon's own kernels were compiled for (one is chosen at load). */
  readonly dispatch?: string;
  /** The thread budget of matrix products now (see {@link NativeOptions.threads}). */
  readonly threads?: number;
}

/**
 * Below this many multiply-adds a product stays with core's kernels: crossing into the addon costs well under a
 * microsecond, so only the tiniest products (the gradient check's, a Scalar-sized layer) are cheaper in JavaScript.
 */
export const NATIVE_MIN_WORK = 8 * 8 * 8;

let installed: NativeGemmExecutor | null = null;
let warned = false;

/**
 * Sends every float32 and float64 matrix product, forward and backward, to OpenBLAS, and the elementwise ops and
 * reductions whose C kernels give core's bits (arithmetic, relu, float32 tanh, sums, maxima, minima and their
 * gradients) to the addon's vectorised kernels; returns whether the native backend is now active. When the addon is unavailable it prints one line naming the reason (once per process,
 * unless `quiet`) and returns false: tapegrad then runs as before, on its WebAssembly kernels.
 * Calling it again replaces the options.
 * @throws RangeError for a thread count that is not a whole number of at least 1, or a negative `minWork` or `minElements`.
 * @example
 * import { enableNative } from '@tapegrad/native';
 * if (enableNative()) console.log('matrix products run on OpenBLAS');
 */
export function enableNative(options: NativeOptions = {}): boolean {
  const { threads, minWork = NATIVE_MIN_WORK, minElements = NATIVE_MIN_ELEMENTS, quiet = false } = options;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1))
    throw new RangeError(`enableNative: threads must be a whole number of at least 1, got ${String(threads)}`);
  if (typeof minWork !== 'number' || !(minWork >= 0))
    throw new RangeError(`enableNative: minWork must be a number of multiply-adds >= 0, got ${String(minWork)}`);
  if (typeof minElements !== 'number' || !(minElements >= 0))
    throw new RangeError(`enableNative: minElements must be a number of elements >= 0, got ${String(minElements)}`);
  const { addon, reason } = loadAddon();
  if (addon === null) {
    if (!quiet && !warned) {
      warned = true;
      console.warn(`@tapegrad/native: ${reason}; using the WebAssembly kernels`);
    }
    return false;
  }
  const current = getGemmExecutor();
  const behind = current === installed && installed !== null ? installed.behind : current;
  installed = new NativeGemmExecutor(addon, { threads, minWork }, behind);
  setGemmExecutor(installed);
  setKernelSet('native', nativeKernelSet(addon, minElements));
  return true;
}

/**
 * Stops sending products to OpenBLAS, and elementwise ops and reductions to the addon: the executor that was installed before enableNative (e.g. the thread pool)
 * takes them again. Does nothing when the native backend is not active.
 * @example
 * enableNative();
 * disableNative();   // back to the WebAssembly kernels
 */
export function disableNative(): void {
  if (installed === null) return;
  setKernelSet('native', null);
  if (getGemmExecutor() === installed) setGemmExecutor(installed.behind);
  installed.release();
  installed = null;
}

/**
 * Whether the native backend is active, and what it runs on; `reason` says why it is unavailable.
 * @example
 * const { active, reason, blas } = nativeStatus();
 * console.log(active ? `OpenBLAS: ${blas}` : `native off: ${reason ?? 'not enabled'}`);
 */
export function nativeStatus(): NativeStatus {
  const { addon, reason } = loadAddon();
  if (addon === null) return { active: false, available: false, reason };
  const active = installed !== null && getGemmExecutor() === installed;
  return {
    active,
    available: true,
    blas: addon.blasInfo(),
    dispatch: addon.dispatchLevels,
    threads: active ? installed!.threads() : undefined,
  };
}

/**
 * The addon's raw functions (OpenBLAS's products, the elementwise, reduction and update kernels on typed arrays), or
 * null when it is unavailable: for benchmarks, and for code that wants OpenBLAS on its own typed arrays. Each
 * function checks its arguments' types and bounds and throws a TypeError or RangeError naming itself.
 * @example
 * const addon = nativeAddon();
 * const c = new Float32Array(4);
 * addon?.gemm(new Float32Array([1, 2, 3, 4]), 0, new Float32Array([5, 6, 7, 8]), 0, c, 0, 2, 2, 2, false, false);
 * c;   // Float32Array [19, 22, 43, 50]
 */
export function nativeAddon(): NativeAddon | null {
  return loadAddon().addon;
}
