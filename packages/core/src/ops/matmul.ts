// Y = op(A) op(B) with op = identity or transpose (batched, batch dimensions broadcast). With G = dY:
//   Y = A B     : dA = G B^T,     dB = A^T G
//   Y = A B^T   : dA = G B,       dB = G^T A
//   Y = A^T B   : dA = B G^T,     dB = A G
//   Y = A^T B^T : dA = B^T G^T,   dB = G^T A^T
// Every gradient is again a matmul with transpose flags, so no transpose is ever materialised.
// Forward (product rule): tY = op(tA) op(B) + op(A) op(tB), with the same flags.
// Batched (vmap): a batched matmul, each operand's batch first (size-1 axes after it up to the other's rank) so that the
// kernel's broadcasting batch axes carry it; a batch of rows against one matrix is folded into A's rows, one product.
import type { OpWithRules } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { type MatmulFlags, matmul as kernel } from '../ndarray/kernels/matmul.js';
import type { BatchArg } from '../autodiff/batching.js';
import { batchFirstPadded, moveBatchAxis, sampleRank } from './batching.js';
import { bilinear } from './bilinear.js';

export const matmulFlagged: OpWithRules<MatmulFlags, [TensorNode, TensorNode]> = bilinear<MatmulFlags>({
  name: 'matmul',
  kernel,
  backward(ctx, g) {
    const [a, b] = ctx.saved;
    const tA = !!ctx.attrs.transposeA;
    const tB = !!ctx.attrs.transposeB;
    const mm = (x: TensorNode, y: TensorNode, transposeA: boolean, transposeB: boolean) => matmulFlagged(x, y, { transposeA, transposeB });
    const needA = ctx.needsGrad(0);
    const needB = ctx.needsGrad(1);
    if (!tA && !tB) return [needA ? mm(g, b, false, true) : null, needB ? mm(a, g, true, false) : null];
    if (!tA && tB) return [needA ? mm(g, b, false, false) : null, needB ? mm(g, a, true, false) : null];
    if (tA && !tB) return [needA ? mm(b, g, false, true) : null, needB ? mm(a, g, false, false) : null];
    return [needA ? mm(b, g, true, true) : null, needB ? mm(g, a, true, true) : null];
  },
  batch(ctx, a, b) {
    ctx.saveInputs();
    const flags = ctx.attrs;
    if (b.dim === null && b.value.rank === 2 && !flags.transposeA) {
      // Every sample's rows times one matrix: one product of all the rows (a loop of small ones would repack B each time).
      const front = moveBatchAxis(a, 0);
      const lead = front.shape.slice(0, -1);
      const k = front.shape[front.rank - 1];
      const y = matmulFlagged(front.reshape([lead.reduce((n, d) => n * d, 1), k]), b.value, flags);
      return { value: y.reshape([...lead, y.shape[1]]), dim: 0 };
    }
    const rank = Math.max(sampleRank(a), sampleRank(b));
    const lined = (x: BatchArg) => (x.dim === null ? x.value : batchFirstPadded(x, rank));
    return { value: matmulFlagged(lined(a), lined(b), flags), dim: 0 };
  },
});
