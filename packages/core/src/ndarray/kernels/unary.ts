/** Elementwise unary kernels: a number form (Scalar nodes) and a typed-array loop (Tensor nodes). */
import { DType, TypedArray, allocate, floatResult } from '../dtype.js';
import { NDArray } from '../ndarray.js';

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

export const neg = define('neg', (x) => -x, (X, O) => { for (let i = 0; i < X.length; i++) O[i] = -X[i]; }, same);
export const exp = define('exp', Math.exp, (X, O) => { for (let i = 0; i < X.length; i++) O[i] = Math.exp(X[i]); });
export const log = define('log', Math.log, (X, O) => { for (let i = 0; i < X.length; i++) O[i] = Math.log(X[i]); });
export const sqrt = define('sqrt', Math.sqrt, (X, O) => { for (let i = 0; i < X.length; i++) O[i] = Math.sqrt(X[i]); });
export const sin = define('sin', Math.sin, (X, O) => { for (let i = 0; i < X.length; i++) O[i] = Math.sin(X[i]); });
export const cos = define('cos', Math.cos, (X, O) => { for (let i = 0; i < X.length; i++) O[i] = Math.cos(X[i]); });
export const tanh = define('tanh', Math.tanh, (X, O) => { for (let i = 0; i < X.length; i++) O[i] = Math.tanh(X[i]); });
export const abs = define('abs', Math.abs, (X, O) => { for (let i = 0; i < X.length; i++) O[i] = Math.abs(X[i]); }, same);
export const sign = define('sign', Math.sign, (X, O) => { for (let i = 0; i < X.length; i++) O[i] = Math.sign(X[i]); }, same);
export const relu = define('relu', (x) => (x > 0 ? x : 0), (X, O) => { for (let i = 0; i < X.length; i++) { const x = X[i]; O[i] = x > 0 ? x : 0; } }, same);
export const sigmoid = define('sigmoid', sigmoidNumber, (X, O) => { for (let i = 0; i < X.length; i++) O[i] = sigmoidNumber(X[i]); });
export const softplus = define('softplus', softplusNumber, (X, O) => { for (let i = 0; i < X.length; i++) O[i] = softplusNumber(X[i]); });

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
