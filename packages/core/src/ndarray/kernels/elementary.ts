/**
 * The elementary functions beyond exp/log/sin/cos: log1p, expm1, the inverse trig functions, the hyperbolic
 * functions and their inverses, and atan2. Each is its Math function (V8's are fdlibm ports, correctly rounded
 * or within an ulp, and accurate near 0 where log(1 + x) or e^x - 1 would cancel), as a number form and a loop.
 */
import { type TypedArray, floatResult } from '../dtype.js';
import type { BinaryKernel } from './binary.js';
import type { UnaryKernel } from './unary.js';

function unaryOf(name: string, f: (x: number) => number): UnaryKernel {
  const loop = (X: TypedArray, O: TypedArray): void => {
    for (let i = 0; i < X.length; i++) O[i] = f(X[i]);
  };
  return { name, arity: 1, scalar: f, loop, resultDType: floatResult };
}

export const log1p = unaryOf('log1p', Math.log1p);
export const expm1 = unaryOf('expm1', Math.expm1);
export const asin = unaryOf('asin', Math.asin);
export const acos = unaryOf('acos', Math.acos);
export const atan = unaryOf('atan', Math.atan);
export const sinh = unaryOf('sinh', Math.sinh);
export const cosh = unaryOf('cosh', Math.cosh);
export const asinh = unaryOf('asinh', Math.asinh);
export const acosh = unaryOf('acosh', Math.acosh);
export const atanh = unaryOf('atanh', Math.atanh);

/** atan2(a, b): the angle of the point (b, a), in (-pi, pi]; int32 operands give float64. */
export const atan2: BinaryKernel = {
  name: 'atan2',
  arity: 2,
  scalar: Math.atan2,
  loop(A, B, O, p) {
    for (let r = 0, o = 0; r < p.rows; r++)
      for (let j = 0, a = p.aOff[r], b = p.bOff[r]; j < p.len; j++, a += p.sa, b += p.sb) O[o++] = Math.atan2(A[a], B[b]);
  },
  resultDType: floatResult,
};
