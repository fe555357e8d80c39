// y = [a == b], [a != b], [a < b], [a <= b], [a > b], [a >= b]: 1 where the comparison holds, else 0, broadcasting,
// in the operands' promoted dtype; no gradient and no tangent (predicate.ts). NaN compares unequal to everything.
import * as kernels from '../ndarray/kernels/logical.js';
import { predicate } from './predicate.js';

export const eq = predicate(kernels.eq);
export const ne = predicate(kernels.ne);
export const lt = predicate(kernels.lt);
export const le = predicate(kernels.le);
export const gt = predicate(kernels.gt);
export const ge = predicate(kernels.ge);
