/** scaledDotProductAttention: PyTorch's `F.scaled_dot_product_attention`, one fused op. */
import { DTypeError, GradError, ShapeError, TapegradError, formatShape } from '../errors.js';
import { broadcastShapes, broadcastsTo, describeValue } from '../ndarray/shape.js';
import * as ops from '../ops/index.js';
import { Tensor } from '../tensor.js';
import { checkOptions } from './window.js';

/** Options of {@link scaledDotProductAttention}. */
export interface AttentionOptions {
  /** Query i attends only to keys j <= i (PyTorch's `is_causal`, aligned at the top left). Default false. */
  readonly causal?: boolean;
  /**
   * A mask broadcast to [..., L, S]: int32, where 0 hides a key from a query (PyTorch's boolean `attn_mask`, True
   * meaning "take part"), or float, added to the scores. It gets no gradient.
   */
  readonly mask?: Tensor;
  /** The factor on q k^T (default 1 / sqrt(D)). */
  readonly scale?: number;
}

/**
 * Attention softmax(q k^T / sqrt(D) + mask) v over queries [..., L, D], keys [..., S, D] and values [..., S, Dv]
 * (batch axes broadcast), giving [..., L, Dv]. One fused op: forward and backward hold one block of one attention
 * matrix at a time (the softmax statistics are kept, the probabilities recomputed), so memory does not grow with
 * batch or heads. A query that may see no key at all gets 0 (and passes no gradient).
 * @example
 * const [q, k, v] = [0, 1, 2].map(() => randn([8, 4, 128, 32], { requiresGrad: true }));   // batch, heads, L, D
 * const out = scaledDotProductAttention(q, k, v, { causal: true });
 * out.shape;   // [8, 4, 128, 32]
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): Tensor {
  const op = 'scaledDotProductAttention';
  const operands = { q, k, v };
  for (const [name, t] of Object.entries(operands)) {
    if (!(t instanceof Tensor)) throw new DTypeError(`${op}: ${name} must be a Tensor; got ${describeValue(t)}`);
    if (t.dtype === 'int32') throw new DTypeError(`${op}: ${name} must be float32 or float64; got int32 ${formatShape(t.shape)}`);
    if (t.rank < 2) throw new ShapeError(`${op}: ${name} must have at least 2 axes ([..., length, dim]); got ${formatShape(t.shape)}`);
  }
  if (k.dtype !== q.dtype || v.dtype !== q.dtype)
    throw new DTypeError(`${op}: q, k and v must share a dtype; got ${q.dtype}, ${k.dtype} and ${v.dtype}`);
  checkOptions(options, op);
  const shapes = `q ${formatShape(q.shape)}, k ${formatShape(k.shape)}, v ${formatShape(v.shape)}`;
  const [L, D] = q.shape.slice(-2);
  const [S, Dk] = k.shape.slice(-2);
  const [Sv, Dv] = v.shape.slice(-2);
  if (Dk !== D) throw new ShapeError(`${op}: q and k must have the same last axis (the dot-product size); got ${shapes}`);
  if (Sv !== S) throw new ShapeError(`${op}: k and v must have the same number of keys (axis -2); got ${shapes}`);
  let batch: number[];
  try {
    batch = broadcastShapes(broadcastShapes(q.shape.slice(0, -2), k.shape.slice(0, -2), op), v.shape.slice(0, -2), op);
  } catch {
    throw new ShapeError(`${op}: the batch axes of q, k and v do not broadcast together: ${shapes}`);
  }
  const causal = options.causal ?? false;
  if (typeof causal !== 'boolean') throw new DTypeError(`${op}: causal must be true or false; got ${describeValue(causal)}`);
  const scale = options.scale ?? 1 / Math.sqrt(D);
  if (typeof scale !== 'number' || !Number.isFinite(scale))
    throw new TapegradError(`${op}: scale must be a finite number; got ${describeValue(scale)}`);
  let mask = null;
  if (options.mask !== undefined) {
    const m = options.mask;
    if (!(m instanceof Tensor)) throw new DTypeError(`${op}: mask must be a Tensor; got ${describeValue(m)}`);
    if (m.requiresGrad)
      throw new GradError(`${op}: the mask ${formatShape(m.shape)} requires grad, but a mask gets no gradient here; detach() it`);
    if (m.dtype !== 'int32' && m.dtype !== q.dtype)
      throw new DTypeError(`${op}: a float mask must have the dtype of q (${q.dtype}); got ${m.dtype} (use int32 for a boolean mask)`);
    const target = [...batch, L, S];
    if (!broadcastsTo(m.shape, target))
      throw new ShapeError(
        `${op}: mask ${formatShape(m.shape)} does not broadcast to the scores' shape ${formatShape(target)} (${shapes})`,
      );
    mask = { array: m.raw };
  }
  return ops.scaledDotProductAttention(q, k, v, { batch, L, S, D, Dv, scale, causal, mask });
}
