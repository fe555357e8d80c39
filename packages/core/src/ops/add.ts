// y = a + b (broadcasting); da = dy, db = dy (the sweep sums each back to its input's shape); forward ty = ta + tb
import { addTangents } from '../autodiff/grad-math.js';
import { add as kernel } from '../ndarray/kernels/binary.js';
import { elementwise } from './elementwise.js';

export const add = elementwise({
  name: 'add',
  kernel,
  saves: 'none',
  gradient(m, _ctx, dy) {
    m.inputGrad(0, dy);
    m.inputGrad(1, dy);
  },
  tangent: (m, _ctx, ta, tb) => addTangents(m, ta, tb),
});
