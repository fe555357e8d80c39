// y = gelu x = x Phi(x) = x/2 (1 + erf(x / sqrt 2))                         (approximate: 'none', PyTorch's default)
//   dx = dy (Phi(x) + x phi(x)),  phi(x) = e^(-x^2/2) / sqrt(2 pi)
// y = x/2 (1 + t),  t = tanh(u),  u = sqrt(2/pi) (x + 0.044715 x^3)         (approximate: 'tanh')
//   dx = dy (1/2 (1 + t) + x/2 (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2))
// Forward mode: ty = tx gelu'(x). Fused: one pass forward and one for the gradient, where the composite takes about
// ten; the composite (x.mul(x.div(sqrt 2).erf().add(1)).mul(0.5), and the tanh form) is its test's oracle. Written in
// differentiable ops when recorded (createGraph), so higher derivatives flow. Batched (vmap): the same op on the batched value.
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import { isGradEnabled } from '../autodiff/mode.js';
import type { Node } from '../autodiff/node.js';
import type { GeluForm } from '../ndarray/kernels/activation.js';
import { geluArray, geluDerivative, geluGradArray, geluNumber } from '../ndarray/kernels/activation.js';
import { floatResult } from '../ndarray/dtype.js';
import { erf } from './erf.js';

export interface GeluAttrs {
  readonly approximate: GeluForm;
}

const TANH_SCALE = Math.sqrt(2 / Math.PI);
const TANH_CUBIC = 0.044715;

/** gelu'(x) in differentiable ops. */
function derivative(x: Node, form: GeluForm): Node {
  if (form === 'tanh') {
    const t = x.mul(x).mul(TANH_CUBIC).add(1).mul(x).mul(TANH_SCALE).tanh();
    const slope = x
      .mul(x)
      .mul(3 * TANH_CUBIC)
      .add(1)
      .mul(TANH_SCALE);
    return t
      .add(1)
      .mul(0.5)
      .add(x.mul(0.5).mul(t.mul(t).neg().add(1)).mul(slope));
  }
  const cdf = erf(x.mul(Math.SQRT1_2)).add(1).mul(0.5);
  const pdf = x
    .mul(x)
    .mul(-0.5)
    .exp()
    .mul(1 / Math.sqrt(2 * Math.PI));
  return cdf.add(x.mul(pdf));
}

/** g * gelu'(x): one fused pass when nothing is recorded, else in differentiable ops (so it differentiates again). */
function timesDerivative(g: Node, x: Node, form: GeluForm): Node {
  if (isGradEnabled()) return g.mul(derivative(x, form));
  const rg = g.raw;
  const rx = x.raw;
  if (typeof rg === 'number' || typeof rx === 'number') return x.make((rg as number) * geluDerivative(rx as number, form));
  return x.make(geluGradArray(rg, rx, form));
}

export const gelu: OpWithRules<GeluAttrs, [Node]> = defineOp({
  name: 'gelu',
  forward(ctx, x) {
    ctx.saveInputs();
    const r = x.raw;
    return typeof r === 'number' ? geluNumber(r, ctx.attrs.approximate) : geluArray(r, ctx.attrs.approximate, floatResult(r.dtype));
  },
  backward: (ctx, dy) => [timesDerivative(dy, ctx.saved[0], ctx.attrs.approximate)],
  tangent: (_m, ctx, tx) => timesDerivative(tx!, ctx.inputs[0], ctx.attrs.approximate),
  batch(ctx, x) {
    ctx.saveInputs();
    return { value: gelu(x.value, ctx.attrs), dim: x.dim! };
  },
});
