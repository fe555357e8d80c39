// y = a AND b, a OR b, a XOR b, NOT x, where a value is true when it is not 0 (NaN is true, as in PyTorch): 1 or 0,
// broadcasting, in the operands' promoted dtype; no gradient and no tangent (predicate.ts).
import * as kernels from '../ndarray/kernels/logical.js';
import { predicate } from './predicate.js';

export const logicalAnd = predicate(kernels.logicalAnd);
export const logicalOr = predicate(kernels.logicalOr);
export const logicalXor = predicate(kernels.logicalXor);
export const logicalNot = predicate(kernels.logicalNot);
