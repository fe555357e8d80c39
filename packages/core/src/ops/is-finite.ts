// y = [x is NaN], [x is finite] (neither NaN nor +-Infinity): 1 or 0, in x's dtype; no gradient and no tangent (predicate.ts).
import * as kernels from '../ndarray/kernels/logical.js';
import { predicate } from './predicate.js';

export const isNaN = predicate(kernels.isNaN);
export const isFinite = predicate(kernels.isFinite);
