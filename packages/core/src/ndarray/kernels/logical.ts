/**
 * Comparison and logical kernels that build masks: 1 where the predicate holds, 0 elsewhere, in the operands'
 * (promoted) dtype. A value is true when it is not 0, so NaN
 * is true, as in PyTorch's bool(nan) and NumPy's.
 */
import type { DType, TypedArray } from '../dtype.js';
import type { BinaryKernel } from './binary.js';
import type { UnaryKernel } from './unary.js';

const same = (d: DType): DType => d;

function predicate2(name: string, holds: (a: number, b: number) => boolean): BinaryKernel {
  return {
    name,
    arity: 2,
    scalar: (a, b) => (holds(a, b) ? 1 : 0),
    loop(A, B, O, p) {
      for (let r = 0, o = 0; r < p.rows; r++)
        for (let j = 0, a = p.aOff[r], b = p.bOff[r]; j < p.len; j++, a += p.sa, b += p.sb) O[o++] = holds(A[a], B[b]) ? 1 : 0;
    },
    resultDType: same,
  };
}

function predicate1(name: string, holds: (x: number) => boolean): UnaryKernel {
  return {
    name,
    arity: 1,
    scalar: (x) => (holds(x) ? 1 : 0),
    loop(X: TypedArray, O: TypedArray) {
      for (let i = 0; i < X.length; i++) O[i] = holds(X[i]) ? 1 : 0;
    },
    resultDType: same,
  };
}

export const eq = predicate2('eq', (a, b) => a === b);
export const ne = predicate2('ne', (a, b) => a !== b);
export const lt = predicate2('lt', (a, b) => a < b);
export const le = predicate2('le', (a, b) => a <= b);
export const gt = predicate2('gt', (a, b) => a > b);
export const ge = predicate2('ge', (a, b) => a >= b);
export const logicalAnd = predicate2('logicalAnd', (a, b) => a !== 0 && b !== 0);
export const logicalOr = predicate2('logicalOr', (a, b) => a !== 0 || b !== 0);
export const logicalXor = predicate2('logicalXor', (a, b) => (a !== 0) !== (b !== 0));
export const logicalNot = predicate1('logicalNot', (x) => x === 0);
export const isNaN = predicate1('isNaN', (x) => x !== x);
export const isFinite = predicate1('isFinite', (x) => x - x === 0);
