/** Elementwise unary kernels: a number form (Scalar nodes) and a typed-array loop (Tensor nodes). */
import { type DType, type TypedArray, allocateUnfilled, floatResult } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import { installedUnary } from './backend/kernel-backend.js';
import { wasmElementwiseChosen, wasmTanhF32, wasmUnary } from './backend/wasm-elementwise.js';

/** An elementwise kernel of one operand: its number form (Scalars) and its typed-array loop (Tensors). */
export interface UnaryKernel {
  /** The kernel's name; a device backend finds its own kernel by it. */
  readonly name: string;
  /** Always 1. */
  readonly arity: 1;
  /** The op on one number. */
  readonly scalar: (x: number) => number;
  /** The op over a typed array, written into `out`. */
  readonly loop: (x: TypedArray, out: TypedArray) => void;
  /** Result dtype from the operand's. */
  readonly resultDType: (d: DType) => DType;
  /**
   * The element form of the loop into float32 storage, where that is not `scalar` rounded (tanh's rational
   * approximation): what fused code (fusion/codegen.ts) evaluates per element to give the loop's bits.
   */
  readonly float32?: (x: number) => number;
}

const same = (d: DType): DType => d;

function define(name: string, scalar: (x: number) => number, loop: UnaryKernel['loop'], resultDType = floatResult): UnaryKernel {
  return { name, arity: 1, scalar, loop, resultDType };
}

/** Overflow-free logistic: never evaluates exp of a large positive number. */
export function sigmoidNumber(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|). */
export function softplusNumber(x: number): number {
  return (x > 0 ? x : 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

// Beyond this |x|, the rational form below loses accuracy; Math.tanh takes over (float32 tanh is 1 there anyway).
// wasm/tanh.ts holds the same constant.
const TANH_RATIONAL_LIMIT = 7.90531110763549805;

/**
 * tanh into float32 storage as a [13/6] odd rational function (the approximation Eigen's and XNNPACK's float
 * kernels use), evaluated in double. Math.tanh costs about six times as much, and a float32 result cannot hold
 * its extra digits: the rational form stays within 3 float32 ulps of the exact value (tanh.test.ts checks it
 * against Math.tanh over eight decades). float64 tensors and Scalars keep Math.tanh.
 */
function tanhFloat32(X: TypedArray, O: Float32Array): void {
  let from = 0;
  if (X instanceof Float32Array && wasmElementwiseChosen(X.length)) {
    // The WebAssembly kernel evaluates the same rational form two lanes at a time and gives the same bits;
    // it leaves an odd last element, and the values past the limit, to this loop.
    const outside = wasmTanhF32(X, O);
    if (outside >= 0) {
      from = X.length & ~1;
      if (outside > 0) {
        for (let i = 0; i < from; i++) {
          const x = X[i];
          if (!(Math.abs(x) < TANH_RATIONAL_LIMIT)) O[i] = Math.tanh(x);
        }
      }
    }
  }
  for (let i = from; i < X.length; i++) O[i] = tanhFloat32Number(X[i]);
}

/** One element of tanhFloat32: the rational form inside the limit, Math.tanh beyond it (and for NaN). */
export function tanhFloat32Number(x: number): number {
  if (!(Math.abs(x) < TANH_RATIONAL_LIMIT)) return Math.tanh(x);
  const x2 = x * x;
  let p = -2.76076847742355e-16;
  p = p * x2 + 2.00018790482477e-13;
  p = p * x2 - 8.60467152213735e-11;
  p = p * x2 + 5.12229709037114e-8;
  p = p * x2 + 1.48572235717979e-5;
  p = p * x2 + 6.37261928875436e-4;
  p = p * x2 + 4.89352455891786e-3;
  let q = 1.19825839466702e-6;
  q = q * x2 + 1.18534705686654e-4;
  q = q * x2 + 2.268434632439e-3;
  q = q * x2 + 4.89352518554385e-3;
  return (x * p) / q;
}

// erf by W. J. Cody's rational Chebyshev approximations ("Rational Chebyshev approximations for the error
// function", Math. Comp. 23, 1969, pp. 631-638; the coefficients of his SPECFUN routine CALERF). JavaScript has no
// Math.erf; these reach about 1e-16 relative error in float64 (erf.test.ts checks them against Python's math.erf).
/* eslint-disable no-loss-of-precision -- Cody's coefficients as he printed them; each rounds to the nearest double */
// |x| <= 0.46875:  erf(x) = x A(x^2) / B(x^2)
const ERF_A = [3.1611237438705656, 113.864154151050156, 377.485237685302021, 3209.37758913846947, 0.185777706184603153];
const ERF_B = [23.6012909523441209, 244.024637934444173, 1282.61652607737228, 2844.23683343917062];
// 0.46875 < |x| <= 4:  erfc(|x|) = e^(-x^2) C(|x|) / D(|x|)
const ERFC_C = [
  0.564188496988670089, 8.88314979438837594, 66.1191906371416295, 298.635138197400131, 881.95222124176909, 1712.04761263407058,
  2051.07837782607147, 1230.33935479799725, 2.15311535474403846e-8,
];
const ERFC_D = [
  15.7449261107098347, 117.693950891312499, 537.181101862009858, 1621.38957456669019, 3290.79923573345963, 4362.61909014324716,
  3439.36767414372164, 1230.33935480374942,
];
// |x| > 4:  erfc(|x|) = e^(-x^2) / |x| (1/sqrt(pi) - z P(z) / Q(z)),  z = 1 / x^2
const ERFC_P = [
  0.305326634961232344, 0.360344899949804439, 0.125781726111229246, 0.0160837851487422766, 6.58749161529837803e-4, 0.0163153871373020978,
];
const ERFC_Q = [2.56852019228982242, 1.87295284992346047, 0.527905102951428412, 0.0605183413124413191, 0.00233520497626869185];
const ONE_OVER_SQRT_PI = 0.56418958354775628695;
/* eslint-enable no-loss-of-precision */
// Past this |x|, erfc(|x|) is below the smallest double and erf(x) is +-1.
const ERFC_UNDERFLOW = 26.543;

/** A rational function's numerator or denominator in Cody's form: ((c[n] t + c[0]) t + c[1]) t ... + c[n - 1]. */
function codyPolynomial(c: readonly number[], lead: number, t: number, n: number): number {
  let v = lead * t;
  for (let i = 0; i < n - 1; i++) v = (v + c[i]) * t;
  return v + c[n - 1];
}

/** erf(x) in float64 (see above). */
export function erfNumber(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) {
    const t = y > 1.11e-16 ? y * y : 0;
    return (x * codyPolynomial(ERF_A, ERF_A[4], t, 4)) / codyPolynomial(ERF_B, 1, t, 4);
  }
  if (y >= ERFC_UNDERFLOW) return x < 0 ? -1 : 1;
  let ratio: number;
  if (y <= 4) ratio = codyPolynomial(ERFC_C, ERFC_C[8], y, 8) / codyPolynomial(ERFC_D, 1, y, 8);
  else {
    const z = 1 / (y * y);
    ratio = (ONE_OVER_SQRT_PI - (z * codyPolynomial(ERFC_P, ERFC_P[5], z, 5)) / codyPolynomial(ERFC_Q, 1, z, 5)) / y;
  }
  // e^(-y^2) as e^(-r^2) e^(-(y - r)(y + r)) with r = y rounded down to 1/16: y * y itself would carry a rounding
  // error that the exponential magnifies for large y.
  const r = Math.trunc(y * 16) / 16;
  const erfc = Math.exp(-r * r) * Math.exp(-(y - r) * (y + r)) * ratio;
  const e = 0.5 - erfc + 0.5;
  return x < 0 ? -e : e;
}

export const neg = define(
  'neg',
  (x) => -x,
  (X, O) => {
    for (let i = 0; i < X.length; i++) O[i] = -X[i];
  },
  same,
);
export const exp = define('exp', Math.exp, (X, O) => {
  for (let i = 0; i < X.length; i++) O[i] = Math.exp(X[i]);
});
export const log = define('log', Math.log, (X, O) => {
  for (let i = 0; i < X.length; i++) O[i] = Math.log(X[i]);
});
export const sqrt = define('sqrt', Math.sqrt, (X, O) => {
  for (let i = 0; i < X.length; i++) O[i] = Math.sqrt(X[i]);
});
export const sin = define('sin', Math.sin, (X, O) => {
  for (let i = 0; i < X.length; i++) O[i] = Math.sin(X[i]);
});
export const cos = define('cos', Math.cos, (X, O) => {
  for (let i = 0; i < X.length; i++) O[i] = Math.cos(X[i]);
});
export const tanh: UnaryKernel = {
  ...define('tanh', Math.tanh, (X, O) => {
    if (O instanceof Float32Array) tanhFloat32(X, O);
    else for (let i = 0; i < X.length; i++) O[i] = Math.tanh(X[i]);
  }),
  float32: tanhFloat32Number,
};
export const abs = define(
  'abs',
  Math.abs,
  (X, O) => {
    for (let i = 0; i < X.length; i++) O[i] = Math.abs(X[i]);
  },
  same,
);
export const sign = define(
  'sign',
  Math.sign,
  (X, O) => {
    for (let i = 0; i < X.length; i++) O[i] = Math.sign(X[i]);
  },
  same,
);
// NaN passes through (x !== x), as in PyTorch, TensorFlow.js, JAX and leakyRelu: a NaN must not turn into a clean 0.
// The loop picks x or 0 by indexing `pick` with the condition as a number: on data whose sign is random (a layer's
// pre-activations) the branch of `x > 0 ? x : 0` is mispredicted half the time, and the indexed pick is 3-4x faster
// on 300,000 float32 elements (docs/decisions.md, "Branch-free ReLU"), with the same bits.
const pick = new Float64Array(2);
export const relu = define(
  'relu',
  (x) => (x > 0 || x !== x ? x : 0),
  (X, O) => {
    for (let i = 0; i < X.length; i++) {
      const x = X[i];
      pick[1] = x;
      O[i] = pick[+(x > 0) | +(x !== x)];
    }
  },
  same,
);
export const erf = define('erf', erfNumber, (X, O) => {
  for (let i = 0; i < X.length; i++) O[i] = erfNumber(X[i]);
});
export const sigmoid = define('sigmoid', sigmoidNumber, (X, O) => {
  for (let i = 0; i < X.length; i++) O[i] = sigmoidNumber(X[i]);
});
export const softplus = define('softplus', softplusNumber, (X, O) => {
  for (let i = 0; i < X.length; i++) O[i] = softplusNumber(X[i]);
});

export function unary(kernel: UnaryKernel, x: NDArray): NDArray {
  if (x.device !== undefined) return x.device.unary(kernel, x);
  const out = allocateUnfilled(kernel.resultDType(x.dtype), x.size);
  if (!installedUnary(kernel.name, x.data, out) && !wasmUnary(kernel.name, x.data, out)) kernel.loop(x.data, out);
  return new NDArray(out, x.shape);
}

/** A unary map with a parameter (leakyRelu slope, clamp bounds): rare enough that a closure is fine. */
export function mapArray(x: NDArray, dtype: DType, f: (v: number) => number): NDArray {
  const out = allocateUnfilled(dtype, x.size);
  const X = x.data;
  for (let i = 0; i < X.length; i++) out[i] = f(X[i]);
  return new NDArray(out, x.shape);
}
