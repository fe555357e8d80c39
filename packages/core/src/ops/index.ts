/**
 * Every built-in op, each defined once in its own file, and OPS: all of them by name. OPS is what the rest of the
 * code is checked against by the compiler: every op has a tangent rule (forward mode) beside its gradient and a
 * batching rule (vmap), Scalar and Tensor have a method for each elementwise op (UNARY_OPS, BINARY_OPS), every
 * math method of the rule language (RuleMath) is an op here of the same arity, and the op tests keep one case per op
 * (test/op-cases.ts). Adding an op is its file, its kernel, its test and a line here; `tsc` then names anything
 * still missing.
 *
 * Each name stands twice below, in the exports and in OPS, on purpose: the library imports ops by name, so a bundle
 * keeps only those it calls, while OPS (which holds every op) is read only inside functions marked pure and so is
 * dropped from a bundle that never asks for it (test/tree-shaking.test.ts). Reading ops off OPS would put every op
 * in `import { scalar }`.
 */
import type { RuleMath, RuleMathOp } from '../autodiff/grad-math.js';
import { abs } from './abs.js';
import { acos } from './acos.js';
import { acosh } from './acosh.js';
import { asin } from './asin.js';
import { asinh } from './asinh.js';
import { atan } from './atan.js';
import { atan2 } from './atan2.js';
import { atanh } from './atanh.js';
import { cosh } from './cosh.js';
import { cumprod } from './cumprod.js';
import { cumsum } from './cumsum.js';
import { flip } from './flip.js';
import { norm } from './norm.js';
import { prod } from './prod.js';
import { expm1 } from './expm1.js';
import { log1p } from './log1p.js';
import { sinh } from './sinh.js';
import { add } from './add.js';
import { addInPlace } from './add-in-place.js';
import { addRelu } from './add-relu.js';
import { assign } from './assign.js';
import { scaledDotProductAttention } from './attention.js';
import { avgPool2d, avgPool2dAdjoint } from './avg-pool2d.js';
import { broadcastTo } from './broadcast-to.js';
import { cast } from './cast.js';
import { clamp } from './clamp.js';
import { concat } from './concat.js';
import { eq, ge, gt, le, lt, ne } from './compare.js';
import { isFinite, isNaN } from './is-finite.js';
import { logicalAnd, logicalNot, logicalOr, logicalXor } from './logical.js';
import { conv2d, conv2dInputGrad, conv2dWeightGrad } from './conv2d.js';
import { conv2dBias } from './conv2d-bias.js';
import { cos } from './cos.js';
import { diagonal, diagonalAdjoint } from './diagonal.js';
import { div } from './div.js';
import { embedding } from './embedding.js';
import type { BinaryOp, UnaryOp } from './elementwise.js';
import type { BinaryPredicate, UnaryPredicate } from './predicate.js';
import { erf } from './erf.js';
import { exp } from './exp.js';
import { gather, scatterAdd } from './gather.js';
import { gelu } from './gelu.js';
import { batchNorm } from './batch-norm.js';
import { layerNorm } from './layer-norm.js';
import { leakyRelu } from './leaky-relu.js';
import { log } from './log.js';
import { logSoftmax } from './log-softmax.js';
import { logSumExp } from './log-sum-exp.js';
import { matmulFlagged } from './matmul.js';
import { max, min } from './max.js';
import { maxPool2d } from './max-pool2d.js';
import { maximum, minimum } from './maximum.js';
import { mul } from './mul.js';
import { mulInPlace } from './mul-in-place.js';
import { neg } from './neg.js';
import { pad } from './pad.js';
import { pow } from './pow.js';
import { relu } from './relu.js';
import { reshape } from './reshape.js';
import { sigmoid } from './sigmoid.js';
import { silu } from './silu.js';
import { sin } from './sin.js';
import { padInto, slice } from './slice.js';
import { softmax } from './softmax.js';
import { softplus } from './softplus.js';
import { sqrt } from './sqrt.js';
import { sub } from './sub.js';
import { sum } from './sum.js';
import { takeAlongAxis, scatterAlongAxis } from './take-along-axis.js';
import { tanh } from './tanh.js';
import { transpose } from './transpose.js';
import { where } from './where.js';

export {
  abs,
  add,
  addInPlace,
  addRelu,
  assign,
  avgPool2d,
  avgPool2dAdjoint,
  batchNorm,
  broadcastTo,
  cast,
  clamp,
  concat,
  conv2d,
  conv2dBias,
  conv2dInputGrad,
  conv2dWeightGrad,
  cos,
  diagonal,
  diagonalAdjoint,
  div,
  embedding,
  erf,
  exp,
  gather,
  gelu,
  layerNorm,
  leakyRelu,
  log,
};
export {
  logSoftmax,
  logSumExp,
  matmulFlagged,
  max,
  maxPool2d,
  maximum,
  min,
  minimum,
  mul,
  mulInPlace,
  neg,
  pad,
  padInto,
  pow,
  relu,
  reshape,
};
export {
  scaledDotProductAttention,
  scatterAdd,
  scatterAlongAxis,
  sigmoid,
  silu,
  sin,
  slice,
  softmax,
  softplus,
  sqrt,
  sub,
  sum,
  takeAlongAxis,
  tanh,
  transpose,
  where,
};
export { acos, acosh, asin, asinh, atan, atan2, atanh, cosh, expm1, log1p, sinh };
export { eq, ge, gt, isFinite, isNaN, le, logicalAnd, logicalNot, logicalOr, logicalXor, lt, ne };
export { cumprod, cumsum, flip, norm, prod };

/** Each RuleMath method's op: the elementwise op of that name, of one operand or of two. */
type RuleVocabulary = { readonly [K in RuleMathOp]: RuleMath<number>[K] extends (a: number) => number ? UnaryOp : BinaryOp };

/** What every built-in op's definition must have: a tangent rule (`jvp` and every forward-mode transform use it). */
type HasTangentRule = { readonly definition: { readonly tangent: (...args: never[]) => unknown } };

/**
 * What every built-in op must have for vmap: a batching rule (or `batch: 'loop'`, an explicit opt-in to the loop over
 * samples), or be an in-place op, which vmap applies to a batched target's physical value.
 */
type Batches = { readonly definition: { readonly batch: unknown } } | { readonly inPlace: true };

/** Every built-in op by name (matmul's op is matmulFlagged). */
export const OPS = {
  abs,
  acos,
  acosh,
  add,
  addInPlace,
  addRelu,
  asin,
  asinh,
  assign,
  atan,
  atan2,
  atanh,
  avgPool2d,
  avgPool2dAdjoint,
  batchNorm,
  broadcastTo,
  cast,
  clamp,
  concat,
  conv2d,
  conv2dBias,
  conv2dInputGrad,
  conv2dWeightGrad,
  cos,
  cosh,
  cumprod,
  cumsum,
  diagonal,
  diagonalAdjoint,
  div,
  embedding,
  eq,
  erf,
  exp,
  expm1,
  flip,
  gather,
  ge,
  gelu,
  gt,
  isFinite,
  isNaN,
  layerNorm,
  le,
  leakyRelu,
  log,
  log1p,
  logicalAnd,
  logicalNot,
  logicalOr,
  logicalXor,
  logSoftmax,
  logSumExp,
  lt,
  matmul: matmulFlagged,
  max,
  maximum,
  maxPool2d,
  min,
  minimum,
  mul,
  mulInPlace,
  ne,
  neg,
  norm,
  pad,
  padInto,
  pow,
  prod,
  relu,
  reshape,
  scaledDotProductAttention,
  scatterAdd,
  scatterAlongAxis,
  sigmoid,
  silu,
  sin,
  sinh,
  slice,
  softmax,
  softplus,
  sqrt,
  sub,
  sum,
  takeAlongAxis,
  tanh,
  transpose,
  where,
} as const satisfies RuleVocabulary & Readonly<Record<string, HasTangentRule & Batches>>;

/** The name of a built-in op. */
export type OpName = keyof typeof OPS;

type NamesOf<T> = { [K in OpName]: (typeof OPS)[K] extends T ? K : never }[OpName];
/** The name of an elementwise op of one operand: a method of Scalar and Tensor with no argument (`x.exp()`). */
export type UnaryOpName = NamesOf<UnaryOp>;
/** The elementwise ops of two operands, broadcasting (`a.add(b)`). */
export type BinaryOpName = NamesOf<BinaryOp>;

/**
 * The elementwise ops of one operand by name: each is a method of Scalar and of Tensor that takes no argument,
 * installed from this table (elementwise-methods.ts). `tsc` holds it to OPS: every such op of OPS, and nothing else.
 */
export const UNARY_OPS = {
  abs,
  acos,
  acosh,
  asin,
  asinh,
  atan,
  atanh,
  cos,
  cosh,
  erf,
  exp,
  expm1,
  log,
  log1p,
  neg,
  relu,
  sigmoid,
  silu,
  sin,
  sinh,
  softplus,
  sqrt,
  tanh,
} as const satisfies { readonly [K in UnaryOpName]: UnaryOp };

/** The elementwise ops of two operands by name, each a method of Scalar and Tensor taking the other operand. */
export const BINARY_OPS = { add, addRelu, atan2, div, maximum, minimum, mul, pow, sub } as const satisfies {
  readonly [K in BinaryOpName]: BinaryOp;
};

/**
 * The mask ops (predicate.ts) of one operand by name: each is a Tensor method of no argument (`x.isNaN()`),
 * installed from this table (elementwise-methods.ts).
 */
export const UNARY_MASK_OPS = { isFinite, isNaN, logicalNot } as const satisfies Readonly<Record<string, UnaryPredicate>>;

/** The mask ops of two operands by name, each a Tensor method taking the other operand (`a.lt(b)`). */
export const BINARY_MASK_OPS = { eq, ge, gt, le, logicalAnd, logicalOr, logicalXor, lt, ne } as const satisfies Readonly<
  Record<string, BinaryPredicate>
>;

function hasKernelOfArity(op: unknown, arity: 1 | 2): boolean {
  const kernel = (op as { definition: { kernel?: { arity?: number } } }).definition.kernel;
  return kernel !== undefined && kernel.arity === arity;
}

/**
 * The names of the elementwise ops of one operand, in alphabetical order: each is a method of Scalar and of Tensor
 * that takes no argument (the playground offers them as the functions of its language).
 * @example
 * UNARY_OP_NAMES.includes('tanh');   // true
 * scalar(0.5)[UNARY_OP_NAMES[0]]();  // abs(0.5)
 */
export const UNARY_OP_NAMES: readonly UnaryOpName[] = /* @__PURE__ */ unaryOpNames();

// Computed in a function marked pure, so that a bundle which never reads UNARY_OP_NAMES leaves it, and with it OPS
// and every op, out: `import { scalar }` would otherwise carry matmul, softmax and the rest (test/tree-shaking.test.ts).
function unaryOpNames(): UnaryOpName[] {
  return (Object.keys(OPS) as OpName[]).filter((name): name is UnaryOpName => hasKernelOfArity(OPS[name], 1));
}
