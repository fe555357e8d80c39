// y = [a == b], [a != b], [a < b], [a <= b], [a > b], [a >= b]: 1 where the comparison holds, else 0, broadcasting,
// in the operands' promoted dtype; no gradient and no tangent (predicate.ts). NaN compares unequal to everything.
import {
  eq as eqKernel,
  ge as geKernel,
  gt as gtKernel,
  le as leKernel,
  lt as ltKernel,
  ne as neKernel,
} from '../ndarray/kernels/logical.js';
import { predicate } from './predicate.js';

export const eq = predicate(eqKernel);
export const ne = predicate(neKernel);
export const lt = predicate(ltKernel);
export const le = predicate(leKernel);
export const gt = predicate(gtKernel);
export const ge = predicate(geKernel);
