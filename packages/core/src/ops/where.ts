// y = cond ? a : b (broadcasting all three); da = dy * [cond], db = dy * [!cond]; cond gets no gradient;
// forward ty = cond ? ta : tb (zeros for a branch that is not perturbed; a perturbed cond changes nothing)
// Batched (vmap): elementwise, so the three operands lined up as for any elementwise op (ops/batching.ts).
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import type { Node } from '../autodiff/node.js';
import { allocate, resultType } from '../ndarray/dtype.js';
import { broadcastTo } from '../ndarray/kernels/layout.js';
import { NDArray } from '../ndarray/ndarray.js';
import { deviceKernel } from '../ndarray/device.js';
import { broadcastShapes, sameShape } from '../ndarray/shape.js';
import { alignElementwise } from './batching.js';

function select(c: NDArray, a: NDArray, b: NDArray): NDArray {
  const device = a.device ?? b.device ?? c.device;
  if (device !== undefined) return deviceKernel(device, 'where').where(c, a, b);
  const shape = broadcastShapes(broadcastShapes(c.shape, a.shape, 'where'), b.shape, 'where');
  const [C, A, B] = [c, a, b].map((x) => (sameShape(x.shape, shape) ? x : broadcastTo(x, shape)).data);
  const out = allocate(resultType(a, b), C.length);
  for (let i = 0; i < C.length; i++) out[i] = C[i] !== 0 ? A[i] : B[i];
  return new NDArray(out, shape);
}

export const where: OpWithRules<undefined, [Node, Node, Node]> = defineOp({
  name: 'where',
  forward(ctx, cond, a, b) {
    ctx.save(cond);
    const rc = cond.raw;
    if (typeof rc === 'number') return rc !== 0 ? a.raw : b.raw;
    return select(rc, a.raw as NDArray, b.raw as NDArray);
  },
  backward(ctx, dy) {
    const [cond] = ctx.saved;
    const zero = dy.zerosLike();
    return [null, ctx.needsGrad(1) ? where(cond, dy, zero) : null, ctx.needsGrad(2) ? where(cond, zero, dy) : null];
  },
  tangent(_m, ctx, _tc, ta, tb) {
    if (ta === null && tb === null) return null;
    const [cond] = ctx.saved;
    return where(cond, ta ?? ctx.inputs[1].zerosLike(), tb ?? ctx.inputs[2].zerosLike());
  },
  batch(ctx, ...args) {
    ctx.save(ctx.inputs[0]);
    const { values, dim } = alignElementwise(args);
    const [c, a, b] = values;
    return { value: where(c, a, b), dim };
  },
});
