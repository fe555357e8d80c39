/**
 * One case per built-in op, keyed by op name: OP_CASES has the type `{ [name in OpName]: OpCase }`, so an op added
 * to OPS without a case here fails `tsc` (and op-cases.test.ts checks that every op's test file runs its case).
 * Elementwise ops and reductions get the standard proofs of op-harness.ts from closed forms; every other op gets
 * gradcheck (and gradgradcheck where its rule is differentiated again) on a sample input, beside the op-specific
 * tests of its own file (layouts, indexing, in-place semantics, kernels). Every case also checks the op's tangent
 * rule: dual to its gradient (checkDuality) and against central differences (gradcheck in forward mode).
 */
import { type Node, type Tensor, concat, tensor, where } from '@tapegrad/core';
import * as ops from '../src/ops/index';
import type { OpName } from '../src/ops/index';
import { describeVmap } from './vmap-harness';
import {
  type BinaryCase,
  type ReductionCase,
  type UnaryCase,
  describeBinary,
  describeReduction,
  describeUnary,
  distinct,
  expectGradients,
  expectTangents,
  uniform,
} from './op-harness';
import { erfSeries } from './erf-series';

/** An op whose proof is gradcheck on sample inputs: `apply` takes fresh leaves made by `inputs`. */
export interface SampledCase {
  readonly inputs: () => Tensor[];
  readonly apply: (...xs: Tensor[]) => Node;
  readonly secondOrder?: boolean;
  readonly eps?: number;
  readonly rtol?: number;
  /** The duality check's tolerance, where a float32 step in between rounds both modes (default 1e-12). */
  readonly dualityRtol?: number;
  /** Inputs the vmap check always batches (an in-place op's target). */
  readonly batched?: readonly number[];
}

/** What `describeOp` runs for an op. */
export type OpCase =
  | ({ readonly kind: 'unary' } & Omit<UnaryCase, 'name' | 'apply'> & { readonly apply?: UnaryCase['apply'] })
  | ({ readonly kind: 'binary' } & Omit<BinaryCase, 'name' | 'apply'>)
  | ({ readonly kind: 'reduction' } & Omit<ReductionCase, 'name'>)
  | ({ readonly kind: 'sampled' } & SampledCase);

const logistic = (x: number) => 1 / (1 + Math.exp(-x));
const total = (v: number[]) => v.reduce((s, x) => s + x, 0);
/** A convolution of [2, 4, 5, 4] by [4, 2, 3, 2] in two groups, stride (2, 1), padding (1, 1) top-left, dilation (1, 2): [2, 4, 3, 4]. */
const CONV_GEOMETRY = {
  batch: 2,
  inChannels: 4,
  height: 5,
  width: 4,
  outChannels: 4,
  groups: 2,
  kernelH: 3,
  kernelW: 2,
  strideH: 2,
  strideW: 1,
  dilationH: 1,
  dilationW: 2,
  padTop: 1,
  padLeft: 1,
  outH: 3,
  outW: 4,
};
/** Values of CONV_GEOMETRY's shapes, from `seed`: images X, weight W, and an output gradient dY (the shape of conv2d's Y). */
const convValue = {
  images: (seed: number) => uniform([2, 4, 5, 4], -1, 1, { seed }),
  weight: (seed: number) => uniform([4, 2, 3, 2], -1, 1, { seed }),
  outGrad: (seed: number) => uniform([2, 4, 3, 4], -1, 1, { seed }),
};

/** The case of conv2d or one of its adjoints (bilinear, so checked to second order) on two of those values. */
const convCase = (op: typeof ops.conv2d, inputs: () => Tensor[]): OpCase => ({
  kind: 'sampled',
  inputs,
  apply: (a, b) => op(a, b, CONV_GEOMETRY),
  secondOrder: true,
});

/** 3 x 3 windows over [.., 5, 4] planes, stride (2, 1), padding 1 on every side: [.., 3, 4]. */
const POOL_GEOMETRY = {
  planes: 4,
  height: 5,
  width: 4,
  kernelH: 3,
  kernelW: 3,
  strideH: 2,
  strideW: 1,
  dilationH: 1,
  dilationW: 1,
  padTop: 1,
  padLeft: 1,
  outH: 3,
  outW: 4,
};

// prettier-ignore
const TAKE_INDICES = [
  2, 0, 1, 0,  2, 2, 0, 2,  0, 1, 1, 0,  1, 0, 2, 2,  2, 1, 0, 0,
  0, 0, 0, 0,  1, 2, 1, 2,  2, 2, 2, 1,  0, 1, 0, 0,  1, 1, 2, 2,
];

/** A mask op's case: gradcheck through `where` and a product with the mask, which must act as a constant. */
/** [a[0, 0], 7, 7] from a [2, 3] with ops (so it works under vmap too): an operand equal to a in one place only. */
function firstThenSevens(a: Tensor): Tensor {
  return a
    .slice([0, 0], [1, 3])
    .reshape([3])
    .mul(tensor([1, 0, 0]))
    .add(tensor([0, 7, 7]));
}

function maskCase(seed: number, mask: (a: Tensor, b: Tensor) => Tensor): OpCase {
  return {
    kind: 'sampled',
    inputs: () => [uniform([2, 3], -2, 2, { seed }), uniform([3], -2, 2, { seed: seed + 1 })],
    apply: (a, b) => where(mask(a, b), a.mul(b), a.sub(b)).mul(mask(a, b).add(0.5)),
    secondOrder: true,
  };
}

export const OP_CASES: { readonly [K in OpName]: OpCase } = {
  abs: { kind: 'unary', value: Math.abs, derivative: Math.sign, kinks: [0] },
  acos: {
    kind: 'unary',
    value: (x) => Math.atan2(Math.sqrt(1 - x * x), x),
    derivative: (x) => -1 / Math.sqrt(1 - x * x),
    domain: [-0.9, 0.9],
    secondOrder: true,
  },
  acosh: {
    kind: 'unary',
    value: (x) => Math.log(x + Math.sqrt(x * x - 1)),
    derivative: (x) => 1 / Math.sqrt(x * x - 1),
    domain: [1.2, 3],
    secondOrder: true,
  },
  add: { kind: 'binary', value: (a, b) => a + b, da: () => 1, db: () => 1 },
  addInPlace: {
    kind: 'sampled',
    inputs: () => [uniform([2, 3], -2, 2, { seed: 1 }), uniform([3], -2, 2, { seed: 2 })],
    apply: (x, y) => x.mul(1).addInPlace(y, 0.5),
    batched: [0],
  },
  addRelu: {
    kind: 'binary',
    value: (a, b) => Math.max(a + b, 0),
    da: (a, b) => (a + b > 0 ? 1 : 0),
    db: (a, b) => (a + b > 0 ? 1 : 0),
  },
  asin: {
    kind: 'unary',
    value: (x) => Math.atan2(x, Math.sqrt(1 - x * x)),
    derivative: (x) => 1 / Math.sqrt(1 - x * x),
    domain: [-0.9, 0.9],
    secondOrder: true,
  },
  asinh: {
    kind: 'unary',
    value: (x) => Math.sign(x) * Math.log(Math.abs(x) + Math.sqrt(x * x + 1)),
    derivative: (x) => 1 / Math.sqrt(x * x + 1),
    secondOrder: true,
  },
  assign: {
    kind: 'sampled',
    inputs: () => [uniform([2, 3], -2, 2, { seed: 3 }), uniform([3], -2, 2, { seed: 4 })],
    apply: (x, y) => x.mul(1).assign(y).mul(x),
    batched: [0],
  },
  atan: { kind: 'unary', value: (x) => Math.asin(x / Math.sqrt(1 + x * x)), derivative: (x) => 1 / (1 + x * x), secondOrder: true },
  atan2: {
    kind: 'binary',
    // The half-angle form 2 atan(a / (sqrt(a^2 + b^2) + b)), exact away from the negative b axis (b < 0, a = 0).
    value: (a, b) => 2 * Math.atan(a / (Math.hypot(a, b) + b)),
    da: (a, b) => b / (a * a + b * b),
    db: (a, b) => -a / (a * a + b * b),
    domainA: [0.5, 2],
    secondOrder: true,
  },
  atanh: {
    kind: 'unary',
    value: (x) => 0.5 * Math.log((1 + x) / (1 - x)),
    derivative: (x) => 1 / (1 - x * x),
    domain: [-0.9, 0.9],
    secondOrder: true,
  },
  avgPool2d: {
    kind: 'sampled',
    inputs: () => [uniform([2, 2, 5, 4], -2, 2, { seed: 28 })],
    apply: (x) => ops.avgPool2d(x, { ...POOL_GEOMETRY, countIncludePad: false, inputShape: [2, 2, 5, 4] }),
    secondOrder: true,
  },
  avgPool2dAdjoint: {
    kind: 'sampled',
    inputs: () => [uniform([2, 2, 3, 4], -2, 2, { seed: 29 })],
    apply: (g) => ops.avgPool2dAdjoint(g, { ...POOL_GEOMETRY, countIncludePad: false, inputShape: [2, 2, 5, 4] }),
    secondOrder: true,
  },
  batchNorm: {
    kind: 'sampled',
    inputs: () => [uniform([3, 2, 2, 2], -2, 2, { seed: 36 }), uniform([2], 0.5, 1.5, { seed: 37 }), uniform([2], -1, 1, { seed: 38 })],
    apply: (x, w, b) => ops.batchNorm(x, w, b, { eps: 1e-5, hasWeight: true, hasBias: true }).mul(x),
    secondOrder: true,
  },
  broadcastTo: {
    kind: 'sampled',
    inputs: () => [uniform([3, 1], -2, 2, { seed: 5 })],
    apply: (x) => x.broadcastTo([2, 3, 4]),
  },
  cast: {
    kind: 'sampled',
    inputs: () => [uniform([2, 3], -2, 2, { seed: 6 })],
    // float32 in between: a wide step, since the value only changes on the float32 grid.
    apply: (x) => x.cast('float32').mul(3).cast('float64'),
    eps: 1e-2,
    rtol: 1e-4,
    dualityRtol: 1e-6,
  },
  clamp: {
    kind: 'unary',
    apply: (x) => x.clamp(-1, 0.5),
    value: (x) => Math.min(Math.max(x, -1), 0.5),
    derivative: (x) => (x >= -1 && x <= 0.5 ? 1 : 0),
    kinks: [-1, 0.5],
  },
  concat: {
    kind: 'sampled',
    inputs: () => [uniform([2, 3], -2, 2, { seed: 7 }), uniform([2, 2], -2, 2, { seed: 8 })],
    apply: (a, b) => concat([a, b.mul(b)], 1),
    secondOrder: true,
  },
  conv2d: convCase(ops.conv2d, () => [convValue.images(22), convValue.weight(23)]),
  conv2dBias: {
    kind: 'sampled',
    inputs: () => [convValue.images(22), convValue.weight(23), uniform([4], -1, 1, { seed: 28 })],
    apply: (x, w, b) => ops.conv2dBias(x, w, b, CONV_GEOMETRY),
    secondOrder: true,
  },
  conv2dInputGrad: convCase(ops.conv2dInputGrad, () => [convValue.outGrad(24), convValue.weight(25)]),
  conv2dWeightGrad: convCase(ops.conv2dWeightGrad, () => [convValue.images(26), convValue.outGrad(27)]),
  cos: { kind: 'unary', value: Math.cos, derivative: (x) => -Math.sin(x), domain: [-4, 4], secondOrder: true },
  cosh: {
    kind: 'unary',
    value: (x) => (Math.exp(x) + Math.exp(-x)) / 2,
    derivative: (x) => (Math.exp(x) - Math.exp(-x)) / 2,
    secondOrder: true,
  },
  cumprod: {
    kind: 'sampled',
    inputs: () => [uniform([2, 3, 4], 0.5, 1.5, { seed: 86 })],
    apply: (x) => ops.cumprod(x, { axis: 1 }).add(ops.cumprod(x.mul(x), { axis: 2 })),
    secondOrder: true,
  },
  cumsum: {
    kind: 'sampled',
    inputs: () => [uniform([2, 3, 4], -2, 2, { seed: 84 })],
    apply: (x) => ops.cumsum(x, { axis: 1, reverse: false }).add(ops.cumsum(x.mul(x), { axis: 2, reverse: true })),
    secondOrder: true,
  },
  diagonal: {
    kind: 'sampled',
    inputs: () => [uniform([3, 2, 4], -2, 2, { seed: 39 })],
    apply: (x) => ops.diagonal(x, { axis1: 2, axis2: 0, offset: -1, shape: [3, 2, 4] }),
    secondOrder: true,
  },
  diagonalAdjoint: {
    kind: 'sampled',
    inputs: () => [uniform([2, 3], -2, 2, { seed: 40 })],
    apply: (g) => ops.diagonalAdjoint(g, { axis1: 2, axis2: 0, offset: -1, shape: [3, 2, 4] }),
    secondOrder: true,
  },
  div: { kind: 'binary', value: (a, b) => a / b, da: (_a, b) => 1 / b, db: (a, b) => -a / (b * b), domainB: [0.5, 2], secondOrder: true },
  embedding: {
    kind: 'sampled',
    // Row 2 is the padding row, a constant here: its zero gradient is by design, not the derivative gradcheck measures.
    inputs: () => [uniform([4, 3], -2, 2, { seed: 32 })],
    apply: (w) => {
      const rows = concat([w.slice([0, 0], [2, 3]), tensor([[0.3, -0.2, 0.1]]), w.slice([2, 0], [2, 3])]);
      return ops.embedding(tensor([4, 0, 4, 1, 2, 0], { dtype: 'int32', shape: [2, 3] }), rows, { paddingIdx: 2 }).tanh();
    },
    secondOrder: true,
  },
  eq: maskCase(60, (a, b) => a.eq(b.mul(0).add(firstThenSevens(a)))),
  erf: {
    kind: 'unary',
    value: erfSeries,
    derivative: (x) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x),
    domain: [-2.5, 2.5],
    secondOrder: true,
  },
  exp: { kind: 'unary', value: Math.exp, derivative: Math.exp, secondOrder: true },
  expm1: { kind: 'unary', value: (x) => Math.exp(x) - 1, derivative: Math.exp, secondOrder: true },
  flip: {
    kind: 'sampled',
    inputs: () => [uniform([2, 3, 4], -2, 2, { seed: 85 })],
    apply: (x) => x.flip([0, 2]).mul(x),
    secondOrder: true,
  },
  gather: {
    kind: 'sampled',
    inputs: () => [uniform([2, 3], -2, 2, { seed: 9 })],
    apply: (x) => x.gather([2, 0, 2, 1], 1),
  },
  ge: maskCase(70, (a, b) => a.ge(b)),
  gelu: {
    kind: 'unary',
    apply: (x) => ops.gelu(x, { approximate: 'none' }),
    value: (x) => 0.5 * x * (1 + erfSeries(x / Math.SQRT2)),
    derivative: (x) => 0.5 * (1 + erfSeries(x / Math.SQRT2)) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI),
    domain: [-3, 3],
    secondOrder: true,
  },
  gt: maskCase(68, (a, b) => a.gt(b)),
  isFinite: maskCase(82, (a, b) => a.div(b.gt(0)).isFinite()),
  isNaN: maskCase(80, (a) => a.log().isNaN()),
  layerNorm: {
    kind: 'sampled',
    inputs: () => [uniform([2, 3, 4], -2, 2, { seed: 33 }), uniform([3, 4], 0.5, 1.5, { seed: 34 }), uniform([3, 4], -1, 1, { seed: 35 })],
    apply: (x, w, b) => ops.layerNorm(x, w, b, { axes: 2, eps: 1e-5, hasWeight: true, hasBias: true }).mul(x),
    secondOrder: true,
  },
  le: maskCase(66, (a, b) => a.le(b)),
  leakyRelu: {
    kind: 'unary',
    apply: (x) => x.leakyRelu(0.1),
    value: (x) => (x > 0 ? x : 0.1 * x),
    derivative: (x) => (x > 0 ? 1 : 0.1),
    kinks: [0],
  },
  log: { kind: 'unary', value: Math.log, derivative: (x) => 1 / x, domain: [0.2, 3], secondOrder: true },
  log1p: { kind: 'unary', value: (x) => Math.log(1 + x), derivative: (x) => 1 / (1 + x), domain: [-0.8, 2], secondOrder: true },
  logicalAnd: maskCase(72, (a, b) => a.gt(0).logicalAnd(b.lt(0.5))),
  logicalNot: maskCase(78, (a) => a.gt(0).logicalNot()),
  logicalOr: maskCase(74, (a, b) => a.gt(0).logicalOr(b.lt(0.5))),
  logicalXor: maskCase(76, (a, b) => a.gt(0).logicalXor(b.lt(0.5))),
  logSoftmax: {
    kind: 'sampled',
    inputs: () => [uniform([2, 3, 4], -3, 3, { seed: 10 })],
    apply: (x) => x.logSoftmax(1),
    secondOrder: true,
  },
  logSumExp: {
    kind: 'reduction',
    apply: (x, axis, keepDims) => x.logSumExp(axis, keepDims),
    combine: (v) => Math.log(total(v.map(Math.exp))),
    secondOrder: true,
  },
  lt: maskCase(64, (a, b) => a.lt(b)),
  matmul: {
    kind: 'sampled',
    inputs: () => [uniform([2, 3, 4], -2, 2, { seed: 11 }), uniform([4, 5], -2, 2, { seed: 12 })],
    apply: (a, b) => a.matmul(b),
    secondOrder: true,
  },
  max: { kind: 'reduction', apply: (x, axis, keepDims) => x.max(axis, keepDims), combine: (v) => Math.max(...v), distinctInputs: true },
  maximum: { kind: 'binary', value: Math.max, da: (a, b) => (a > b ? 1 : 0), db: (a, b) => (b > a ? 1 : 0) },
  maxPool2d: {
    kind: 'sampled',
    // Distinct values: a tie would put the gradient on a kink.
    inputs: () => [distinct([2, 2, 5, 4], 30)],
    apply: (x) => ops.maxPool2d(x, POOL_GEOMETRY),
    secondOrder: true,
  },
  min: { kind: 'reduction', apply: (x, axis, keepDims) => x.min(axis, keepDims), combine: (v) => Math.min(...v), distinctInputs: true },
  minimum: { kind: 'binary', value: Math.min, da: (a, b) => (a < b ? 1 : 0), db: (a, b) => (b < a ? 1 : 0) },
  mul: { kind: 'binary', value: (a, b) => a * b, da: (_a, b) => b, db: (a) => a, secondOrder: true },
  mulInPlace: {
    kind: 'sampled',
    inputs: () => [uniform([2, 3], -2, 2, { seed: 13 })],
    apply: (x) => x.mul(x).mulInPlace(2.5),
    secondOrder: true,
    batched: [0],
  },
  ne: maskCase(62, (a, b) => a.ne(b.mul(0).add(firstThenSevens(a)))),
  neg: { kind: 'unary', value: (x) => -x, derivative: () => -1 },
  norm: {
    kind: 'reduction',
    apply: (x, axis, keepDims) => x.norm(2, axis, keepDims),
    combine: (v) => Math.sqrt(total(v.map((x) => x * x))),
    secondOrder: true,
  },
  pad: {
    kind: 'sampled',
    inputs: () => [uniform([3, 4], -2, 2, { seed: 31 })],
    apply: (x) => ops.pad(x, { before: [1, -1], after: [-2, 2], value: 0.5 }),
    secondOrder: true,
  },
  padInto: {
    kind: 'sampled',
    inputs: () => [uniform([2, 2], -2, 2, { seed: 14 })],
    apply: (x) => ops.padInto(x, { begin: [1, 0], size: [3, 4] }),
  },
  pow: {
    kind: 'binary',
    value: Math.pow,
    da: (a, b) => b * a ** (b - 1),
    db: (a, b) => a ** b * Math.log(a),
    domainA: [0.5, 2],
    domainB: [-1.5, 1.5],
    secondOrder: true,
  },
  prod: {
    kind: 'reduction',
    apply: (x, axis, keepDims) => x.prod(axis, keepDims),
    combine: (v) => v.reduce((p, x) => p * x, 1),
    secondOrder: true,
  },
  relu: { kind: 'unary', value: (x) => Math.max(x, 0), derivative: (x) => (x > 0 ? 1 : 0), kinks: [0] },
  reshape: {
    kind: 'sampled',
    inputs: () => [uniform([2, 3], -2, 2, { seed: 15 })],
    apply: (x) => x.reshape([3, 2]),
  },
  scaledDotProductAttention: {
    kind: 'sampled',
    inputs: () => [
      uniform([2, 3, 4], -1, 1, { seed: 36 }),
      uniform([1, 5, 4], -1, 1, { seed: 37 }),
      uniform([2, 5, 3], -1, 1, { seed: 38 }),
    ],
    apply: (q, k, v) =>
      ops.scaledDotProductAttention(q, k, v, { batch: [2], L: 3, S: 5, D: 4, Dv: 3, scale: 0.5, causal: true, mask: null }),
    secondOrder: true,
  },
  scatterAdd: {
    kind: 'sampled',
    inputs: () => [uniform([2, 4], -2, 2, { seed: 16 })],
    apply: (g) => ops.scatterAdd(g, tensor([2, 0, 2, 1], { dtype: 'int32' }), { axis: 1, size: 3 }),
  },
  scatterAlongAxis: {
    kind: 'sampled',
    inputs: () => [uniform([2, 4, 3], -2, 2, { seed: 40 })],
    // Index 0 twice in some lines (their gradients add) and never in others.
    apply: (g) =>
      ops
        .scatterAlongAxis(
          g,
          tensor([0, 2, 1, 3, 0, 4, 0, 1, 0, 2, 4, 3, 4, 3, 2, 1, 0, 4, 3, 3, 1, 2, 0, 0], { dtype: 'int32', shape: [2, 4, 3] }),
          {
            axis: 1,
            size: 5,
          },
        )
        .tanh(),
    secondOrder: true,
  },
  sigmoid: { kind: 'unary', value: logistic, derivative: (x) => logistic(x) * (1 - logistic(x)), domain: [-5, 5], secondOrder: true },
  silu: {
    kind: 'unary',
    value: (x) => x * logistic(x),
    derivative: (x) => logistic(x) * (1 + x * (1 - logistic(x))),
    domain: [-5, 5],
    secondOrder: true,
  },
  sin: { kind: 'unary', value: Math.sin, derivative: Math.cos, domain: [-4, 4], secondOrder: true },
  sinh: {
    kind: 'unary',
    value: (x) => (Math.exp(x) - Math.exp(-x)) / 2,
    derivative: (x) => (Math.exp(x) + Math.exp(-x)) / 2,
    secondOrder: true,
  },
  slice: {
    kind: 'sampled',
    inputs: () => [uniform([3, 4], -2, 2, { seed: 17 })],
    apply: (x) => x.slice([1, -3], [2, 2]),
  },
  softmax: {
    kind: 'sampled',
    inputs: () => [uniform([2, 3, 4], -3, 3, { seed: 18 })],
    apply: (x) => x.softmax(-1),
    secondOrder: true,
  },
  softplus: { kind: 'unary', value: (x) => Math.log(1 + Math.exp(x)), derivative: logistic, domain: [-5, 5], secondOrder: true },
  sqrt: { kind: 'unary', value: Math.sqrt, derivative: (x) => 0.5 / Math.sqrt(x), domain: [0.2, 3], secondOrder: true },
  sub: { kind: 'binary', value: (a, b) => a - b, da: () => 1, db: () => -1 },
  sum: { kind: 'reduction', apply: (x, axis, keepDims) => x.sum(axis, keepDims), combine: total },
  takeAlongAxis: {
    kind: 'sampled',
    inputs: () => [uniform([2, 3, 4], -2, 2, { seed: 41 })],
    // Five picks along axis 1 of length 3: repeats (an element picked twice gets both gradients), and x[0, 1, 3] never picked.
    apply: (x) => ops.takeAlongAxis(x, tensor(TAKE_INDICES, { dtype: 'int32', shape: [2, 5, 4] }), { axis: 1 }).tanh(),
    secondOrder: true,
  },
  tanh: { kind: 'unary', value: Math.tanh, derivative: (x) => 1 - Math.tanh(x) ** 2, domain: [-3, 3], secondOrder: true },
  transpose: {
    kind: 'sampled',
    inputs: () => [uniform([2, 3, 4], -2, 2, { seed: 19 })],
    apply: (x) => x.transpose([2, 0, 1]),
  },
  where: {
    kind: 'sampled',
    inputs: () => [uniform([2, 3], -2, 2, { seed: 20 }), uniform([3], -2, 2, { seed: 21 })],
    apply: (a, b) =>
      where(
        tensor([
          [1, 0, 1],
          [0, 0, 1],
        ]),
        a,
        b.mul(b),
      ),
    secondOrder: true,
  },
};

/** Calls the op's method of the same name: `x.exp()`, `a.add(b)` (Scalar and Tensor both have it). */
function method(name: string): (...xs: any[]) => any {
  return (x, ...rest) => x[name](...rest);
}

/** Runs the standard proof of op `name` from its case (see the file comment), and its vmap check; every op's test file calls it. */
export function describeOp(name: OpName): void {
  const c = OP_CASES[name];
  describeVmapCase(name, c);
  switch (c.kind) {
    case 'unary':
      return describeUnary({ ...c, name, apply: c.apply ?? method(name) });
    case 'binary':
      return describeBinary({ ...c, name, apply: method(name) });
    case 'reduction':
      return describeReduction({ ...c, name });
    case 'sampled':
      describe(`${name} (gradcheck on a sample input)`, () => {
        it(c.secondOrder ? 'passes gradcheck and gradgradcheck' : 'passes gradcheck', () => {
          expectGradients(c.apply, c.inputs(), { secondOrder: c.secondOrder, eps: c.eps, rtol: c.rtol });
        });
        it('has tangents dual to its gradients, matching central differences', () => {
          expectTangents(c.apply, c.inputs(), { secondOrder: c.secondOrder, eps: c.eps, rtol: c.rtol, dualityRtol: c.dualityRtol });
        });
      });
  }
}

const UNARY_SAMPLES: number[][] = [[2, 3], [], [4]];
const BINARY_SAMPLES: Array<[number[], number[]]> = [
  [[2, 3], [3]],
  [[], [4]],
  [[3], [2, 1, 3]],
];
const REDUCTION_AXES: Array<[number | number[] | undefined, boolean]> = [
  [undefined, false],
  [1, true],
  [[0, 2], false],
  [-1, false],
];

/** The vmap check of op `name` (test/vmap-harness.ts), on samples drawn as its case draws its inputs. */
function describeVmapCase(name: OpName, c: OpCase): void {
  // Seed 100 k + b is sample b of configuration k: one shape per configuration.
  const config = (seed: number) => Math.floor(seed / 100);
  switch (c.kind) {
    case 'unary': {
      const [lo, hi] = c.domain ?? [-2, 2];
      const shape = (seed: number) => UNARY_SAMPLES[config(seed) % UNARY_SAMPLES.length];
      return describeVmap({
        name,
        apply: c.apply ?? method(name),
        sample: (seed) => [uniform(shape(seed), lo, hi, { seed, avoid: c.kinks })],
      });
    }
    case 'binary': {
      const [aLo, aHi] = c.domainA ?? [-2, 2];
      const [bLo, bHi] = c.domainB ?? [-2, 2];
      const shapes = (seed: number) => BINARY_SAMPLES[config(seed) % BINARY_SAMPLES.length];
      return describeVmap({
        name,
        apply: method(name),
        sample: (seed) => [uniform(shapes(seed)[0], aLo, aHi, { seed }), uniform(shapes(seed)[1], bLo, bHi, { seed: seed + 50 })],
      });
    }
    case 'reduction':
      for (const [axis, keepDims] of REDUCTION_AXES)
        describeVmap({
          name: `${name} over ${JSON.stringify(axis)}${keepDims ? ' (keepDims)' : ''}`,
          apply: (x) => c.apply(x, axis, keepDims),
          sample: (seed) => [c.distinctInputs ? distinct([2, 3, 4], seed + 1) : uniform([2, 3, 4], -2, 2, { seed })],
          configs: 2,
        });
      return;
    case 'sampled':
      // Each sample scales the case's inputs by its own positive factor: signs, order and domains are kept.
      return describeVmap({
        name,
        apply: c.apply,
        sample: (seed) => c.inputs().map((x) => x.mul(1 + 0.1 * ((seed % 100) + 1) + 0.01 * config(seed))),
        batched: c.batched,
      });
  }
}
