// y = exp(x - m) / sum exp(x - m) along `axis`, m the slice's maximum (nothing overflows);
// dx = y * (dy - sum(dy * y)) along the axis; forward ty = y * (tx - sum(tx * y)) along the axis (J is symmetric).
// Batched (vmap): the same op on the batched value, along the same axis of each sample.
// Fused for a measured reason (STYLE.md): the composite exp(x - logSumExp(x)) lost its normalisation for large
// float32 logits. Its test checks it against that composite, which stays the oracle.
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { softmaxArray } from '../ndarray/kernels/softmax.js';
import { physicalAxis } from './batching.js';

type AxisOp = OpWithRules<{ readonly axis: number }, [TensorNode]>;

/** A rule of softmax or logSoftmax in its output y, along `axis`. */
type OutputRule = (y: TensorNode, d: TensorNode, axis: number) => TensorNode;

/** softmax or logSoftmax: its name, whether it gives the log, and its two rules in its output. */
export interface SoftmaxDefinition {
  readonly name: string;
  readonly log: boolean;
  /** dx from dy. */
  readonly backward: OutputRule;
  /** ty from tx. */
  readonly tangent: OutputRule;
}

/**
 * softmax or logSoftmax (`log`): the fused kernel, the output saved for the rules (backward's given dy, the tangent's
 * given tx), and under vmap the same op along the same axis of each sample.
 */
export function softmaxOp({ name, log, backward, tangent }: SoftmaxDefinition): AxisOp {
  const op: AxisOp = defineOp({
    name,
    forward(ctx, x) {
      ctx.saveOutput();
      return softmaxArray(x.raw, ctx.attrs.axis, log);
    },
    backward: (ctx, dy) => [backward(ctx.output!, dy, ctx.attrs.axis)],
    tangent: (m, ctx, tx) => tangent(m.output(ctx), tx!, ctx.attrs.axis),
    batch(ctx, x) {
      ctx.saveOutput();
      return { value: op(x.value, { axis: physicalAxis(ctx.attrs.axis, x.dim!) }), dim: x.dim! };
    },
  });
  return op;
}

export const softmax: AxisOp = softmaxOp({
  name: 'softmax',
  log: false,
  backward: (y, dy, axis) => y.mul(dy.sub(dy.mul(y).sum(axis, true))),
  tangent: (y, tx, axis) => y.mul(tx.sub(tx.mul(y).sum(axis, true))),
});
