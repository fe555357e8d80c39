/**
 * The WGSL of batch norm and layer norm (see ../normalise.ts). Every kernel's params are
 *   [G, R, L, runStride, groupStride, perGroup, eps bits, hasWeight, hasBias, elements,
 *    G', R', L', runStride', groupStride', weighted]
 * the first five the statistics' groups (core's NormGroups: group g is R runs of L elements, runStride apart, from
 * g groupStride), the second five the groups a sum runs over (the same for batch norm; layer norm's columns for its
 * weight and bias gradients). A flat element e belongs to statistics group (e / L) mod G, and its weight and bias are
 * those of its group (perGroup: batch norm's channels) or of its place in the run, e mod L (layer norm).
 */
import { FLAT_HEADER, REDUCE_WORKGROUP, flatMain, tree } from './wgsl.js';

/**
 * Reads x and stats, each group's [mean m, variance, residual r]: m is the float32 mean, and r the mean of x - m, so
 * that xhat = ((x - m) - r) / sqrt(var + eps) carries the mean to more than float32's precision (x - m is exact for
 * x near m; a mean of 42 rounded to float32 alone shifted every xhat by 2e-6, and a weight gradient summing 900 of them
 * by 0.25%).
 */
const NORM_FUNCTIONS = `
fn statsGroup(e: u32) -> u32 { return (e / p[2]) % p[0]; }
fn affineAt(e: u32) -> u32 { return select(e % p[2], statsGroup(e), p[5] == 1u); }
fn member(q: u32, g: u32, j: u32) -> u32 { return g * p[q + 4u] + (j / p[q + 2u]) * p[q + 3u] + j % p[q + 2u]; }
fn rstdOf(g: u32) -> f32 { return 1.0 / sqrt(stats[3u * g + 1u] + bitcast<f32>(p[6])); }
fn xhatOf(e: u32) -> f32 { let g = statsGroup(e); return ((x[e] - stats[3u * g]) - stats[3u * g + 2u]) * rstdOf(g); }
`;

const GROUP_ENTRY = `@compute @workgroup_size(${REDUCE_WORKGROUP}) fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
    @builtin(local_invocation_index) li: u32) {
  let g = wg.x + wg.y * nwg.x;`;

const FLAT_ENTRY = flatMain('e', 'p[9]');

const STATS_BINDING = (at: number): string => `@group(0) @binding(${at}) var<storage, read> stats: array<f32>;`;

/** Folds part[] and partX[] into their first elements, side by side (all threads run it). */
const PAIR_TREE = `
  workgroupBarrier();
  for (var s = ${REDUCE_WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (li < s) { part[li] += part[li + s]; partX[li] += partX[li + s]; }
    workgroupBarrier();
  }`;

/**
 * One workgroup per group: its mean m, then the sums of d = x - m and d^2 (the corrected two-pass algorithm):
 * r = mean(d), var = mean(d^2) - r^2; stats [m, var, r] per group.
 */
export const MOMENTS = `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;
${NORM_FUNCTIONS}var<workgroup> part: array<f32, ${REDUCE_WORKGROUP}>;
var<workgroup> partX: array<f32, ${REDUCE_WORKGROUP}>;
var<workgroup> centre: f32;
fn plus(a: f32, b: f32) -> f32 { return a + b; }
${GROUP_ENTRY}
  if (g >= p[0]) { return; }
  let n = p[1] * p[2];
  var acc = 0.0;
  for (var j = li; j < n; j += ${REDUCE_WORKGROUP}u) { acc += x[member(0u, g, j)]; }
  part[li] = acc;${tree('plus')}
  if (li == 0u) { centre = part[0] / f32(n); }
  workgroupBarrier();
  let m = centre;
  var first = 0.0;
  var second = 0.0;
  for (var j = li; j < n; j += ${REDUCE_WORKGROUP}u) { let d = x[member(0u, g, j)] - m; first += d; second += d * d; }
  part[li] = first;
  partX[li] = second;${PAIR_TREE}
  if (li == 0u) {
    let r = part[0] / f32(n);
    stats[3u * g] = m;
    stats[3u * g + 1u] = max(partX[0] / f32(n) - r * r, 0.0);
    stats[3u * g + 2u] = r;
  }
}`;

/** The group's mean and variance as core keeps them (for running statistics): m + r and var. */
export const SPLIT_STATS = `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> stats: array<f32>;
@group(0) @binding(2) var<storage, read_write> mean: array<f32>;
@group(0) @binding(3) var<storage, read_write> variance: array<f32>;
${FLAT_ENTRY.replace('p[9]', 'p[0]')}
  mean[e] = stats[3u * e] + stats[3u * e + 2u];
  variance[e] = stats[3u * e + 1u];
}`;

/** y = xhat * weight + bias, one thread per element. */
export const APPLY = `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> x: array<f32>;
${STATS_BINDING(2)}
@group(0) @binding(3) var<storage, read> weight: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;
${NORM_FUNCTIONS}
${FLAT_ENTRY}
  var v = xhatOf(e);
  if (p[7] == 1u) { v = v * weight[affineAt(e)]; }
  if (p[8] == 1u) { v = v + bias[affineAt(e)]; }
  y[e] = v;
}`;

/**
 * One workgroup per group of the second geometry: sums[2 g] = the sum of gg and sums[2 g + 1] = the sum of gg xhat,
 * with gg = dy times the element's weight when `weighted`, else dy.
 */
export const GROUP_SUMS = `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
${STATS_BINDING(3)}
@group(0) @binding(4) var<storage, read> weight: array<f32>;
@group(0) @binding(5) var<storage, read_write> sums: array<f32>;
${NORM_FUNCTIONS}
var<workgroup> part: array<f32, ${REDUCE_WORKGROUP}>;
var<workgroup> partX: array<f32, ${REDUCE_WORKGROUP}>;
fn plus(a: f32, b: f32) -> f32 { return a + b; }
${GROUP_ENTRY}
  if (g >= p[10]) { return; }
  let n = p[11] * p[12];
  var a = 0.0;
  var b = 0.0;
  for (var j = li; j < n; j += ${REDUCE_WORKGROUP}u) {
    let e = member(10u, g, j);
    var d = dy[e];
    if (p[15] == 1u) { d = d * weight[affineAt(e)]; }
    a += d;
    b += d * xhatOf(e);
  }
  part[li] = a;
  partX[li] = b;${PAIR_TREE}
  if (li == 0u) { sums[2u * g] = part[0]; sums[2u * g + 1u] = partX[0]; }
}`;

/**
 * dx = rstd (gg - mean(gg) - xhat mean(gg xhat)), gg = dy weight, one thread per element, from GROUP_SUMS over the
 * statistics' groups (weighted for layer norm; for batch norm unweighted and scaled here by the group's weight).
 */
export const INPUT_GRADIENT = `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
${STATS_BINDING(3)}
@group(0) @binding(4) var<storage, read> weight: array<f32>;
@group(0) @binding(5) var<storage, read> sums: array<f32>;
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;
${NORM_FUNCTIONS}
${FLAT_ENTRY}
  let g = statsGroup(e);
  let n = f32(p[1] * p[2]);
  var w = 1.0;
  if (p[7] == 1u) { w = weight[affineAt(e)]; }
  let scale = select(1.0, w, p[7] == 1u && p[15] == 0u);
  dx[e] = (dy[e] * w - scale * sums[2u * g] / n - xhatOf(e) * scale * sums[2u * g + 1u] / n) * rstdOf(g);
}`;
