/**
 * `jvp(f, primals, tangents)`: forward mode. Each primal gets its tangent attached (a `jvp` level of its own), `f`
 * runs once, and each op carries the tangents along with the values (autodiff/forward.ts), so the output comes with
 * J u, the Jacobian of `f` times the tangents, without ever forming J and without a tape.
 */
import { isBatched } from '../autodiff/batching.js';
import { mode, enableGrad } from '../autodiff/mode.js';
import { Node } from '../autodiff/node.js';
import { type Level, closeLevel, hasVisibleTangent, openLevel, setTangent, tangentAt } from '../autodiff/tangents.js';
import { DTypeError, ShapeError, formatShape } from '../errors.js';
import { Scalar } from '../scalar.js';
import type { Tensor } from '../tensor.js';
import { type ArgsOf, type Like, type Outputs, describe, eachOutput, mapOutputs, splitAux, toNode } from './tree.js';

/** Options of `jvp`. */
export interface JvpOptions {
  /** `f` returns `[output, aux]`: the aux data is passed through, not differentiated (JAX's has_aux). Default false. */
  readonly hasAux?: boolean;
}

/** A tangent for an argument of type `P`: a node of its kind and shape, or a plain number for a Scalar. */
export type TangentOf<P> = P extends Tensor ? Tensor : Scalar | number;

/** The tangents for an argument list: one per argument. */
export type TangentsOf<A extends readonly unknown[]> = { [K in keyof A]: TangentOf<A[K]> };

/**
 * Forward mode: `f(...primals)` and its directional derivative along `tangents` (J u), as `[output, outputTangent]`.
 * The tangent has the output's structure, shape and dtype (zeros where the output does not depend on the primals).
 * Each op carries the tangents with the values, so this costs a few forward passes and keeps nothing on a tape;
 * it composes with `grad` and with itself in both orders, to any order.
 * @example
 * const [y, dy] = jvp((x: Scalar) => x.sin(), [0.5], [1]);   // sin(0.5), cos(0.5)
 * const [z, dz] = jvp((a: Tensor, b: Tensor) => a.mul(b).sum(), [a, b], [u, zerosLike(b)]);   // dz = <u, b>
 */
// `any[]`, not `unknown[]`, as the bound of the argument list: when `f` is itself a generic call written inline
// (`jvp(grad(f), ...)`), TypeScript infers it from jvp's parameter first and would fall back to `unknown` arguments.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function jvp<A extends readonly any[], R extends Outputs>(
  f: (...args: A) => R,
  primals: NoInfer<ArgsOf<A>>,
  tangents: NoInfer<TangentsOf<A>>,
  options?: JvpOptions & { readonly hasAux?: false },
): [R, Like<R>];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function jvp<A extends readonly any[], R extends Outputs, Aux>(
  f: (...args: A) => readonly [R, Aux],
  primals: NoInfer<ArgsOf<A>>,
  tangents: NoInfer<TangentsOf<A>>,
  options: JvpOptions & { readonly hasAux: true },
): [R, Like<R>, Aux];
export function jvp(
  f: (...args: never[]) => unknown,
  primals: readonly unknown[],
  tangents: readonly unknown[],
  options: JvpOptions = {},
): unknown[] {
  if (!Array.isArray(primals) || !Array.isArray(tangents)) {
    throw new DTypeError(
      `jvp: primals and tangents must be lists (one entry per argument), got ${describe(primals)} and ${describe(tangents)}`,
    );
  }
  if (primals.length !== tangents.length) {
    throw new ShapeError(`jvp: ${primals.length} primals but ${tangents.length} tangents; give one tangent per primal`);
  }
  // A transform is not turned off by an outer noGrad (as `grad`); a noGrad inside `f` stops tangents as it stops the tape.
  return enableGrad(() => {
    const level = openLevel();
    try {
      const args = primals.map((p, i) => perturbed(toNode(p, i, 'jvp'), tangents[i], level, i));
      const result = (f as (...a: Node[]) => unknown)(...args);
      const [out, aux] = options.hasAux ? splitAux(result, 'jvp') : [result, undefined];
      const tangentOut = mapOutputs(out, 'jvp', (n) => outputTangent(n, level));
      eachOutput(out, 'jvp', (n) => setTangent(n, level, null));
      return options.hasAux ? [out, tangentOut, aux] : [out, tangentOut];
    } finally {
      closeLevel(level);
    }
  });
}

/**
 * The primal as `f` sees it: a new node with the primal's value (so a node `f` closes over is not perturbed), tied to
 * the primal on the tape and in any outer jvp when those differentiate it, with `tangent` attached at `level`.
 */
export function perturbed(primal: Node, tangent: unknown, level: Level, i: number): Node {
  if (primal.dtype === 'int32') throw new DTypeError(`jvp: primal ${i} is an int32 tensor; only float tensors can be perturbed`);
  const x = (mode.grad && primal.requiresGrad) || hasVisibleTangent(primal) ? primal.mul(1) : primal.make(primal.raw);
  x.name = primal.name;
  setTangent(x, level, tangentValue(primal, tangent, i));
  return x;
}

function tangentValue(primal: Node, t: unknown, i: number): Node | number | null {
  if (typeof t === 'number') {
    if (primal instanceof Scalar) return t === 0 ? null : t;
    throw new DTypeError(
      `jvp: tangent ${i} is a number, but primal ${i} is a Tensor of shape ${formatShape(primal.shape)}; give a Tensor of that shape`,
    );
  }
  if (!(t instanceof Node)) throw new DTypeError(`jvp: tangent ${i} is ${describe(t)}; expected a Scalar, a Tensor or a number`);
  if (t.constructor !== primal.constructor && typeof t.raw !== typeof primal.raw) {
    throw new DTypeError(`jvp: tangent ${i} is a ${t.constructor.name} for a ${primal.constructor.name} primal`);
  }
  if (t.shape.length !== primal.shape.length || t.shape.some((d, k) => d !== primal.shape[k])) {
    throw new ShapeError(
      `jvp: tangent ${i} has shape ${formatShape(t.shape)}, primal ${i} has shape ${formatShape(primal.shape)}; they must match`,
    );
  }
  if (t.dtype !== primal.dtype) {
    throw new DTypeError(`jvp: tangent ${i} is ${t.dtype}, primal ${i} is ${primal.dtype}; they must match (cast the tangent)`);
  }
  // A tangent that nothing differentiates and that is all zeros is no tangent at all: the ops downstream of an input
  // held still then compute no tangent terms for it (a symbolic zero). A Scalar one travels as a number.
  // A batched tangent (jvp inside vmap) cannot be read: it is taken as it is.
  if (t.requiresGrad || hasVisibleTangent(t) || isBatched(t)) return t;
  if (isZero(t)) return null;
  return t instanceof Scalar ? t.value : t;
}

/** The output's tangent at `level` as a node (zeros when the level never reached it). */
export function outputTangent(out: Node, level: Level): Node {
  const t = tangentAt(out, level);
  if (t === null) return out.zerosLike();
  return typeof t === 'number' ? out.make(t) : t;
}

function isZero(t: Node): boolean {
  const r = t.raw;
  if (typeof r === 'number') return r === 0;
  const d = r.data;
  for (let i = 0; i < d.length; i++) if (d[i] !== 0) return false;
  return true;
}
