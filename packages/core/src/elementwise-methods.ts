/**
 * The elementwise methods of Scalar and Tensor (and so of every Node): one per elementwise op of ops/index.ts's
 * UNARY_OPS and BINARY_OPS, declared and documented once here and installed on each class's prototype from those
 * tables, as TensorFlow.js installs its chained ops. Adding an elementwise op is a line in its table and a declaration
 * below (`tsc` names the one missing); each class says in one place how its methods apply an op.
 */
import type { Node, Operand } from './autodiff/node.js';
import { BINARY_OPS, type BinaryOpName, UNARY_OPS, type UnaryOpName } from './ops/index.js';
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

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;
/** The declared methods that take no argument. */
type NoArgument = { [K in keyof ElementwiseMethods]: ElementwiseMethods[K] extends () => unknown ? K : never }[keyof ElementwiseMethods];
/**
 * @internal `tsc` holds the declarations above to the tables: a method of no argument for each op of UNARY_OPS, of
 * one for each of BINARY_OPS, and nothing declared that is not installed.
 */
export type DeclaredAsInstalled = [
  Expect<Same<keyof ElementwiseMethods, UnaryOpName | BinaryOpName>>,
  Expect<Same<NoArgument, UnaryOpName>>,
];

/** How a node kind applies an op in its methods. */
export interface MethodMakers<N extends Node> {
  unary(op: UnaryOp): (this: N) => N;
  binary(op: BinaryOp): (this: N, other: Operand<N>) => N;
}

/** @internal installs a method per op of UNARY_OPS and BINARY_OPS on `prototype`, made by `make`. */
export function installElementwiseMethods<N extends Node>(prototype: N, make: MethodMakers<N>): void {
  const install = (name: string, method: unknown) =>
    Object.defineProperty(prototype, name, { value: method, writable: true, configurable: true });
  for (const [name, op] of Object.entries(UNARY_OPS)) install(name, make.unary(op));
  for (const [name, op] of Object.entries(BINARY_OPS)) install(name, make.binary(op));
}
