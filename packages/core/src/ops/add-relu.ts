// y = max(a + b, 0) (broadcasting); da = db = dy * [y > 0] (summed to each shape), since y > 0 exactly when a + b > 0;
// forward ty = (ta + tb) * [y > 0]
// Fused because a Linear layer followed by ReLU then spends one pass and one allocation on the bias and the
// activation instead of two, and its backward reads the mask off the output (measured, STYLE.md). Its test checks
// it against the composite relu(add(a, b)), which stays the oracle.
import { addRelu as kernel, greater, reluGrad } from '../ndarray/kernels/binary.js';
import { addTangents } from '../autodiff/grad-math.js';
import { elementwise } from './elementwise.js';

export const addRelu = elementwise({
  name: 'addRelu',
  kernel,
  saves: 'output',
  gradient(m, ctx, dy) {
    const y = m.output(ctx);
    const dz = m.fused(reluGrad, dy, y) ?? m.mul(dy, m.mask(greater, y, 0));
    m.inputGrad(0, dz);
    m.inputGrad(1, dz);
  },
  tangent(m, ctx, ta, tb) {
    const y = m.output(ctx);
    const tz = addTangents(m, ta, tb)!;
    return m.fused(reluGrad, tz, y) ?? m.mul(tz, m.mask(greater, y, 0));
  },
});
