/**
 * Scaled dot-product attention on the device. With P = softmax(c Q K^T + mask) row by row and G = dO:
 *   tiled (kernels/flash-attention.ts; heads up to 256 wide)  FlashAttention 2's scheme: a workgroup per block of 64
 *     query rows walks the keys in tiles staged in workgroup memory with an online softmax, writing O and each row's
 *     log-sum-exp; backward computes delta = rowsum(G O), then dQ per query block over key tiles and dK, dV per key
 *     block over query tiles, recomputing P from the log-sum-exps. No attention matrix is stored at all.
 *   row kernels (kernels/attention.ts; wider heads)  one thread per query row builds that row of P (scores, mask,
 *     softmax) in place, the tiled matmul gives P V; backward recomputes P, dV = P^T G, dS = c P (G V^T - delta) in
 *     place over P, dQ = dS K, dK = dS^T Q: one attention matrix per slice at a time.
 * Only the log-sum-exps ([...batch, L]) are kept between forward and backward. Broadcast batch axes are read in place
 * through per-slice offsets (nothing is copied to the full batch), and each gradient is summed back to its operand's
 * shape. Core's CPU kernel (ndarray/kernels/attention.ts) has the same rules: a row that sees no key gives 0.
 */
import { type AttentionPlan, type NDArray, type Shape, kernelModuleSupport } from '@tapegrad/core';
import type { WebGPUBackend } from './backend.js';
import type { SeamArgs, SeamResult } from './seam.js';
import { MAX_GROUPS, f32Bits, sizeOf } from './shapes.js';
import * as wgsl from './kernels/attention.js';
import * as flash from './kernels/flash-attention.js';

/** For each slice of `batch`, the element offset of the matching slice of an operand whose batch shape is `own`. */
function sliceOffsets(own: readonly number[], batch: readonly number[], plane: number): number[] {
  return Array.from(kernelModuleSupport.sliceIndices(own, batch), (slice) => slice * plane);
}

/** The mask on the device as the kernel reads it: kind (0 none, 1 boolean, 2 additive), steps and slice offsets. */
function maskOperand(backend: WebGPUBackend, plan: AttentionPlan) {
  if (plan.mask === null) return { array: backend.alloc([1], 'float32'), kind: 0, rowStep: 0, colStep: 0, offsets: null };
  let m = plan.mask.array;
  if (m.device === undefined) m = backend.upload(m, 'scaledDotProductAttention');
  const shape = m.shape.length >= 2 ? m.shape : [...new Array<number>(2 - m.shape.length).fill(1), ...m.shape];
  const [rows, cols] = shape.slice(-2);
  return {
    array: m,
    kind: m.dtype === 'int32' ? 1 : 2,
    rowStep: rows === 1 ? 0 : cols,
    colStep: cols === 1 ? 0 : 1,
    offsets: sliceOffsets(shape.slice(0, -2), plan.batch, rows * cols),
  };
}

/** P [...batch, L, S] from q, k and the mask; with `lse` given, recomputed from it (else written to a new one). */
function probabilities(backend: WebGPUBackend, q: NDArray, k: NDArray, plan: AttentionPlan, lse: NDArray | null) {
  const { batch, L, S, D, scale, causal } = plan;
  const slices = sizeOf(batch);
  const mask = maskOperand(backend, plan);
  const qo = sliceOffsets(q.shape.slice(0, -2), batch, L * D);
  const ko = sliceOffsets(k.shape.slice(0, -2), batch, S * D);
  const offsets = qo.flatMap((o, t) => [o, ko[t], mask.offsets?.[t] ?? 0]);
  const params = [slices * L, L, S, D, f32Bits(scale), slices, causal ? 1 : 0, mask.kind, mask.rowStep, mask.colStep, ...offsets];
  const P = backend.alloc([...batch, L, S], 'float32');
  const rowLse = lse ?? backend.alloc([...batch, L], 'float32');
  const code = wgsl.probabilitiesSource(mask.array.dtype === 'int32' ? 'i32' : 'f32', lse !== null);
  const buffers = [q, k, mask.array, P, rowLse].map((a) => backend.bufferOf(a));
  backend.flat(code, params, buffers, slices * L);
  return { P, lse: rowLse };
}

/** g [...batch, rows, cols] summed over the batch axes `shape` broadcast, as `shape`. */
function sumTo(backend: WebGPUBackend, g: NDArray, shape: Shape): NDArray {
  const lead = g.shape.length - shape.length;
  const axes = g.shape.map((_, d) => d).filter((d) => d < lead || (shape[d - lead] === 1 && g.shape[d] !== 1));
  return axes.length === 0 ? g : backend.reshape(backend.reduce(g, axes, true, 'sum'), shape);
}

/** Whether the tiled kernels take this plan: heads up to MAX_WIDTH wide, some queries and keys, the slices in one grid axis. */
const tiled = (plan: AttentionPlan): boolean =>
  plan.D <= flash.MAX_WIDTH && plan.Dv <= flash.MAX_WIDTH && plan.L > 0 && plan.S > 0 && sizeOf(plan.batch) <= MAX_GROUPS;

/** The tiled kernels' params (kernels/flash-attention.ts) and their mask operand. */
function flashParams(backend: WebGPUBackend, q: NDArray, k: NDArray, v: NDArray, plan: AttentionPlan) {
  const { batch, L, S, D, Dv, scale, causal } = plan;
  const mask = maskOperand(backend, plan);
  const qo = sliceOffsets(q.shape.slice(0, -2), batch, L * D);
  const ko = sliceOffsets(k.shape.slice(0, -2), batch, S * D);
  const vo = sliceOffsets(v.shape.slice(0, -2), batch, S * Dv);
  const offsets = qo.flatMap((o, t) => [o, ko[t], vo[t], mask.offsets?.[t] ?? 0]);
  const params = [L, S, D, Dv, f32Bits(scale), sizeOf(batch), causal ? 1 : 0, mask.kind, mask.rowStep, mask.colStep, ...offsets];
  return { params, mask: mask.array, element: mask.array.dtype === 'int32' ? ('i32' as const) : ('f32' as const) };
}

export function attentionForward(backend: WebGPUBackend, ...[q, k, v, plan]: SeamArgs<'attention'>): SeamResult<'attention'> {
  const op = 'scaledDotProductAttention';
  const [qd, kd, vd] = [backend.operand(q, op), backend.operand(k, op), backend.operand(v, op)];
  if (!tiled(plan)) {
    const { P, lse } = probabilities(backend, qd, kd, plan, null);
    return { out: backend.matmul(P, vd, {}), lse };
  }
  const { batch, L, Dv } = plan;
  const { params, mask, element } = flashParams(backend, qd, kd, vd, plan);
  const out = backend.alloc([...batch, L, Dv], 'float32');
  const lse = backend.alloc([...batch, L], 'float32');
  const buffers = [qd, kd, vd, mask, out, lse].map((a) => backend.bufferOf(a));
  backend.run(flash.forwardSource(plan.D, Dv, element), params, buffers, [Math.ceil(L / flash.ROWS), sizeOf(batch), 1]);
  return { out, lse };
}

export function attentionBackward(
  backend: WebGPUBackend,
  ...[dy, q, k, v, out, lse, plan]: SeamArgs<'attentionBackward'>
): SeamResult<'attentionBackward'> {
  const op = 'scaledDotProductAttention';
  const [g, qd, kd, vd] = [dy, q, k, v].map((a) => backend.operand(a, op));
  if (tiled(plan)) return tiledBackward(backend, g, qd, kd, vd, out, lse, plan);
  const { batch, L, S, Dv, scale } = plan;
  const { P } = probabilities(backend, qd, kd, plan, lse);
  const dv = sumTo(backend, backend.matmul(P, g, { transposeA: true }), vd.shape);
  const rowsum = backend.reduce(backend.binaryByName('mul', g, out), [batch.length + 1], false, 'sum');
  const slices = sizeOf(batch);
  const vo = sliceOffsets(vd.shape.slice(0, -2), batch, S * Dv);
  const params = [slices * L * S, L, S, Dv, f32Bits(scale), slices, 0, 0, 0, 0, ...vo.flatMap((o) => [0, o, 0])];
  backend.flat(
    wgsl.SCORE_GRADIENT,
    params,
    [g, vd, rowsum, P].map((a) => backend.bufferOf(a)),
    slices * L * S,
  );
  const dq = sumTo(backend, backend.matmul(P, kd, {}), qd.shape);
  const dk = sumTo(backend, backend.matmul(P, qd, { transposeA: true }), kd.shape);
  return { dq, dk, dv };
}

/** dQ, dK and dV by the tiled kernels: no attention matrix, per row only its lse and delta = rowsum(dO O). */
function tiledBackward(
  backend: WebGPUBackend,
  ...[g, q, k, v, out, lse, plan]: SeamArgs<'attentionBackward'>
): SeamResult<'attentionBackward'> {
  const { batch, L, S, D, Dv } = plan;
  const slices = sizeOf(batch);
  const { params, mask, element } = flashParams(backend, q, k, v, plan);
  const terms = backend.alloc([slices * L, 2], 'float32');
  const buffer = (a: NDArray) => backend.bufferOf(a);
  backend.flat(flash.ROW_TERMS, [slices * L, Dv], [g, out, lse, terms].map(buffer), slices * L);
  const operands = [q, k, v, mask, g, terms];
  const dq = backend.alloc([...batch, L, D], 'float32');
  backend.run(flash.queryGradientSource(D, Dv, element), params, [...operands, dq].map(buffer), [Math.ceil(L / flash.ROWS), slices, 1]);
  const dkv = backend.alloc([...batch, S, D + Dv], 'float32');
  backend.run(flash.keyGradientSource(D, Dv, element), params, [...operands, dkv].map(buffer), [Math.ceil(S / flash.ROWS), slices, 1]);
  const start = batch.map(() => 0);
  const dk = backend.slice(dkv, [...start, 0, 0], [...batch, S, D]);
  const dv = backend.slice(dkv, [...start, 0, D], [...batch, S, Dv]);
  return { dq: sumTo(backend, dq, q.shape), dk: sumTo(backend, dk, k.shape), dv: sumTo(backend, dv, v.shape) };
}
