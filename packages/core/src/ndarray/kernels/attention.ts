/**
 * Scaled dot-product attention, forward and backward, one (batch, head) slice and one block of query rows at a time,
 * so that no more than a block of one attention matrix exists at once (FlashAttention's memory bound, without its
 * online softmax: a block spans every key, so its softmax is exact in one go). Products go through matmul's `gemm`.
 *
 * Per slice, with Q [L, D], K [S, D], V [S, Dv], scale c and the mask folded into the scores:
 *   forward   S = c Q K^T (+ mask),  P = softmax_rows(S),  O = P V,  and each row's log-sum-exp kept
 *   backward  P recomputed from Q, K and the log-sum-exps;  dV = P^T dO,  dP = dO V^T,
 *             dS = P (dP - rowsum(P dP)),  dQ = c dS K,  dK = c dS^T Q
 * A causal mask (query i sees keys j <= i, PyTorch's top-left alignment) also skips the products of the keys no row
 * of the block sees. A row that sees no key at all gives 0 (and passes no gradient), not NaN.
 */
import type { TypedArray } from '../dtype.js';
import { allocate } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import { sizeOf, stridesOf } from '../shape.js';
import { gemm } from './matmul.js';

/** A mask over the scores, broadcast to [...batch, L, S]: int32 keeps where non-zero; a float mask is added. */
export interface AttentionMask {
  /** int32 (keep where non-zero) or the scores' float dtype (added); on the CPU or on the scores' device. */
  readonly array: NDArray;
}

/** Everything but the operands: sizes, broadcast batch shape, scale, causality and the optional mask. */
export interface AttentionPlan {
  /** The broadcast batch shape of q, k and v (and the mask). */
  readonly batch: readonly number[];
  /** Queries. */
  readonly L: number;
  /** Keys (and values). */
  readonly S: number;
  /** The width of a query and a key. */
  readonly D: number;
  /** The width of a value. */
  readonly Dv: number;
  /** Multiplies the scores. */
  readonly scale: number;
  /** Query i sees keys j <= i. */
  readonly causal: boolean;
  /** The mask, or null. */
  readonly mask: AttentionMask | null;
}

/** The most scores a block holds: 2^16 (whole rows, at least one). A field so that tests can force small blocks. */
export const attentionLimits = { blockElements: 1 << 16 };

/** For each batch index of `batch`, the matching (broadcast) slice index of an operand with batch shape `own`. */
export function sliceIndices(own: readonly number[], batch: readonly number[]): Int32Array {
  const count = sizeOf(batch);
  const out = new Int32Array(count);
  const ownStrides = stridesOf(own);
  const lead = batch.length - own.length;
  for (let t = 0; t < count; t++) {
    let rem = t;
    let at = 0;
    for (let d = batch.length - 1; d >= 0; d--) {
      const i = rem % batch[d];
      rem = (rem - i) / batch[d];
      const od = d - lead;
      if (od >= 0 && own[od] !== 1) at += i * ownStrides[od];
    }
    out[t] = at;
  }
  return out;
}

/** Where slice t's [L, S] mask starts in the mask's data, and its row and column steps (0 where broadcast). */
interface MaskView {
  readonly data: TypedArray;
  readonly additive: boolean;
  readonly offsets: Int32Array;
  readonly rowStep: number;
  readonly colStep: number;
}

function maskView(plan: AttentionPlan): MaskView | null {
  if (plan.mask === null) return null;
  const m = plan.mask.array;
  const shape = m.shape.length >= 2 ? m.shape : [...new Array<number>(2 - m.shape.length).fill(1), ...m.shape];
  const r = shape.length;
  const rows = shape[r - 2];
  const cols = shape[r - 1];
  const plane = rows * cols;
  const offsets = sliceIndices(shape.slice(0, -2), plan.batch).map((i) => i * plane);
  return { data: m.data, additive: m.dtype !== 'int32', offsets, rowStep: rows === 1 ? 0 : cols, colStep: cols === 1 ? 0 : 1 };
}

/** The slice and block geometry shared by forward and backward. */
function layout(plan: AttentionPlan, qb: readonly number[], kb: readonly number[], vb: readonly number[]) {
  return {
    qAt: sliceIndices(qb, plan.batch),
    kAt: sliceIndices(kb, plan.batch),
    vAt: sliceIndices(vb, plan.batch),
    mask: maskView(plan),
    block: Math.max(1, Math.min(plan.L, Math.floor(attentionLimits.blockElements / Math.max(1, plan.S)))),
  };
}

/**
 * Scores of rows [i0, i1) of slice t (already c Q K^T in `P`, `cols` wide) turned into probabilities in place, the
 * mask and causality applied; with `lse` given, each row's log-sum-exp is written there, otherwise it is read from
 * there (backward recomputes P from it).
 */
function probabilities(
  P: TypedArray,
  plan: AttentionPlan,
  mask: MaskView | null,
  t: number,
  i0: number,
  i1: number,
  cols: number,
  lse: Float64Array,
  write: boolean,
): void {
  for (let i = i0; i < i1; i++) {
    const row = (i - i0) * cols;
    const seen = plan.causal ? Math.min(cols, i + 1) : cols;
    if (mask !== null) {
      const m = mask.offsets[t] + i * mask.rowStep;
      for (let j = 0; j < seen; j++) {
        const v = mask.data[m + j * mask.colStep];
        if (mask.additive) P[row + j] += v;
        else if (v === 0) P[row + j] = -Infinity;
      }
    }
    for (let j = seen; j < cols; j++) P[row + j] = -Infinity;
    const at = t * plan.L + i;
    if (write) {
      let max = -Infinity;
      for (let j = 0; j < seen; j++) if (P[row + j] > max) max = P[row + j];
      if (max === -Infinity) {
        for (let j = 0; j < cols; j++) P[row + j] = 0;
        lse[at] = -Infinity;
        continue;
      }
      let sum = 0;
      for (let j = 0; j < seen; j++) {
        const e = Math.exp(P[row + j] - max);
        P[row + j] = e;
        sum += e;
      }
      for (let j = 0; j < seen; j++) P[row + j] /= sum;
      for (let j = seen; j < cols; j++) P[row + j] = 0;
      lse[at] = max + Math.log(sum);
    } else {
      const l = lse[at];
      if (l === -Infinity) for (let j = 0; j < cols; j++) P[row + j] = 0;
      else for (let j = 0; j < cols; j++) P[row + j] = Math.exp(P[row + j] - l);
    }
  }
}

/** c Q[i0:i1] K[0:cols]^T into P (zeroed first). */
function scores(P: TypedArray, q: NDArray, k: NDArray, plan: AttentionPlan, qo: number, ko: number, rows: number, cols: number): void {
  P.fill(0, 0, rows * cols);
  gemm(q.data, qo, k.data, ko, P, 0, rows, cols, plan.D, false, true);
  const c = plan.scale;
  if (c !== 1) for (let x = 0; x < rows * cols; x++) P[x] *= c;
}

/** The columns a block of rows [i0, i1) needs: every key, or under a causal mask only those up to row i1 - 1. */
const columns = (plan: AttentionPlan, i1: number) => (plan.causal ? Math.min(plan.S, i1) : plan.S);

/** O [...batch, L, Dv] and each row's log-sum-exp [...batch, L]. */
export function attentionForward(q: NDArray, k: NDArray, v: NDArray, plan: AttentionPlan): { out: NDArray; lse: Float64Array } {
  const { L, S, D, Dv } = plan;
  const slices = sizeOf(plan.batch);
  const { qAt, kAt, vAt, mask, block } = layout(plan, q.shape.slice(0, -2), k.shape.slice(0, -2), v.shape.slice(0, -2));
  const out = allocate(q.dtype, slices * L * Dv);
  const lse = new Float64Array(slices * L);
  const P = allocate(q.dtype, block * S);
  for (let t = 0; t < slices; t++) {
    for (let i0 = 0; i0 < L; i0 += block) {
      const i1 = Math.min(L, i0 + block);
      const cols = columns(plan, i1);
      scores(P, q, k, plan, (qAt[t] * L + i0) * D, kAt[t] * S * D, i1 - i0, cols);
      probabilities(P, plan, mask, t, i0, i1, cols, lse, true);
      gemm(P, 0, v.data, vAt[t] * S * Dv, out, (t * L + i0) * Dv, i1 - i0, Dv, cols, false, false);
    }
  }
  return { out: new NDArray(out, [...plan.batch, L, Dv]), lse };
}

/** dst[at + i] += src[i] for i < n. */
function addInto(dst: TypedArray, at: number, src: TypedArray, n: number): void {
  for (let i = 0; i < n; i++) dst[at + i] += src[i];
}

/** dQ, dK, dV (each in its operand's own, possibly broadcast, shape: a broadcast slice sums its gradients). */
export function attentionBackward(
  dOut: NDArray,
  q: NDArray,
  k: NDArray,
  v: NDArray,
  lse: Float64Array,
  plan: AttentionPlan,
): { dq: NDArray; dk: NDArray; dv: NDArray } {
  const { L, S, D, Dv } = plan;
  const slices = sizeOf(plan.batch);
  const { qAt, kAt, vAt, mask, block } = layout(plan, q.shape.slice(0, -2), k.shape.slice(0, -2), v.shape.slice(0, -2));
  const dq = allocate(q.dtype, q.size);
  const dk = allocate(k.dtype, k.size);
  const dv = allocate(v.dtype, v.size);
  const P = allocate(q.dtype, block * S);
  const dP = allocate(q.dtype, block * S);
  const part = allocate(q.dtype, Math.max(block * D, S * Math.max(D, Dv)));
  const G = dOut.data;
  for (let t = 0; t < slices; t++) {
    const [qo, ko, vo] = [qAt[t] * L * D, kAt[t] * S * D, vAt[t] * S * Dv];
    for (let i0 = 0; i0 < L; i0 += block) {
      const i1 = Math.min(L, i0 + block);
      const rows = i1 - i0;
      const cols = columns(plan, i1);
      const go = (t * L + i0) * Dv;
      scores(P, q, k, plan, qo + i0 * D, ko, rows, cols);
      probabilities(P, plan, mask, t, i0, i1, cols, lse, false);
      // dV[0:cols] += P^T dO
      part.fill(0, 0, cols * Dv);
      gemm(P, 0, G, go, part, 0, cols, Dv, rows, true, false);
      addInto(dv, vo, part, cols * Dv);
      // dP = dO V^T, then dS = c P (dP - rowsum(P dP)) in its place
      dP.fill(0, 0, rows * cols);
      gemm(G, go, v.data, vo, dP, 0, rows, cols, Dv, false, true);
      for (let r = 0; r < rows; r++) {
        const row = r * cols;
        let delta = 0;
        for (let j = 0; j < cols; j++) delta += P[row + j] * dP[row + j];
        for (let j = 0; j < cols; j++) dP[row + j] = plan.scale * P[row + j] * (dP[row + j] - delta);
      }
      // dQ[i0:i1] += dS K;  dK[0:cols] += dS^T Q[i0:i1]
      part.fill(0, 0, rows * D);
      gemm(dP, 0, k.data, ko, part, 0, rows, D, cols, false, false);
      addInto(dq, qo + i0 * D, part, rows * D);
      part.fill(0, 0, cols * D);
      gemm(dP, 0, q.data, qo + i0 * D, part, 0, cols, D, rows, true, false);
      addInto(dk, ko, part, cols * D);
    }
  }
  return { dq: new NDArray(dq, q.shape), dk: new NDArray(dk, k.shape), dv: new NDArray(dv, v.shape) };
}
