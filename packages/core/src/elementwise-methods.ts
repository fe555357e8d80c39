/**
 * The elementwise methods of Scalar and Tensor (and so of every Node): one per elementwise op of ops/index.ts's
 * UNARY_OPS and BINARY_OPS, declared and documented once here and installed on each class's prototype from those
 * tables, as TensorFlow.js installs its chained ops. Adding an elementwise op is a line in its table and a declaration
 * below (`tsc` names the one missing); each class says in one place how its methods apply an op.
 */
import type { Node, Operand } from './autodiff/node.js';
import { BINARY_MASK_OPS, BINARY_OPS, type BinaryOpName, UNARY_MASK_OPS, UNARY_OPS, type UnaryOpName } from './ops/index.js';
import type { BinaryPredicate, UnaryPredicate } from './ops/predicate.js';
import type { BinaryOp, UnaryOp } from './ops/elementwise.js';

/**
 * The elementwise methods every node kind has, each taking and returning the kind it is called on (Scalar or Tensor).
 * Binary ones broadcast (NumPy rules) and accept a plain number as the other operand.
 * @example
 * scalar(2).mul(3).exp().value;              // e ** 6
 * tensor([1, 2]).add(tensor([[10], [20]]));  // shape [2, 2]
 */
export interface ElementwiseMethods {
  /** Elementwise sum, broadcasting (NumPy rules); a number is accepted as an operand. */
  add(other: this | number): this;
  /** Elementwise difference, broadcasting. */
  sub(other: this | number): this;
  /** Elementwise product, broadcasting. */
  mul(other: this | number): this;
  /** Elementwise quotient, broadcasting. */
  div(other: this | number): this;
  /** Elementwise power: this ** exponent. */
  pow(exponent: this | number): this;
  /** Elementwise maximum; a tie splits the gradient 1/2 to each operand. */
  maximum(other: this | number): this;
  /** Elementwise minimum; a tie splits the gradient 1/2 to each operand. */
  minimum(other: this | number): this;
  /** Elementwise atan2(this, other): the angle of the point (other, this), in (-pi, pi], broadcasting. */
  atan2(other: this | number): this;
  /**
   * relu(this + other) as one fused op (broadcasting): what a Linear layer followed by ReLU computes, in one pass
   * forward and one backward. Same values and gradients as `this.add(other).relu()`.
   * @example
   * x.matmul(w, { transposeB: true }).addRelu(bias);
   */
  addRelu(other: this | number): this;
  /** Elementwise negation. */
  neg(): this;
  /** Elementwise |x|; |x|'(0) = 0. */
  abs(): this;
  /** Elementwise e ** x. */
  exp(): this;
  /** Elementwise e ** x - 1, exact near 0 (expm1(1e-10) keeps every digit of 1e-10 + 5e-21). */
  expm1(): this;
  /** Elementwise natural logarithm. */
  log(): this;
  /** Elementwise log(1 + x), exact near 0 (log1p(1e-10) keeps every digit of 1e-10 - 5e-21). */
  log1p(): this;
  /** Elementwise square root. */
  sqrt(): this;
  /** Elementwise sine. */
  sin(): this;
  /** Elementwise cosine. */
  cos(): this;
  /** Elementwise arcsine, on [-1, 1]; the derivative 1 / sqrt(1 - x^2) is Infinity at +-1. */
  asin(): this;
  /** Elementwise arccosine, on [-1, 1]; the derivative -1 / sqrt(1 - x^2) is -Infinity at +-1. */
  acos(): this;
  /** Elementwise arctangent. */
  atan(): this;
  /** Elementwise hyperbolic sine. */
  sinh(): this;
  /** Elementwise hyperbolic cosine. */
  cosh(): this;
  /** Elementwise hyperbolic tangent. */
  tanh(): this;
  /** Elementwise inverse hyperbolic sine. */
  asinh(): this;
  /** Elementwise inverse hyperbolic cosine, on [1, Infinity). */
  acosh(): this;
  /** Elementwise inverse hyperbolic tangent, on (-1, 1). */
  atanh(): this;
  /** Elementwise logistic function 1 / (1 + e ** -x). */
  sigmoid(): this;
  /** Elementwise error function erf(x) = 2/sqrt(pi) times the integral of e^(-t^2) from 0 to x. */
  erf(): this;
  /** Elementwise max(x, 0); relu'(0) = 0. */
  relu(): this;
  /** Elementwise log(1 + e ** x), computed stably. */
  softplus(): this;
  /** Elementwise SiLU (swish): x sigmoid(x). */
  silu(): this;
}

/**
 * The mask methods of Tensor, one per mask op (UNARY_MASK_OPS, BINARY_MASK_OPS): 0/1 masks in the operands' dtype
 * that never require grad (`where` conditions). Binary ones broadcast.
 * @example
 * where(x.gt(0), x, x.mul(0.1));   // leaky relu
 */
export interface MaskMethods {
  /** 1 where this == other, else 0 (broadcasting; NaN equals nothing); never requires grad. */
  eq(other: this | number): this;
  /** 1 where this != other, else 0 (broadcasting); never requires grad. */
  ne(other: this | number): this;
  /** 1 where this < other, else 0 (broadcasting); never requires grad. */
  lt(other: this | number): this;
  /** 1 where this <= other, else 0 (broadcasting); never requires grad. */
  le(other: this | number): this;
  /**
   * 1 where this > other, else 0 (broadcasting), in the operands' dtype; never requires grad.
   * @example
   * where(x.gt(0), x, x.mul(0.1));   // leaky relu
   */
  gt(other: this | number): this;
  /** 1 where this >= other, else 0 (broadcasting); never requires grad. */
  ge(other: this | number): this;
  /** 1 where both are non-zero (NaN counts as true), else 0; never requires grad. */
  logicalAnd(other: this | number): this;
  /** 1 where either is non-zero, else 0; never requires grad. */
  logicalOr(other: this | number): this;
  /** 1 where exactly one is non-zero, else 0; never requires grad. */
  logicalXor(other: this | number): this;
  /** 1 where this is 0, else 0; never requires grad. */
  logicalNot(): this;
  /** 1 where this is NaN, else 0; never requires grad. */
  isNaN(): this;
  /** 1 where this is finite (neither NaN nor infinite), else 0; never requires grad. */
  isFinite(): this;
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;
/** The methods of `M` that take no argument. */
type NoArgument<M> = { [K in keyof M]: M[K] extends () => unknown ? K : never }[keyof M];
/**
 * @internal `tsc` holds the declarations above to the tables: a method of no argument for each op of a unary table,
 * of one for each op of a binary table, and nothing declared that is not installed.
 */
export type DeclaredAsInstalled = [
  Expect<Same<keyof ElementwiseMethods, UnaryOpName | BinaryOpName>>,
  Expect<Same<NoArgument<ElementwiseMethods>, UnaryOpName>>,
  Expect<Same<keyof MaskMethods, keyof typeof UNARY_MASK_OPS | keyof typeof BINARY_MASK_OPS>>,
  Expect<Same<NoArgument<MaskMethods>, keyof typeof UNARY_MASK_OPS>>,
];

/** A method per op of two tables: `unary` ops (a method of no argument) and `binary` ones (of the other operand). */
export interface OpTables<U, B> {
  readonly unary: Readonly<Record<string, U>>;
  readonly binary: Readonly<Record<string, B>>;
}

/** The elementwise ops' tables, whose methods every node kind has. */
export const ELEMENTWISE_TABLES: OpTables<UnaryOp, BinaryOp> = { unary: UNARY_OPS, binary: BINARY_OPS };
/** The mask ops' tables, whose methods Tensor has. */
export const MASK_TABLES: OpTables<UnaryPredicate, BinaryPredicate> = { unary: UNARY_MASK_OPS, binary: BINARY_MASK_OPS };

/** How a node kind applies an op in its methods. */
export interface MethodMakers<N extends Node, U, B> {
  unary(op: U): (this: N) => N;
  binary(op: B): (this: N, other: Operand<N>) => N;
}

/** @internal installs on `prototype` a method per op of `tables`, each made by `make`. */
export function installOpMethods<N extends Node, U, B>(prototype: N, tables: OpTables<U, B>, make: MethodMakers<N, U, B>): void {
  const install = (name: string, method: unknown) =>
    Object.defineProperty(prototype, name, { value: method, writable: true, configurable: true });
  for (const [name, op] of Object.entries(tables.unary)) install(name, make.unary(op));
  for (const [name, op] of Object.entries(tables.binary)) install(name, make.binary(op));
}
