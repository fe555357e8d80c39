/**
 * Loading the compiled addon (build/Release/tapegrad_native.node, built at install by scripts/install.mjs) and its
 * exports in TypeScript. When it is missing or does not load, {@link loadAddon} says why in one sentence a user can
 * act on: the install script's recorded reason, or the loader's error (e.g. libopenblas.so.0 not found).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GemmArgs } from '@tapegrad/core';
import type { BinaryKernelName, UnaryKernelName } from './kernel-names.js';

/** The typed arrays the addon computes on. */
export type FloatArray = Float32Array | Float64Array;

export { UNARY_KERNELS, BINARY_KERNELS, type UnaryKernelName, type BinaryKernelName } from './kernel-names.js';

/** What the addon exports (csrc/addon.c); every array argument is read or written in place. */
export interface NativeAddon {
  /** C[co..] = op(A) . op(B), as core's GemmKernel; A, B and C all Float32Array or all Float64Array. */
  gemm(...product: GemmArgs<FloatArray>): void;
  /** One product of the same shape per entry of the offset arrays. */
  gemmBatch(
    A: FloatArray,
    aOffsets: Float64Array,
    B: FloatArray,
    bOffsets: Float64Array,
    C: FloatArray,
    cOffsets: Float64Array,
    m: number,
    n: number,
    k: number,
    tA: boolean,
    tB: boolean,
  ): void;
  /** Sets how many threads OpenBLAS runs each product on (enableNative manages this; see executor.ts). */
  setThreads(threads: number): void;
  /** How many threads OpenBLAS runs each product on now. */
  threads(): number;
  /** OpenBLAS's configuration and the kernel family it chose for this CPU. */
  blasInfo(): string;
  /** The instruction sets the elementwise kernels were compiled for, one chosen at load. */
  readonly dispatchLevels: string;
  /** out = f(x) elementwise, by op name; x and out of one float dtype and length (out may be x). */
  readonly unary: Readonly<Record<UnaryKernelName, (x: FloatArray, out: FloatArray) => void>>;
  /** out = f(a, b) over core's broadcast plan (rows of `len` outputs; a and b read from their row offsets with step 0 or 1). */
  readonly binary: Readonly<
    Record<
      BinaryKernelName,
      (
        a: FloatArray,
        b: FloatArray,
        out: FloatArray,
        rows: number,
        len: number,
        sa: number,
        sb: number,
        aOff: Int32Array,
        bOff: Int32Array,
      ) => void
    >
  >;
  /** The sum of every element (four running sums in double, core's order). */
  sumAll(x: FloatArray): number;
  /** The sum of a[i] * b[i], each product rounded to the dtype first (core's sumOfProducts). */
  sumOfProducts(a: FloatArray, b: FloatArray): number;
  /** The largest (or, with `min`, the smallest) element; NaN if any is NaN. */
  extremeAll(x: FloatArray, min: boolean): number;
  /** out[o, i] = sum over k of x[o, k, i], for x viewed as [outer, n, inner]. */
  sumAxis(x: FloatArray, out: FloatArray, outer: number, n: number, inner: number): void;
  /** The largest (or smallest) along the middle axis of [outer, n, inner]. */
  extremeAxis(x: FloatArray, out: FloatArray, outer: number, n: number, inner: number, min: boolean): void;
  /**
   * Runs a fused program encoded by src/program.ts (csrc/program.c has the layout): inputs as its slots read them,
   * written outputs into `written`, each output's sum into `sums`.
   */
  runProgram(
    code: Int32Array,
    constants: Float64Array,
    inputs: readonly FloatArray[],
    written: ReadonlyArray<FloatArray | null>,
    size: number,
    sums: Float64Array,
  ): void;
  /** The kernel names in the order runProgram's code indexes them. */
  programKernels(): ProgramKernels;
  /** x += alpha * y, in place (core's addInPlace). */
  axpy(x: FloatArray, y: FloatArray, alpha: number): void;
  /** nn's SGD without momentum: p -= lr * (g + weightDecay * p). */
  sgd(p: FloatArray, g: FloatArray, lr: number, weightDecay: number): void;
  /** nn's SGD with momentum; `first` when `buf` is new (it then starts as the gradient). */
  sgdMomentum(
    p: FloatArray,
    g: FloatArray,
    buf: FloatArray,
    lr: number,
    weightDecay: number,
    momentum: number,
    dampening: number,
    nesterov: boolean,
    first: boolean,
  ): void;
  /** nn's Adam/AdamW step with its constants (stepSize = lr / (1 - beta1^t), rootC2 = sqrt(1 - beta2^t)). */
  adam(
    p: FloatArray,
    g: FloatArray,
    m: FloatArray,
    v: FloatArray,
    beta1: number,
    beta2: number,
    stepSize: number,
    rootC2: number,
    eps: number,
    coupled: number,
    shrink: number,
  ): void;
}

/** The addon's kernel tables as runProgram's code indexes them. */
export interface ProgramKernels {
  /** Unary kernel names, by index. */
  readonly unary: readonly string[];
  /** Binary kernel names, by index. */
  readonly binary: readonly string[];
}

/** The addon, or why there is none. */
export type AddonLoad = { readonly addon: NativeAddon; readonly reason?: undefined } | { readonly addon: null; readonly reason: string };

/**
 * The file this module was loaded from, in the ESM and CommonJS builds alike (neither `import.meta.url` nor
 * `__filename` compiles in both; V8's call sites name the file in either), as @tapegrad/threads finds its worker.
 */
function thisFile(): string {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back as it was
  const original = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_error, frames) => frames;
    const frames = new Error().stack as unknown as NodeJS.CallSite[];
    const name = frames[0]?.getFileName() ?? '';
    return name.startsWith('file:') ? fileURLToPath(name) : name;
  } finally {
    Error.prepareStackTrace = original;
  }
}

/** The package's root: the folder holding binding.gyp, above src/ (tests) or dist/esm, dist/cjs (builds). */
export function packageRoot(): string | null {
  let dir = dirname(thisFile());
  for (let up = 0; up < 4; up++, dir = dirname(dir)) if (existsSync(join(dir, 'binding.gyp'))) return dir;
  return null;
}

/** The reason scripts/install.mjs recorded, if it ran and failed. */
function recordedReason(root: string): string | null {
  try {
    const status = JSON.parse(readFileSync(join(root, 'build', 'install-status.json'), 'utf8')) as { ok?: boolean; reason?: string };
    return status.ok ? null : `not built at install: ${status.reason ?? 'no reason recorded'}`;
  } catch {
    return null;
  }
}

let cached: AddonLoad | undefined;

/** Loads the addon of this package once; later calls return the same result. */
export function loadAddon(): AddonLoad {
  cached ??= loadAddonFrom(packageRoot());
  return cached;
}

/** Loads the addon built under `root` (a package root), or says why it cannot. */
export function loadAddonFrom(root: string | null): AddonLoad {
  const file = root && join(root, 'build', 'Release', 'tapegrad_native.node');
  if (!root || !file || !existsSync(file)) {
    const reason =
      (root && recordedReason(root)) ??
      "the addon was never built (its install script did not run: pnpm runs a dependency's build script only when allowed, e.g. `pnpm approve-builds`; then `pnpm rebuild @tapegrad/native`)";
    return { addon: null, reason };
  }
  try {
    return { addon: createRequire(file)(file) as NativeAddon };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { addon: null, reason: `the addon did not load: ${message}` };
  }
}
