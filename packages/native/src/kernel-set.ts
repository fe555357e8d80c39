/**
 * The addon's C elementwise and reduction kernels, plugged into core's kernel seam (`setKernelSet`): core then runs
 * them in place of its TypeScript loops under the 'auto' backend, and no rule changes.
 *
 * Only the kernels that give core's bits are installed: the arithmetic ones (a float32 expression evaluated in double
 * and rounded once, as JavaScript does; csrc/elementwise.c), relu and its gradient, float32 tanh (core's rational
 * form), the reductions and sums of products (core's order of sums), addInPlace (an SGD step), nn's SGD, Adam and
 * AdamW updates, and whole fused programs made of those kernels (program.ts). The libm ones (exp, log, sin, cos, pow, sigmoid, softplus,
 * float64 tanh) are within 1-3 ulps of V8's Math functions, not bit for bit, so they stay with core: with the native
 * backend on, gradients are the same bits as without it, apart from the matrix products (see docs/decisions.md).
 * Arrays shorter than `minElements` stay with core too: below that the call into the addon costs more than the loop.
 */
import type {
  BinaryImplementation,
  InPlaceImplementation,
  KernelSet,
  OptimizerImplementation,
  ReduceImplementation,
  TypedArray,
  UnaryImplementation,
} from '@tapegrad/core';
import type { FloatArray, NativeAddon } from './addon.js';
import { BINARY_KERNELS, type UnaryKernelName } from './kernel-names.js';
import { nativeFused } from './program.js';

/** Unary kernels that give core's bits in both float dtypes. */
const EXACT_UNARY = ['neg', 'abs', 'relu', 'sqrt', 'sign'] as const satisfies readonly UnaryKernelName[];
/** Binary kernels that give core's bits in both float dtypes: all but pow, which is libm's and stays with core. */
const EXACT_BINARY = BINARY_KERNELS.filter((name) => name !== 'pow');

/** Below this many elements an elementwise kernel or reduction stays with core (the call costs more than the loop). */
export const NATIVE_MIN_ELEMENTS = 256;

function isFloat(x: TypedArray): x is FloatArray {
  return x instanceof Float32Array || x instanceof Float64Array;
}

/** x and out both Float32Array or both Float64Array. */
function sameFloat(x: TypedArray, out: TypedArray): x is FloatArray {
  return (x instanceof Float32Array && out instanceof Float32Array) || (x instanceof Float64Array && out instanceof Float64Array);
}

/** The kernel set enableNative installs: core's kernel names mapped to the addon's, each declining what it cannot run. */
export function nativeKernelSet(addon: NativeAddon, minElements: number): KernelSet {
  const unary: Record<string, UnaryImplementation> = {};
  for (const name of EXACT_UNARY) {
    const run = addon.unary[name];
    unary[name] = (x, out) => x.length >= minElements && sameFloat(x, out) && (run(x, out as FloatArray), true);
  }
  // Core's float32 tanh is a rational form the addon evaluates bit for bit; float64 tanh is libm's (within 3 ulps).
  const tanh = addon.unary.tanh;
  unary.tanh = (x, out) => x.length >= minElements && x instanceof Float32Array && out instanceof Float32Array && (tanh(x, out), true);

  const binary: Record<string, BinaryImplementation> = {};
  for (const name of EXACT_BINARY) {
    const run = addon.binary[name];
    binary[name] = (a, b, out, p) =>
      out.length >= minElements &&
      sameFloat(a, out) &&
      sameFloat(b, out) &&
      (run(a, b, out as FloatArray, p.rows, p.len, p.sa, p.sb, p.aOff, p.bOff), true);
  }

  const extreme = (min: boolean): ReduceImplementation => ({
    all: (x) => (x.length >= minElements && isFloat(x) ? addon.extremeAll(x, min) : undefined),
    axis: (x, out, outer, n, inner) =>
      x.length >= minElements && sameFloat(x, out) && (addon.extremeAxis(x, out as FloatArray, outer, n, inner, min), true),
  });
  const reduce: Record<string, ReduceImplementation> = {
    sum: {
      all: (x) => (x.length >= minElements && isFloat(x) ? addon.sumAll(x) : undefined),
      axis: (x, out, outer, n, inner) =>
        x.length >= minElements && sameFloat(x, out) && (addon.sumAxis(x, out as FloatArray, outer, n, inner), true),
    },
    max: extreme(false),
    min: extreme(true),
  };
  // x += alpha * y, each element evaluated in double and rounded once (csrc/optim.c), as core's loop does.
  const inPlace: Record<string, InPlaceImplementation> = {
    addInPlace: (x, y, alpha) => x.length >= minElements && sameFloat(y, x) && (addon.axpy(x as FloatArray, y, alpha), true),
  };
  // Two arrays of one float dtype: core's result dtype is then theirs, so the addon rounds each product as core does.
  const sumOfProducts = (a: TypedArray, b: TypedArray): number | undefined =>
    a.length >= minElements && sameFloat(a, b) ? addon.sumOfProducts(a, b as FloatArray) : undefined;
  const fused = nativeFused(addon, minElements, givesCoreBits);
  return { unary, binary, reduce, inPlace, sumOfProducts, optimizer: optimizerKernel(addon, minElements), fused };
}

/** Whether the addon's kernel `name` gives core's bits in `dtype`: the kernels installed above, and only those. */
function givesCoreBits(name: string, unary: boolean, dtype: 'float32' | 'float64'): boolean {
  if (unary) return (EXACT_UNARY as readonly string[]).includes(name) || (name === 'tanh' && dtype === 'float32');
  return (EXACT_BINARY as readonly string[]).includes(name);
}

/**
 * nn's SGD (plain and with momentum) and Adam/AdamW on csrc/optim.c, which evaluates nn's loops' expressions in double
 * and rounds once per store, as JavaScript does. The constants are computed here exactly as nn's Adam computes them.
 * AMSGrad, RMSprop and AdaGrad have no C kernel and stay with nn's loops.
 */
function optimizerKernel(addon: NativeAddon, minElements: number): OptimizerImplementation {
  return (u, p, g, state) => {
    if (p.length < minElements || !sameFloat(g, p) || !state.every((s) => sameFloat(s, p))) return false;
    const states = state as readonly FloatArray[];
    if (u.rule === 'sgd') {
      if (u.momentum === 0) addon.sgd(p as FloatArray, g, u.lr, u.weightDecay);
      else addon.sgdMomentum(p as FloatArray, g, states[0], u.lr, u.weightDecay, u.momentum, u.dampening, u.nesterov, u.firstStep);
      return true;
    }
    if (u.rule !== 'adam' || u.amsgrad) return false;
    const [b1, b2] = u.betas;
    const stepSize = u.lr / (1 - b1 ** u.step);
    const rootC2 = Math.sqrt(1 - b2 ** u.step);
    const coupled = u.decoupled ? 0 : u.weightDecay;
    const shrink = u.decoupled ? 1 - u.lr * u.weightDecay : 1;
    addon.adam(p as FloatArray, g, states[0], states[1], b1, b2, stepSize, rootC2, u.eps, coupled, shrink);
    return true;
  };
}
