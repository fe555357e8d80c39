/**
 * The WGSL of fused attention (see ../attention.ts): one thread per query row builds that row of the attention matrix
 * P (scores, mask, softmax) in place, and one thread per element turns P into dS. Params of both start
 * [threads, L, S, D (or Dv), scale bits, batches]; per batch slice t the offsets of its operands follow at
 * OFFSETS + 3 t (element offsets into q, k and the mask; into v for dS).
 */
import { FLAT_HEADER, flatMain } from './wgsl.js';

/** Where the per-slice offsets start in the params. */
export const OFFSETS = 10;

/**
 * Row (t, i) of P = softmax(scale q_i k_j^T + mask) over the keys j, written in place, and its log-sum-exp; or, with
 * `fromLse`, P recomputed in one pass from the saved log-sum-exp (backward). Hidden keys (causal: j > i; a 0 in a
 * boolean mask; -Infinity added) get 0, and a row that sees no key is all 0 with a log-sum-exp of -Infinity (the
 * CPU kernel's rule: no NaN). Params [rows, L, S, D, scale bits, batches, causal, mask kind (0 none, 1 boolean, 2
 * additive), mask row step, mask column step, then per slice: q, k and mask offsets].
 */
export function probabilitiesSource(maskElement: 'f32' | 'i32', fromLse: boolean): string {
  return `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> mask: array<${maskElement}>;
@group(0) @binding(4) var<storage, read_write> P: array<f32>;
@group(0) @binding(5) var<storage, read_write> lse: array<f32>;
fn score(t: u32, i: u32, j: u32) -> f32 {
  let D = p[3];
  if (p[6] == 1u && j > i) { return negInf(); }
  let m = p[${OFFSETS}u + 3u * t + 2u] + i * p[8] + j * p[9];
  if (p[7] == 1u && mask[m] == ${maskElement}(0)) { return negInf(); }
  let qa = p[${OFFSETS}u + 3u * t] + i * D;
  let ka = p[${OFFSETS}u + 3u * t + 1u] + j * D;
  var s = 0.0;
  for (var d = 0u; d < D; d++) { s += q[qa + d] * k[ka + d]; }
  s = s * bitcast<f32>(p[4]);
  if (p[7] == 2u) { s += f32(mask[m]); }
  return s;
}
${flatMain('row')}
  let L = p[1]; let S = p[2];
  let t = row / L; let i = row % L;
  let base = row * S;
${
  fromLse
    ? `  let top = lse[row];
  for (var j = 0u; j < S; j++) {
    let s = score(t, i, j);
    P[base + j] = select(exp(s - top), 0.0, s == negInf() || top == negInf());
  }
}`
    : `  var top = negInf();
  for (var j = 0u; j < S; j++) { let s = score(t, i, j); P[base + j] = s; top = max(top, s); }
  if (top == negInf()) {
    for (var j = 0u; j < S; j++) { P[base + j] = 0.0; }
    lse[row] = negInf();
    return;
  }
  var sum = 0.0;
  for (var j = 0u; j < S; j++) {
    let s = P[base + j];
    let e = select(exp(s - top), 0.0, s == negInf());
    P[base + j] = e;
    sum += e;
  }
  for (var j = 0u; j < S; j++) { P[base + j] = P[base + j] / sum; }
  lse[row] = top + log(sum);
}`
}`;
}

/**
 * dS = scale P (dO_i . v_j - rowsum_i), in place over P, with rowsum_i = dO_i . O_i (FlashAttention's D, equal to
 * rowsum(P dP)). Params [elements, L, S, Dv, scale bits, batches, 0, 0, 0, 0, then per slice: (unused), v offset,
 * (unused)].
 */
export const SCORE_GRADIENT = `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> dO: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> rowsum: array<f32>;
@group(0) @binding(4) var<storage, read_write> P: array<f32>;
${flatMain('e')}
  let L = p[1]; let S = p[2]; let Dv = p[3];
  let row = e / S; let j = e % S;
  let t = row / L;
  let pe = P[e];
  if (pe == 0.0) { return; }
  let va = p[${OFFSETS}u + 3u * t + 1u] + j * Dv;
  let oa = row * Dv;
  var dp = 0.0;
  for (var d = 0u; d < Dv; d++) { dp += dO[oa + d] * v[va + d]; }
  P[e] = bitcast<f32>(p[4]) * pe * (dp - rowsum[row]);
}`;
