// y = silu x = x sigmoid(x); dx = dy * s (1 + x (1 - s)), s = sigmoid(x). Forward mode: ty = tx * s (1 + x (1 - s)).
// Fused (one kernel instead of sigmoid and mul, one pass for the gradient instead of five): x * x.sigmoid() is the
// composite its test checks it against.
import { silu as kernel, siluGrad } from '../ndarray/kernels/activation.js';
import type { RuleMath } from '../autodiff/grad-math.js';
import { elementwise } from './elementwise.js';

/** g * silu'(x): one fused pass when nothing is recorded, else in differentiable ops. */
function timesDerivative<V>(m: RuleMath<V>, g: V, x: V): V {
  const fused = m.fused(siluGrad, g, x);
  if (fused !== null) return fused;
  const s = m.sigmoid(x);
  return m.mul(g, m.mul(s, m.add(m.mul(x, m.add(m.neg(s), 1)), 1)));
}

export const silu = elementwise({
  name: 'silu',
  kernel,
  saves: 'inputs',
  timesDerivative,
});
