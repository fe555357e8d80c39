/**
 * Batch norm and layer norm on the device (the WGSL is kernels/normalise.ts), over the groups core describes
 * (NormGroups: batch norm's channels, layer norm's rows). With xhat = (x - mean) / sqrt(var + eps), gg = dy w:
 *   forward   mean and biased variance per group (one workgroup each, two passes), then y = xhat w + b
 *   backward  per group the sums of gg and gg xhat (one workgroup each), then dx = (gg - mean(gg) - xhat mean(gg xhat))
 *             / sqrt(var + eps); dw = the sum of dy xhat and db = the sum of dy over the weight's groups (batch norm:
 *             the same sums, unweighted; layer norm: one more pass, over the columns)
 * Only the statistics are kept between forward and backward: per group the float32 mean m, the variance and the mean
 * r of x - m (which xhat = (x - m - r) / sqrt(var + eps) uses to keep the mean's precision), and core's mean and
 * variance for running statistics.
 */
import type { NDArray } from '@tapegrad/core';
import type { WebGPUBackend } from './backend.js';
import type { SeamArgs, SeamResult } from './seam.js';
import * as wgsl from './kernels/normalise.js';
import { f32Bits } from './shapes.js';

/**
 * Where the statistics are taken, over x's flat elements: `groups` groups (batch norm: the channels; layer norm: the
 * rows), group g made of `runs` runs of `length` consecutive elements, `runStride` apart, the first at g groupStride
 * (core's moments.ts walk).
 */
interface NormGroups {
  readonly groups: number;
  readonly runs: number;
  readonly length: number;
  readonly runStride: number;
  readonly groupStride: number;
}

/** Batch norm's groups of x [N, C, ...] (a channel's values, a run per sample), or layer norm's rows of `width`. */
function groupsOf(x: NDArray, perChannel: boolean, affineShape: readonly number[]): NormGroups {
  if (perChannel) {
    const [n, c] = x.shape;
    const plane = n * c === 0 ? 0 : x.size / (n * c);
    return { groups: c, runs: n, length: plane, runStride: c * plane, groupStride: plane };
  }
  const width = affineShape.reduce((a, d) => a * d, 1);
  return { groups: width === 0 ? 0 : x.size / width, runs: 1, length: width, runStride: width, groupStride: width };
}

/** What the forward returns and backward gets back: core's statistics, and the kernels' own [mean, var, residual]. */
interface Saved {
  y: NDArray;
  mean: NDArray;
  variance: NDArray;
  readonly packed: NDArray;
}

const geometry = (g: NormGroups): number[] => [g.groups, g.runs, g.length, g.runStride, g.groupStride];

/** A weight's or bias's gradients are summed over: per channel, the statistics' groups; per place in a row, the columns. */
function affineGroups(g: NormGroups, perGroup: boolean): NormGroups {
  if (perGroup) return g;
  return { groups: g.length, runs: g.groups * g.runs, length: 1, runStride: g.length, groupStride: 1 };
}

function paramsOf(
  g: NormGroups,
  eps: number,
  perGroup: boolean,
  weight: NDArray | null,
  bias: NDArray | null,
  elements: number,
  sums: NormGroups,
  weighted: boolean,
): number[] {
  const flags = [perGroup ? 1 : 0, f32Bits(eps), weight === null ? 0 : 1, bias === null ? 0 : 1, elements];
  return [...geometry(g), ...flags, ...geometry(sums), weighted && weight !== null ? 1 : 0];
}

export function normalise(backend: WebGPUBackend, ...[x, perGroup, affineShape, eps, weight, bias]: SeamArgs<'normalise'>): Saved {
  const op = perGroup ? 'batchNorm' : 'layerNorm';
  const g = groupsOf(x, perGroup, affineShape);
  const [xd, w, b] = [x, weight, bias].map((a) => (a === null ? null : backend.operand(a, op)));
  const stats = backend.alloc([g.groups, 3], 'float32');
  const mean = backend.alloc([g.groups], 'float32');
  const variance = backend.alloc([g.groups], 'float32');
  const y = backend.alloc(x.shape, 'float32');
  const params = paramsOf(g, eps, perGroup, weight, bias, x.size, g, false);
  const placeholder = backend.alloc([1], 'float32');
  const buffer = (a: NDArray | null) => backend.bufferOf(a ?? placeholder);
  if (g.groups > 0) backend.run(wgsl.MOMENTS, params, [xd, stats].map(buffer), backend.grid(g.groups, 1));
  backend.flat(wgsl.APPLY, params, [xd, stats, w, b, y].map(buffer), x.size);
  backend.flat(wgsl.SPLIT_STATS, [g.groups], [stats, mean, variance].map(buffer), g.groups);
  return { y, mean, variance, packed: stats };
}

export function normaliseBackward(
  backend: WebGPUBackend,
  ...[dy, x, perGroup, affineShape, stats, eps, weight, want]: SeamArgs<'normaliseBackward'>
): SeamResult<'normaliseBackward'> {
  const op = perGroup ? 'batchNorm' : 'layerNorm';
  const g = groupsOf(x, perGroup, affineShape);
  const [dyd, xd, w] = [dy, x, weight].map((a) => (a === null ? null : backend.operand(a, op)));
  const placeholder = backend.alloc([1], 'float32');
  const buffer = (a: NDArray | null) => backend.bufferOf(a ?? placeholder);
  const operands = [dyd, xd, (stats as Saved).packed, w];
  /** Per group of `over`: [the sum of gg, the sum of gg xhat], as [groups, 2]. */
  const sumsOver = (over: NormGroups, weighted: boolean) => {
    const sums = backend.alloc([over.groups, 2], 'float32');
    const params = paramsOf(g, eps, perGroup, weight, null, x.size, over, weighted);
    if (over.groups > 0) backend.run(wgsl.GROUP_SUMS, params, [...operands, sums].map(buffer), backend.grid(over.groups, 1));
    return { sums, params };
  };
  let dx: NDArray | null = null;
  // Batch norm's unweighted sums per channel serve dx (scaled there by the channel's weight) and dw, db alike.
  const statsSums = want.dx || perGroup ? sumsOver(g, !perGroup) : null;
  if (want.dx && statsSums !== null) {
    dx = backend.alloc(x.shape, 'float32');
    backend.flat(wgsl.INPUT_GRADIENT, statsSums.params, [...operands, statsSums.sums, dx].map(buffer), x.size);
  }
  if (!want.dWeight && !want.dBias) return { dx, dWeight: null, dBias: null };
  const { sums } = perGroup ? statsSums! : sumsOver(affineGroups(g, false), false);
  const column = (c: number) => backend.reshape(backend.slice(sums, [0, c], [sums.shape[0], 1]), affineShape);
  return { dx, dWeight: want.dWeight ? column(1) : null, dBias: want.dBias ? column(0) : null };
}
