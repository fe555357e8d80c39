/**
 * What the transforms take and give: Scalars and Tensors, plain numbers where a Scalar goes, and outputs that are a
 * node or a list (nested) of nodes, as JAX's pytrees of arrays. The types here let a transform's argument and
 * result types follow the function it transforms.
 */
import { Node } from '../autodiff/node.js';
import { DTypeError, GradError } from '../errors.js';
import { Scalar } from '../scalar.js';
import type { Tensor } from '../tensor.js';

/** What the function transforms differentiate and return. */
export type Differentiable = Scalar | Tensor;

/** A transform's output: a Scalar or a Tensor, or a list (nested) of them. */
export type Outputs = Differentiable | readonly Outputs[];

/** The same structure as `T`, each node replaced by a node of its kind (a derivative's type: Scalar or Tensor). */
export type Like<T> = [Outputs] extends [T] ? Outputs : LikeEach<T>;
type LikeEach<T> = T extends Scalar
  ? Scalar
  : T extends Tensor
    ? Tensor
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: LikeEach<T[K]> }
      : never;

/** What a transformed function takes where `f` takes `P`: the same, and a plain number where `P` is a Scalar. */
export type ArgOf<P> = P extends Scalar ? P | number : P;

/** The argument list of a transformed function: `f`'s, with plain numbers allowed for Scalars. */
export type ArgsOf<A extends readonly unknown[]> = { [K in keyof A]: ArgOf<A[K]> };

/** The derivative type of an argument of type `P`: a Tensor for a Tensor, a Scalar for a Scalar or a number. */
export type GradOf<P> = P extends Tensor ? Tensor : Scalar;

/** Calls `visit` on each node of an output, in order; refuses anything that is not a node or a list of them. */
export function eachOutput(out: unknown, caller: string, visit: (n: Node) => void): void {
  if (out instanceof Node) return visit(out);
  if (Array.isArray(out)) {
    for (const o of out) eachOutput(o, caller, visit);
    return;
  }
  throw new GradError(`${caller}: the function must return a Scalar, a Tensor or a list of them, got ${describe(out)}`);
}

/** The output with each node replaced by `fn(node)`, keeping the list structure. */
export function mapOutputs<T>(out: unknown, caller: string, fn: (n: Node) => T): unknown {
  if (out instanceof Node) return fn(out);
  if (Array.isArray(out)) return out.map((o) => mapOutputs(o, caller, fn));
  throw new GradError(`${caller}: the function must return a Scalar, a Tensor or a list of them, got ${describe(out)}`);
}

/** Splits what a `hasAux` function returned into its output and its auxiliary data. */
export function splitAux(result: unknown, caller: string): [unknown, unknown] {
  if (!Array.isArray(result) || result.length !== 2) {
    throw new GradError(`${caller}: with hasAux the function must return [output, aux], got ${describe(result)}`);
  }
  return [result[0], result[1]];
}

/** A node for an argument: a plain number becomes a Scalar leaf. */
export function toNode(a: unknown, i: number, caller: string): Node {
  if (typeof a === 'number') return new Scalar(a, false);
  if (a instanceof Node) return a;
  throw new DTypeError(`${caller}: argument ${i} is ${describe(a)}; expected a Scalar, a Tensor or a number`);
}

export function describe(x: unknown): string {
  if (x === undefined || x === null) return String(x);
  if (Array.isArray(x)) return `an array of ${x.length}`;
  if (typeof x !== 'object') return `a ${typeof x}`;
  const name = x.constructor?.name;
  return name === undefined || name === 'Object' ? 'a plain object' : `a ${name}`;
}
