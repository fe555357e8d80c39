/**
 * The kernel seam: which implementation runs core's kernels. A backend name chooses core's own families (the
 * TypeScript reference, WebAssembly SIMD for products and float32 tanh, relaxed SIMD), and backend packages plug
 * their own kernels in under 'auto' with `setKernelSet` (elementwise and reductions, keyed by kernel name) and
 * `setGemmExecutor` (matrix products, gemm-executor.ts). Rules and ops never see which ran.
 */
import { wasmGemmAvailable, wasmRelaxedGemmAvailable } from './wasm-gemm.js';
import { shared } from '../../../shared.js';
import type { TypedArray } from '../../dtype.js';
import type { DeviceOptimizerUpdate } from '../../device.js';

/**
 * Which implementation runs the heavy kernels (matrix products, float32 tanh): 'wasm' (WebAssembly SIMD128, when the
 * host supports it), 'wasm-relaxed' (the same, with the matrix product's multiply-adds fused by relaxed SIMD) or 'js'
 * (the pure-TypeScript reference). 'auto', the default, picks 'wasm-relaxed' where the host validates relaxed SIMD,
 * else 'wasm' where it loads, else 'js'. Every backend gives the same values within float32 rounding, so tests run
 * each case under each backend; 'wasm' gives the same bits on every host, 'wasm-relaxed' (and so 'auto') not
 * quite: a fused multiply-add rounds once where SIMD128 rounds twice.
 */
export type KernelBackend = 'auto' | 'wasm' | 'wasm-relaxed' | 'js';

// One choice for every copy of the library in the process (shared.ts).
const choice = shared('kernelBackend', (): { selected: KernelBackend } => ({ selected: 'auto' }));

/**
 * Chooses the kernel backend for the calls that follow.
 * @example
 * setKernelBackend('js');      // the TypeScript reference kernels only
 * setKernelBackend('wasm');    // WebAssembly for every float product and float32 tanh, however small (throws if unavailable)
 * setKernelBackend('wasm-relaxed');   // the same with fused multiply-adds in products (throws where relaxed SIMD is not validated)
 * setKernelBackend('auto');    // WebAssembly, relaxed SIMD where validated (the default)
 */
export function setKernelBackend(backend: KernelBackend): void {
  if (backend !== 'auto' && backend !== 'wasm' && backend !== 'wasm-relaxed' && backend !== 'js')
    throw new TypeError(`setKernelBackend: unknown backend ${String(backend)}; expected 'auto', 'wasm', 'wasm-relaxed' or 'js'`);
  if (backend === 'wasm' && !wasmGemmAvailable())
    throw new TypeError(
      'setKernelBackend: the WebAssembly SIMD backend is not available on this host (no WebAssembly, or no SIMD support)',
    );
  if (backend === 'wasm-relaxed' && !wasmRelaxedGemmAvailable())
    throw new TypeError(
      "setKernelBackend: this host does not validate WebAssembly relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd); 'wasm' works everywhere",
    );
  choice.selected = backend;
}

/** The backend chosen with setKernelBackend ('auto' unless changed). */
export function getKernelBackend(): KernelBackend {
  return choice.selected;
}

/**
 * True when a WebAssembly kernel should take a call on `n` elements that is copied into its module's memory: always
 * under 'wasm' and 'wasm-relaxed', under 'auto' from `autoMin` elements (below, the copies cost more than they save).
 */
export function wasmChosen(n: number, autoMin: number): boolean {
  const backend = getKernelBackend();
  return backend === 'wasm' || backend === 'wasm-relaxed' || (backend === 'auto' && n >= autoMin);
}

/**
 * How a broadcasting binary kernel walks its operands (core's BroadcastPlan): the output is `rows` contiguous runs
 * of `len` elements; run r reads `a` from `aOff[r]` with step `sa` and `b` from `bOff[r]` with step `sb` (each step
 * 0 or 1). Same-shape and one-element operands make a single run.
 */
export interface BroadcastRuns {
  /** How many runs the output is split into. */
  readonly rows: number;
  /** The length of every run. */
  readonly len: number;
  /** The step through `a` within a run: 0 (a broadcast value) or 1. */
  readonly sa: number;
  /** The step through `b` within a run: 0 or 1. */
  readonly sb: number;
  /** Where run r starts reading `a`. */
  readonly aOff: Int32Array;
  /** Where run r starts reading `b`. */
  readonly bOff: Int32Array;
}

/**
 * A reduction a backend supplies ('sum', 'max' or 'min', NaN propagating for the last two): `all` reduces a whole
 * array, `axis` the middle axis of `x` viewed as [outer, n, inner] into `out` ([outer, inner], zeros on entry).
 * Either returns undefined / false to decline.
 */
export interface ReduceImplementation {
  /** The reduction of all of `x`, or undefined to decline. */
  all?(x: TypedArray): number | undefined;
  /** The reduction of the middle axis of `x` as [outer, n, inner] into `out`; false to decline. */
  axis?(x: TypedArray, out: TypedArray, outer: number, n: number, inner: number): boolean;
}

/** A unary kernel a backend supplies: `out[i] = f(x[i])` (arrays of one length); false to decline. */
export type UnaryImplementation = (x: TypedArray, out: TypedArray) => boolean;

/** A binary kernel a backend supplies: `out = f(a, b)` over the broadcast runs; false to decline. */
export type BinaryImplementation = (a: TypedArray, b: TypedArray, out: TypedArray, runs: BroadcastRuns) => boolean;

/**
 * An in-place update a backend supplies: 'addInPlace' is `x[i] += alpha * y[i]` over arrays of one length (x's
 * dtype, the sum evaluated in double and rounded once, as core's loop does); false to decline.
 */
export type InPlaceImplementation = (x: TypedArray, y: TypedArray, alpha: number) => boolean;

/**
 * A fused optimiser update a backend supplies for CPU arrays: the rule and hyperparameters as deviceOptimizerStep
 * takes them, the parameter (updated in place), its gradient and the rule's state arrays, all of one dtype and
 * length. It must give the bits of nn's own loop for that rule; false to decline (a rule or option it lacks).
 */
export type OptimizerImplementation = (
  update: DeviceOptimizerUpdate,
  param: TypedArray,
  grad: TypedArray,
  state: readonly TypedArray[],
) => boolean;

/**
 * Kernels a backend package supplies in place of core's own (the kernel seam), keyed by the name of the core kernel
 * each one replaces: unary 'exp', 'tanh', 'relu', ... and binary 'add', 'mul', 'greater', 'tanhGrad', ... (the
 * names of ndarray/kernels/unary.ts and binary.ts), the reductions 'sum', 'max', 'min' and the in-place update
 * 'addInPlace'. An implementation works
 * on flat typed arrays of the operands' dtypes into a preallocated result, and returns false (or undefined) to
 * decline a call it does not handle (a dtype, a size too small to pay for the call), which core's own kernel then
 * runs. It must compute what core's kernel computes: bit for bit for arithmetic and for reductions (they sum in
 * core's order: four running sums over a whole array, one run per axis), within the ulps its package documents
 * for libm functions. Gradient rules never know which ran, so no rule changes when a backend is added.
 *
 * Installed sets run only under the 'auto' backend, newest first; 'js', 'wasm' and 'wasm-relaxed' keep their
 * meaning (core's own kernels), which is what lets each Jest backend project test core's kernels. Scalars never
 * reach a backend: one number is cheaper in JavaScript than any call.
 */
export interface KernelSet {
  /** Unary kernels by core kernel name ('exp', 'tanh', 'relu', ...). */
  readonly unary?: Readonly<Partial<Record<string, UnaryImplementation>>>;
  /** Binary kernels by core kernel name ('add', 'mul', 'greater', 'tanhGrad', ...). */
  readonly binary?: Readonly<Partial<Record<string, BinaryImplementation>>>;
  /** Reductions by kind: 'sum', 'max', 'min'. */
  readonly reduce?: Readonly<Partial<Record<string, ReduceImplementation>>>;
  /** In-place updates by op name: 'addInPlace' (an SGD step, `p.addInPlace(g, -lr)`). */
  readonly inPlace?: Readonly<Partial<Record<string, InPlaceImplementation>>>;
  /**
   * The sum of `a[i] * b[i]` over two arrays of one length and float dtype, each product rounded to that dtype and
   * summed as core's full sum (four running sums in double): mul's gradient for a one-element operand. Undefined
   * to decline.
   */
  readonly sumOfProducts?: (a: TypedArray, b: TypedArray) => number | undefined;
  /** Fused optimiser updates of CPU parameters (nn's SGD, Adam and AdamW try it before their own loops). */
  readonly optimizer?: OptimizerImplementation;
  /** Whole fused programs (what `fuse` compiles), run in one pass; see {@link FusedImplementation}. */
  readonly fused?: FusedImplementation;
}

/**
 * Where a fused program's slot gets its value: an input array of the full size ('full'), one element of an input
 * broadcast ('scalar'), an input gathered through `strides` ('partial'), a constant, or a step's result (one element
 * when `scalar`, else the full size).
 */
export type FusedSlot =
  | {
      /** Read from an input of the full size. */
      readonly kind: 'full';
      /** Which input. */
      readonly input: number;
    }
  | {
      /** Read from an input's one element. */
      readonly kind: 'scalar';
      /** Which input. */
      readonly input: number;
    }
  | {
      /** Read from an input broadcast to the full shape. */
      readonly kind: 'partial';
      /** Which input. */
      readonly input: number;
      /** The input's stride along each axis of the full shape (0 where it is broadcast). */
      readonly strides: readonly number[];
    }
  | {
      /** A constant of the traced function. */
      readonly kind: 'const';
      /** Its value (rounded to the program's dtype when used). */
      readonly value: number;
    }
  | {
      /** Written by a step. */
      readonly kind: 'step';
      /** Whether the value is one element (every operand of its step was) rather than the full size. */
      readonly scalar: boolean;
    };

/** One kernel call of a fused program: `out = kernel(a)`, or `out = kernel(a, b)`. */
export interface FusedStep {
  /** The core kernel called, by name ('add', 'tanh', 'tanhGrad', ...). */
  readonly kernel: {
    /** The kernel's name in ndarray/kernels/unary.ts or binary.ts. */
    readonly name: string;
  };
  /** The first operand's slot. */
  readonly a: number;
  /** The second operand's slot; -1 for a unary kernel. */
  readonly b: number;
  /** The slot written. */
  readonly out: number;
}

/** What a fused program hands back: a slot written out element by element, or summed. */
export interface FusedOutput {
  /** The slot. */
  readonly slot: number;
  /** Summed (core's full sum) rather than written out. */
  readonly reduce: boolean;
}

/**
 * A program `fuse` compiled (core's fusion/block-program.ts): kernel calls over slots, every value rounded to
 * `dtype` by its kernel; each output is written out element by element or summed as core's full sum (four running
 * sums in double).
 */
export interface FusedProgram {
  /** The dtype of every value. */
  readonly dtype: 'float32' | 'float64';
  /** The full (broadcast) shape every full-size value has. */
  readonly shape: readonly number[];
  /** The number of elements of the full shape. */
  readonly size: number;
  /** The slots, by index. */
  readonly slots: readonly FusedSlot[];
  /** The kernel calls, in order. */
  readonly steps: readonly FusedStep[];
  /** What the program hands back. */
  readonly outputs: readonly FusedOutput[];
}

/**
 * Runs a whole fused program: `inputs` as its slots read them, each written output into `written[k]` (full size,
 * null for a reduced output); returns each output's sum (0 for a written one), or undefined to decline. It must give
 * the bits core's own run gives (each step as its kernel, rounded to the dtype; sums in core's order).
 */
export type FusedImplementation = (
  program: FusedProgram,
  inputs: readonly TypedArray[],
  written: ReadonlyArray<TypedArray | null>,
) => readonly number[] | undefined;

// Installed sets, newest first; shared by every copy of the library in the process (shared.ts).
const sets = shared('kernelSets', () => ({ installed: [] as Array<{ readonly name: string; readonly kernels: KernelSet }> }));

/**
 * Installs a backend's kernels under `name` (replacing what that name installed before), or removes them with
 * `null`. See KernelSet for what an implementation must do.
 * @example
 * setKernelSet('native', { unary: { tanh: (x, out) => x instanceof Float64Array && addon.tanh(x, out) } });
 * setKernelSet('native', null);   // core's own kernels again
 */
export function setKernelSet(name: string, kernels: KernelSet | null): void {
  if (typeof name !== 'string' || name === '') throw new TypeError(`setKernelSet: a kernel set needs a name, got ${String(name)}`);
  if (kernels !== null && (typeof kernels !== 'object' || kernels === undefined))
    throw new TypeError(`setKernelSet: expected an object of kernels, or null; got ${String(kernels)}`);
  sets.installed = sets.installed.filter((s) => s.name !== name);
  if (kernels !== null) sets.installed = [{ name, kernels }, ...sets.installed];
}

/**
 * The names of the installed kernel sets, newest first.
 * @example
 * kernelSetNames();   // ['native'] after enableNative()
 */
export function kernelSetNames(): string[] {
  return sets.installed.map((s) => s.name);
}

function active(): ReadonlyArray<{ readonly kernels: KernelSet }> | null {
  return sets.installed.length === 0 || choice.selected !== 'auto' ? null : sets.installed;
}

/** @internal runs an installed unary kernel: true when one wrote `out`. */
export function installedUnary(kernel: string, x: TypedArray, out: TypedArray): boolean {
  const list = active();
  if (list === null) return false;
  for (const { kernels } of list) if (kernels.unary?.[kernel]?.(x, out) === true) return true;
  return false;
}

/** @internal runs an installed binary kernel: true when one wrote `out`. */
export function installedBinary(kernel: string, a: TypedArray, b: TypedArray, out: TypedArray, runs: BroadcastRuns): boolean {
  const list = active();
  if (list === null) return false;
  for (const { kernels } of list) if (kernels.binary?.[kernel]?.(a, b, out, runs) === true) return true;
  return false;
}

/** @internal an installed whole-array reduction's result, or undefined. */
export function installedReduceAll(kind: string, x: TypedArray): number | undefined {
  const list = active();
  if (list === null) return undefined;
  for (const { kernels } of list) {
    const r = kernels.reduce?.[kind]?.all?.(x);
    if (r !== undefined) return r;
  }
  return undefined;
}

/** @internal runs an installed axis reduction: true when one wrote `out`. */
export function installedReduceAxis(kind: string, x: TypedArray, out: TypedArray, outer: number, n: number, inner: number): boolean {
  const list = active();
  if (list === null) return false;
  for (const { kernels } of list) if (kernels.reduce?.[kind]?.axis?.(x, out, outer, n, inner) === true) return true;
  return false;
}

/** @internal an installed sum of products' result, or undefined. */
export function installedSumOfProducts(a: TypedArray, b: TypedArray): number | undefined {
  const list = active();
  if (list === null) return undefined;
  for (const { kernels } of list) {
    const r = kernels.sumOfProducts?.(a, b);
    if (r !== undefined) return r;
  }
  return undefined;
}

/** @internal an installed kernel set's run of a whole fused program (its sums), or undefined. */
export function installedFused(
  program: FusedProgram,
  inputs: readonly TypedArray[],
  written: ReadonlyArray<TypedArray | null>,
): readonly number[] | undefined {
  const list = active();
  if (list === null) return undefined;
  for (const { kernels } of list) {
    const r = kernels.fused?.(program, inputs, written);
    if (r !== undefined) return r;
  }
  return undefined;
}

/** @internal runs an installed in-place update: true when one changed `x`. */
export function installedInPlace(kernel: string, x: TypedArray, y: TypedArray, alpha: number): boolean {
  const list = active();
  if (list === null) return false;
  for (const { kernels } of list) if (kernels.inPlace?.[kernel]?.(x, y, alpha) === true) return true;
  return false;
}

/**
 * Runs an installed kernel set's fused optimiser update on CPU typed arrays, in place; returns false, changing
 * nothing, when no installed set takes it (then the caller runs its own loop). nn's SGD, Adam and AdamW call it
 * for every CPU parameter, so `enableNative()` makes their steps one C loop each.
 * @example
 * const p = new Float32Array([1, 2]);
 * const update = { rule: 'sgd', lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, firstStep: true } as const;
 * if (!runOptimizerKernel(update, p, new Float32Array([0.5, 0.5]), [])) for (let i = 0; i < 2; i++) p[i] -= 0.1 * 0.5;
 */
export function runOptimizerKernel(
  update: DeviceOptimizerUpdate,
  param: TypedArray,
  grad: TypedArray,
  state: readonly TypedArray[],
): boolean {
  const list = active();
  if (list === null) return false;
  for (const { kernels } of list) if (kernels.optimizer?.(update, param, grad, state) === true) return true;
  return false;
}
