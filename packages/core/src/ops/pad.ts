// y = x widened by before[a] elements in front of each axis a and after[a] behind it, the new elements `value` (a
// negative width crops instead): y[i + before] = x[i] wherever both exist. y is affine in x, and
// dx = pad(dy) with every width negated and value 0: dy cropped back to x's box, zeros where x was cropped away.
// That adjoint is itself a pad, so every order is differentiable. Forward mode: ty = pad(tx, widths, value 0).
// Batched (vmap): the same pad of the batched value, with width 0 on the batch axis.
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { padArray } from '../ndarray/kernels/pad.js';
import { withBatchEntry } from './batching.js';

export interface PadAttrs {
  readonly before: readonly number[];
  readonly after: readonly number[];
  readonly value: number;
}

export const pad: OpWithRules<PadAttrs, [TensorNode]> = defineOp({
  name: 'pad',
  forward: (ctx, x) => padArray(x.raw, ctx.attrs.before, ctx.attrs.after, ctx.attrs.value),
  backward: (ctx, dy) => [pad(dy, { before: ctx.attrs.before.map((w) => -w), after: ctx.attrs.after.map((w) => -w), value: 0 })],
  tangent: (_m, ctx, tx) => pad(tx!, { ...ctx.attrs, value: 0 }),
  batch(ctx, x) {
    const dim = x.dim!;
    const { before, after, value } = ctx.attrs;
    return { value: pad(x.value, { before: withBatchEntry(before, dim, 0), after: withBatchEntry(after, dim, 0), value }), dim };
  },
});
