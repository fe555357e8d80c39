/** Elementwise unary kernels: a number form (Scalar nodes) and a typed-array loop (Tensor nodes). */
import { DType, TypedArray, allocate, floatResult } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import { getKernelBackend } from '../../backend/kernel-backend.js';
import { wasmTanhF32 } from '../../backend/wasm-tanh.js';

export interface UnaryKernel {
  readonly name: string;
  readonly scalar: (x: number) => number;
  readonly loop: (x: TypedArray, out: TypedArray) => void;
  readonly resultDType: (d: DType) => DType;
}

const same = (d: DType): DType => d;

function define(name: string, scalar: (x: number) => number, loop: UnaryKernel['loop'], resultDType = floatResult): UnaryKernel {
  return { name, scalar, loop, resultDType };
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
/** Under 'auto', shorter arrays stay in TypeScript: the copies in and out of WebAssembly memory cost more. */
const WASM_MIN_ELEMENTS = 256;

/**
 * tanh into float32 storage as a [13/6] odd rational function (the approximation Eigen's and XNNPACK's float
 * kernels use), evaluated in double. Math.tanh costs about six times as much, and a float32 result cannot hold
 * its extra digits: the rational form stays within 3 float32 ulps of the exact value (tanh.test.ts checks it
 * against Math.tanh over eight decades). float64 tensors and Scalars keep Math.tanh.
 */
function tanhFloat32(X: TypedArray, O: Float32Array): void {
  let from = 0;
  const backend = getKernelBackend();
  if (
    X instanceof Float32Array &&
    (backend === 'wasm' || backend === 'wasm-relaxed' || (backend === 'auto' && X.length >= WASM_MIN_ELEMENTS))
  ) {
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
  for (let i = from; i < X.length; i++) {
    const x = X[i];
    if (!(Math.abs(x) < TANH_RATIONAL_LIMIT)) {
      O[i] = Math.tanh(x);
      continue;
    }
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
    O[i] = (x * p) / q;
  }
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
export const tanh = define('tanh', Math.tanh, (X, O) => {
  if (O instanceof Float32Array) tanhFloat32(X, O);
  else for (let i = 0; i < X.length; i++) O[i] = Math.tanh(X[i]);
});
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
export const relu = define(
  'relu',
  (x) => (x > 0 || x !== x ? x : 0),
  (X, O) => {
    for (let i = 0; i < X.length; i++) {
      const x = X[i];
      O[i] = x > 0 || x !== x ? x : 0;
    }
  },
  same,
);
export const sigmoid = define('sigmoid', sigmoidNumber, (X, O) => {
  for (let i = 0; i < X.length; i++) O[i] = sigmoidNumber(X[i]);
});
export const softplus = define('softplus', softplusNumber, (X, O) => {
  for (let i = 0; i < X.length; i++) O[i] = softplusNumber(X[i]);
});

export function unary(kernel: UnaryKernel, x: NDArray): NDArray {
  const out = allocate(kernel.resultDType(x.dtype), x.size);
  kernel.loop(x.data, out);
  return new NDArray(out, x.shape);
}

/** A unary map with a parameter (leakyRelu slope, clamp bounds): rare enough that a closure is fine. */
export function mapArray(x: NDArray, dtype: DType, f: (v: number) => number): NDArray {
  const out = allocate(dtype, x.size);
  const X = x.data;
  for (let i = 0; i < X.length; i++) out[i] = f(X[i]);
  return new NDArray(out, x.shape);
}
