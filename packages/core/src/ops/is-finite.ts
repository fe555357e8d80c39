// y = [x is NaN], [x is finite] (neither NaN nor +-Infinity): 1 or 0, in x's dtype; no gradient and no tangent (predicate.ts).
import { isFinite as finiteKernel, isNaN as nanKernel } from '../ndarray/kernels/logical.js';
import { predicate } from './predicate.js';

export const isNaN = predicate(nanKernel);
export const isFinite = predicate(finiteKernel);
