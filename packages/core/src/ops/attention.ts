// O = softmax(c Q K^T + M) V over [..., L, D] queries, [..., S, D] keys and [..., S, Dv] values, c the scale (1/sqrt(D)
// by default) and M the mask (additive; a boolean or causal mask adds -Infinity where a key is hidden). With
// P = softmax(c Q K^T + M) and G = dO:
//   dV = P^T G,   dP = G V^T,   dS = P (dP - rowsum(P dP)),   dQ = c dS K,   dK = c dS^T Q
// (summed over the batch axes an operand was broadcast along). Forward mode: with tS = c (tQ K^T + Q tK^T),
// tP = P (tS - rowsum(P tS)) and tO = tP V + P tV.
// Fused (ndarray/kernels/attention.ts): one block of one attention matrix at a time, forward and backward, with the
// softmax rows' log-sum-exps kept instead of P (backward recomputes P); the composite softmax(...).matmul(v) is its
// test's oracle. Recorded (createGraph), the rule is that composite's, in differentiable ops.
// Batched (vmap): the batch is one more leading batch axis of q, k and v (first, size-1 axes after it to line up
// with the others), and the composite computes it (it broadcasts over the batch axes as matmul does; the fused
// kernel's plan is fixed to the call's shapes). Nothing is saved for the fused backward, which then takes the
// composite's path too.
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import { isGradEnabled, noGrad } from '../autodiff/mode.js';
import type { TensorNode } from '../autodiff/node.js';
import type { AttentionPlan } from '../ndarray/kernels/attention.js';
import { attentionBackward, attentionForward } from '../ndarray/kernels/attention.js';
import { NDArray } from '../ndarray/ndarray.js';
import { deviceKernel } from '../ndarray/device.js';
import { matmulFlagged as matmul } from './matmul.js';
import { softmax } from './softmax.js';
import { where } from './where.js';
import { batchFirstPadded, sampleRank } from './batching.js';

/** The attention probabilities P in differentiable ops (the composite, materialised over every slice). */
function probabilities(q: TensorNode, k: TensorNode, plan: AttentionPlan): TensorNode {
  let s = matmul(q, k, { transposeB: true }).mul(plan.scale);
  const hidden = s.constant(-Infinity) as TensorNode;
  if (plan.mask !== null) {
    const m = q.make(plan.mask.array) as TensorNode;
    s = plan.mask.array.dtype === 'int32' ? where(m, s, hidden) : s.add(m);
  }
  if (plan.causal) {
    const tril = new Int32Array(plan.L * plan.S);
    for (let i = 0; i < plan.L; i++) for (let j = 0; j <= Math.min(i, plan.S - 1); j++) tril[i * plan.S + j] = 1;
    s = where(q.make(new NDArray(tril, [plan.L, plan.S])) as TensorNode, s, hidden);
  }
  return softmax(s, { axis: s.rank - 1 });
}

export const scaledDotProductAttention: OpWithRules<AttentionPlan, [TensorNode, TensorNode, TensorNode]> = defineOp({
  name: 'scaledDotProductAttention',
  forward(ctx, q, k, v) {
    const device = q.raw.device;
    if (device?.attention !== undefined) {
      // The device's fused kernels: its log-sum-exps (a device array) kept for its fused backward, with the output.
      const { out, lse } = device.attention(q.raw, k.raw, v.raw, ctx.attrs);
      ctx.save(q, k, v, lse);
      ctx.saveOutput();
      return out;
    }
    if (device !== undefined) {
      // A device without it: the composite on its kernels; nothing saved for the fused backward, which then takes the
      // composite's path too.
      ctx.save(q, k, v, null);
      return noGrad(() => matmul(probabilities(q, k, ctx.attrs), v, {}).raw);
    }
    const { out, lse } = attentionForward(q.raw, k.raw, v.raw, ctx.attrs);
    ctx.save(q, k, v, lse);
    return out;
  },
  backward(ctx, dy) {
    const [q, k, v, lse] = ctx.saved as unknown as [TensorNode, TensorNode, TensorNode, Float64Array | NDArray | null];
    const plan = ctx.attrs;
    if (isGradEnabled() || lse === null) {
      const p = probabilities(q, k, plan);
      const dp = matmul(dy, v, { transposeB: true });
      const ds = p.mul(dp.sub(dp.mul(p).sum(-1, true))).mul(plan.scale);
      return [
        ctx.needsGrad(0) ? matmul(ds, k, {}) : null,
        ctx.needsGrad(1) ? matmul(ds, q, { transposeA: true }) : null,
        ctx.needsGrad(2) ? matmul(p, dy, { transposeA: true }) : null,
      ];
    }
    const { dq, dk, dv } =
      lse instanceof NDArray
        ? deviceKernel(lse.device!, 'attentionBackward').attentionBackward(dy.raw, q.raw, k.raw, v.raw, ctx.output!.raw, lse, plan)
        : attentionBackward(dy.raw, q.raw, k.raw, v.raw, lse, plan);
    return [q.make(dq), k.make(dk), v.make(dv)];
  },
  tangent(_m, ctx, tq, tk, tv) {
    const [q, k, v] = ctx.inputs;
    const plan = ctx.attrs;
    const p = probabilities(q, k, plan);
    let out: TensorNode | null = tv && matmul(p, tv, {});
    if (tq || tk) {
      let ts = tq && matmul(tq, k, { transposeB: true });
      if (tk) ts = ts === null ? matmul(q, tk, { transposeB: true }) : ts.add(matmul(q, tk, { transposeB: true }));
      const scaled = ts!.mul(plan.scale);
      const tp = p.mul(scaled.sub(scaled.mul(p).sum(-1, true)));
      out = out === null ? matmul(tp, v, {}) : out.add(matmul(tp, v, {}));
    }
    return out;
  },
  batch(ctx, q, k, v) {
    const [pq, pk, pv] = ctx.inputs;
    ctx.save(pq, pk, pv, null);
    const rank = Math.max(sampleRank(q), sampleRank(k), sampleRank(v));
    const lined = [q, k, v].map((a) => (a.dim === null ? a.value : batchFirstPadded(a, rank)));
    return { value: matmul(probabilities(lined[0], lined[1], ctx.attrs), lined[2], {}), dim: 0 };
  },
});
