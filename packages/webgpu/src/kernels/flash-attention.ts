/**
 * The WGSL of tiled attention (FlashAttention 2's scheme, see ../attention.ts): no attention matrix is ever stored.
 * Every kernel runs a workgroup of ROWS threads over a block of query rows (or of keys, for dK and dV), one row per
 * thread, and walks the other side in tiles staged in workgroup memory by all its threads:
 *   forward  per query row, over key tiles: the tile's scores, the running maximum m and sum l rescaled once per tile
 *            (online softmax), the output accumulated unnormalised; then O = acc / l and lse = m + log l
 *   dQ       per query row, over key tiles: p = exp(s - lse), dp = dO . v, dS = p (dp - delta), dQ += scale dS k
 *   dK, dV   per key, over query tiles: the same p and dS, dV += p dO, dK += scale dS q
 * with delta = rowsum(dO O). Params [L, S, D, Dv, scale bits, slices, causal, mask kind (0 none, 1 boolean, 2
 * additive), mask row step, mask column step, then per slice the element offsets of q, k, v and the mask]. The widths
 * D and Dv are compiled in (each row's vectors live in private arrays), so a pipeline serves one head size.
 */
import { FLAT_HEADER, flatMain } from './wgsl.js';

/** Threads (rows) per workgroup. */
export const ROWS = 64;
/** Floats of workgroup memory a kernel may use (WebGPU's default limit, 16 KiB). */
const SHARED_FLOATS = 4096;
/** Where the per-slice offsets start in the params. */
export const OFFSETS = 10;
/** The widest head these kernels take (their private arrays); wider heads use the row kernels of attention.ts. */
export const MAX_WIDTH = 256;

/** How many keys (or query rows) a tile of `width` floats each holds. */
export const tileRows = (width: number): number => Math.max(1, Math.min(ROWS, Math.floor(SHARED_FLOATS / width)));

const common = (D: number, Dv: number, maskElement: 'f32' | 'i32', tile: number): string => `${FLAT_HEADER}
const D = ${D}u;
const DV = ${Dv}u;
const TILE = ${tile}u;
fn offset(t: u32, which: u32) -> u32 { return p[${OFFSETS}u + 4u * t + which]; }
// The score of query i and key j from their dot product: -Infinity where causality or the mask hides it.
fn score(t: u32, i: u32, j: u32, dot: f32) -> f32 {
  if (p[6] == 1u && j > i) { return negInf(); }
  let m = offset(t, 3u) + i * p[8] + j * p[9];
  if (p[7] == 1u && mask[m] == ${maskElement}(0)) { return negInf(); }
  var s = dot * bitcast<f32>(p[4]);
  if (p[7] == 2u) { s += f32(mask[m]); }
  return s;
}
`;

const size = (n: number): number => Math.max(1, n);

const bindings = (maskElement: string, rest: readonly string[]): string =>
  ['q: array<f32>', 'k: array<f32>', 'v: array<f32>', `mask: array<${maskElement}>`, ...rest]
    .map((decl, i) => {
      const [name] = decl.split(':');
      const access = i < 4 || name.startsWith('in_') ? 'read' : 'read_write';
      return `@group(0) @binding(${i + 1}) var<storage, ${access}> ${decl.replace('in_', '')};`;
    })
    .join('\n');

/** Stages rows [first, first + TILE) of `src` (each `width` wide, from `base`) into `dst`, zeros past `count`. */
const stage = (dst: string, src: string, width: string, base: string, count: string): string => `
    for (var e = li; e < TILE * ${width}; e += ${ROWS}u) {
      let r = first + e / ${width};
      var value = 0.0;
      if (r < ${count}) { value = ${src}[${base} + r * ${width} + e % ${width}]; }
      ${dst}[e] = value;
    }`;

/** The opening of the kernels over a block of query rows: K and V tiles in workgroup memory, thread li on row i. */
const queryBlock = (D: number, Dv: number, tile: number): string => `var<workgroup> kt: array<f32, ${size(tile * D)}>;
var<workgroup> vt: array<f32, ${size(tile * Dv)}>;
@compute @workgroup_size(${ROWS}) fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let L = p[0]; let S = p[1]; let t = wg.y;
  let i = wg.x * ${ROWS}u + li;
  let live = i < L;`;

/**
 * The walk of a query block over the key tiles it sees (causal: none past its last row), each staged by every thread,
 * `body` run by the threads on a row for the tile's n keys.
 */
const overKeyTiles = (body: string): string => `
  var end = S;
  if (p[6] == 1u) { end = min(S, wg.x * ${ROWS}u + ${ROWS}u); }
  for (var first = 0u; first < end; first += TILE) {${stage('kt', 'k', 'D', 'offset(t, 1u)', 'S')}${stage('vt', 'v', 'DV', 'offset(t, 2u)', 'S')}
    workgroupBarrier();
    if (live) {
      let n = min(TILE, S - first);${body}
    }
    workgroupBarrier();
  }`;

/** Forward: bindings q, k, v, mask, out [slices, L, Dv], lse [slices, L]. */
export function forwardSource(D: number, Dv: number, maskElement: 'f32' | 'i32'): string {
  const tile = tileRows(D + Dv);
  return `${common(D, Dv, maskElement, tile)}
${bindings(maskElement, ['out: array<f32>', 'lse: array<f32>'])}
${queryBlock(D, Dv, tile)}
  var qi: array<f32, ${size(D)}>;
  var acc: array<f32, ${size(Dv)}>;
  var sc: array<f32, ${tile}>;
  if (live) { for (var d = 0u; d < D; d++) { qi[d] = q[offset(t, 0u) + i * D + d]; } }
  var m = negInf();
  var l = 0.0;${overKeyTiles(`
      var top = negInf();
      for (var c = 0u; c < n; c++) {
        var dot = 0.0;
        for (var d = 0u; d < D; d++) { dot += qi[d] * kt[c * D + d]; }
        sc[c] = score(t, i, first + c, dot);
        top = max(top, sc[c]);
      }
      if (top > negInf()) {
        let mNew = max(m, top);
        let rescale = select(exp(m - mNew), 0.0, m == negInf());
        l = l * rescale;
        for (var d = 0u; d < DV; d++) { acc[d] = acc[d] * rescale; }
        for (var c = 0u; c < n; c++) {
          if (sc[c] == negInf()) { continue; }
          let e = exp(sc[c] - mNew);
          l += e;
          for (var d = 0u; d < DV; d++) { acc[d] += e * vt[c * DV + d]; }
        }
        m = mNew;
      }`)}
  if (live) {
    let row = t * L + i;
    let seen = l > 0.0;
    for (var d = 0u; d < DV; d++) { out[row * DV + d] = select(0.0, acc[d] / l, seen); }
    lse[row] = select(negInf(), m + log(l), seen);
  }
}`;
}

/**
 * Per query row, [lse, delta = dO . O]: what both backward kernels read about a row. Bindings dO, O, lse, terms
 * [slices L, 2]; params [rows, Dv].
 */
export const ROW_TERMS = `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> dO: array<f32>;
@group(0) @binding(2) var<storage, read> o: array<f32>;
@group(0) @binding(3) var<storage, read> lse: array<f32>;
@group(0) @binding(4) var<storage, read_write> terms: array<f32>;
${flatMain('row')}
  let Dv = p[1];
  var delta = 0.0;
  for (var d = 0u; d < Dv; d++) { delta += dO[row * Dv + d] * o[row * Dv + d]; }
  terms[2u * row] = lse[row];
  terms[2u * row + 1u] = delta;
}`;

/** p = exp(s - lse) of a visible score (0 where hidden or where the row sees no key). */
const PROBABILITY = `
fn probability(s: f32, top: f32) -> f32 {
  if (s == negInf() || top == negInf()) { return 0.0; }
  return exp(s - top);
}`;

/** dQ: bindings q, k, v, mask, dO, terms, dq [slices, L, D]. */
export function queryGradientSource(D: number, Dv: number, maskElement: 'f32' | 'i32'): string {
  const tile = tileRows(D + Dv);
  return `${common(D, Dv, maskElement, tile)}${PROBABILITY}
${bindings(maskElement, ['in_dO: array<f32>', 'in_terms: array<f32>', 'dq: array<f32>'])}
${queryBlock(D, Dv, tile)}
  let row = t * L + min(i, L - 1u);
  var qi: array<f32, ${size(D)}>;
  var gi: array<f32, ${size(Dv)}>;
  var acc: array<f32, ${size(D)}>;
  if (live) {
    for (var d = 0u; d < D; d++) { qi[d] = q[offset(t, 0u) + i * D + d]; }
    for (var d = 0u; d < DV; d++) { gi[d] = dO[row * DV + d]; }
  }
  let top = terms[2u * row];
  let delta = terms[2u * row + 1u];${overKeyTiles(`
      for (var c = 0u; c < n; c++) {
        var dot = 0.0;
        for (var d = 0u; d < D; d++) { dot += qi[d] * kt[c * D + d]; }
        let pr = probability(score(t, i, first + c, dot), top);
        if (pr == 0.0) { continue; }
        var dp = 0.0;
        for (var d = 0u; d < DV; d++) { dp += gi[d] * vt[c * DV + d]; }
        let ds = bitcast<f32>(p[4]) * pr * (dp - delta);
        for (var d = 0u; d < D; d++) { acc[d] += ds * kt[c * D + d]; }
      }`)}
  if (live) { for (var d = 0u; d < D; d++) { dq[row * D + d] = acc[d]; } }
}`;
}

/** dK and dV: bindings q, k, v, mask, dO, terms, dkv [slices, S, D + Dv] (dK then dV in each key's row). */
export function keyGradientSource(D: number, Dv: number, maskElement: 'f32' | 'i32'): string {
  const tile = tileRows(D + Dv + 2);
  return `${common(D, Dv, maskElement, tile)}${PROBABILITY}
${bindings(maskElement, ['in_dO: array<f32>', 'in_terms: array<f32>', 'dkv: array<f32>'])}
var<workgroup> qt: array<f32, ${size(tile * D)}>;
var<workgroup> gt: array<f32, ${size(tile * Dv)}>;
var<workgroup> rt: array<f32, ${2 * tile}>;
@compute @workgroup_size(${ROWS}) fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let L = p[0]; let S = p[1]; let t = wg.y;
  let j = wg.x * ${ROWS}u + li;
  let live = j < S;
  var kj: array<f32, ${size(D)}>;
  var vj: array<f32, ${size(Dv)}>;
  var dk: array<f32, ${size(D)}>;
  var dv: array<f32, ${size(Dv)}>;
  if (live) {
    for (var d = 0u; d < D; d++) { kj[d] = k[offset(t, 1u) + j * D + d]; }
    for (var d = 0u; d < DV; d++) { vj[d] = v[offset(t, 2u) + j * DV + d]; }
  }
  // Causal: rows before the block's first key see none of its keys.
  var start = 0u;
  if (p[6] == 1u) { start = min(L, wg.x * ${ROWS}u); }
  for (var first = start; first < L; first += TILE) {${stage('qt', 'q', 'D', 'offset(t, 0u)', 'L')}${stage('gt', 'dO', 'DV', 't * L * DV', 'L')}${stage('rt', 'terms', '2u', '2u * t * L', 'L')}
    workgroupBarrier();
    if (live) {
      let n = min(TILE, L - first);
      for (var r = 0u; r < n; r++) {
        var dot = 0.0;
        for (var d = 0u; d < D; d++) { dot += qt[r * D + d] * kj[d]; }
        let pr = probability(score(t, first + r, j, dot), rt[2u * r]);
        if (pr == 0.0) { continue; }
        var dp = 0.0;
        for (var d = 0u; d < DV; d++) {
          dv[d] += pr * gt[r * DV + d];
          dp += gt[r * DV + d] * vj[d];
        }
        let ds = bitcast<f32>(p[4]) * pr * (dp - rt[2u * r + 1u]);
        for (var d = 0u; d < D; d++) { dk[d] += ds * qt[r * D + d]; }
      }
    }
    workgroupBarrier();
  }
  if (live) {
    let at = (t * S + j) * (D + DV);
    for (var d = 0u; d < D; d++) { dkv[at + d] = dk[d]; }
    for (var d = 0u; d < DV; d++) { dkv[at + D + d] = dv[d]; }
  }
}`;
}
