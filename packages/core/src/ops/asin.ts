// y = asin x on [-1, 1]; dx = dy / sqrt(1 - x^2); forward ty = tx / sqrt(1 - x^2)
// 1 - x^2 is taken as (1 - x)(1 + x), which keeps its digits as |x| nears 1; at +-1 the derivative is Infinity.
import type { RuleMath } from '../autodiff/grad-math.js';
import { asin as kernel } from '../ndarray/kernels/elementary.js';
import { elementwise } from './elementwise.js';

/** 1 / sqrt((1 - x)(1 + x)): asin's derivative, and minus acos's. */
export function asinDerivative<V>(m: RuleMath<V>, x: V): V {
  return m.pow(m.mul(m.neg(m.sub(x, 1)), m.add(x, 1)), -0.5);
}

export const asin = elementwise({
  name: 'asin',
  kernel,
  saves: 'inputs',
  timesDerivative: (m, g, x) => m.mul(g, asinDerivative(m, x)),
});
