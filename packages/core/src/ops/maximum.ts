// y = max(a, b) elementwise; da = dy * ([a > b] + 1/2 [a = b]), db = dy * ([b > a] + 1/2 [a = b])
// y = min(a, b) elementwise; da = dy * ([a < b] + 1/2 [a = b]), db = dy * ([b < a] + 1/2 [a = b])
// Ties split the gradient evenly, as in PyTorch and JAX. One rule serves both: the input that wins gets dy.
// Forward, the same weights: ty = ta * ([a wins] + 1/2 [a = b]) + tb * ([b wins] + 1/2 [a = b]).
import { type BinaryKernel, equal, greater, maximum as maxKernel, minimum as minKernel } from '../ndarray/kernels/binary.js';
import { addTangents } from '../autodiff/grad-math.js';
import { type BinaryOp, elementwise } from './elementwise.js';

function pairwise(name: 'maximum' | 'minimum', kernel: BinaryKernel): BinaryOp {
  const isMax = name === 'maximum';
  return elementwise({
    name,
    kernel,
    saves: 'inputs',
    gradient(m, ctx, dy) {
      const a = m.input(ctx, 0);
      const b = m.input(ctx, 1);
      // Input 0 wins where first > second (a > b for maximum, b > a for minimum).
      const [first, second] = isMax ? [a, b] : [b, a];
      const half = m.mul(m.mask(equal, a, b), 0.5);
      if (ctx.needsGrad(0)) m.inputGrad(0, m.mul(dy, m.add(m.mask(greater, first, second), half)));
      if (ctx.needsGrad(1)) m.inputGrad(1, m.mul(dy, m.add(m.mask(greater, second, first), half)));
    },
    tangent(m, ctx, ta, tb) {
      const a = m.input(ctx, 0);
      const b = m.input(ctx, 1);
      const [first, second] = isMax ? [a, b] : [b, a];
      const half = m.mul(m.mask(equal, a, b), 0.5);
      return addTangents(
        m,
        ta && m.mul(ta, m.add(m.mask(greater, first, second), half)),
        tb && m.mul(tb, m.add(m.mask(greater, second, first), half)),
      );
    },
  });
}

export const maximum = pairwise('maximum', maxKernel);
export const minimum = pairwise('minimum', minKernel);
