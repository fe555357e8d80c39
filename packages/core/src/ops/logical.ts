// y = a AND b, a OR b, a XOR b, NOT x, where a value is true when it is not 0 (NaN is true, as in PyTorch): 1 or 0,
// broadcasting, in the operands' promoted dtype; no gradient and no tangent (predicate.ts).
import {
  logicalAnd as andKernel,
  logicalNot as notKernel,
  logicalOr as orKernel,
  logicalXor as xorKernel,
} from '../ndarray/kernels/logical.js';
import { predicate } from './predicate.js';

export const logicalAnd = predicate(andKernel);
export const logicalOr = predicate(orKernel);
export const logicalXor = predicate(xorKernel);
export const logicalNot = predicate(notKernel);
