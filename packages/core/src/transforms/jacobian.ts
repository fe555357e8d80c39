/**
 * Whole Jacobians, JAX's way: `jacrev` builds one row per output element with the backward sweep (m sweeps of one
 * recorded pass), `jacfwd` one column per input element with forward mode (n jvps), and `jacobian` picks the one
 * that needs fewer: reverse when the output is smaller than the input (a wide Jacobian), forward otherwise. The
 * Jacobian of an output of shape S with respect to an argument of shape A has shape [...S, ...A], assembled with
 * differentiable ops, so Jacobians can be differentiated again (`hessian` is jacfwd of jacrev).
 */
import { sweep } from '../autodiff/backward.js';
import { enableGrad, noGrad } from '../autodiff/mode.js';
import type { Node } from '../autodiff/node.js';
import { stack } from '../combine.js';
import { zeros } from '../creation.js';
import { GradError } from '../errors.js';
import { Scalar } from '../scalar.js';
import { Tensor } from '../tensor.js';
import { type Argnums, argnumList, prepare } from './grad.js';
import { jvp } from './jvp.js';
import { type ArgsOf, type Differentiable, type Outputs, eachOutput, mapOutputs, splitAux, toNode } from './tree.js';

/** Options of `jacfwd`, `jacrev`, `jacobian` and `hessian`. */
export interface JacobianOptions<N extends Argnums = Argnums> {
  /** Which positional arguments to differentiate with respect to (default 0). A list gives a list per output. */
  readonly argnums?: N;
  /** `f` returns `[output, aux]`: the aux data is passed through (`[jacobian, aux]` back), as JAX's has_aux. */
  readonly hasAux?: boolean;
}

/** The Jacobian of an output of type `O` with respect to an argument of type `P`: a Scalar for Scalar by Scalar, else a Tensor. */
export type Jac<O, P> = O extends Scalar ? (P extends Tensor ? Tensor : Scalar) : Tensor;

/** The Jacobians of one output node with respect to the arguments `N` of a function taking `P`. */
export type JacAt<O, P extends readonly unknown[], N> = N extends readonly number[]
  ? { -readonly [K in keyof N]: Jac<O, P[N[K] & number]> }
  : N extends number
    ? Jac<O, P[N]>
    : Jac<O, P[0]>;

/** What a Jacobian transform returns for outputs `R`: the output's structure, with the Jacobians `JacAt` at each node. */
export type JacobianOf<R, P extends readonly unknown[], N> = R extends Differentiable
  ? JacAt<R, P, N>
  : R extends readonly unknown[]
    ? { -readonly [K in keyof R]: JacobianOf<R[K], P, N> }
    : never;

/** A function whose Jacobian a transform takes. */
export type JacobianFn = (...args: any[]) => Outputs;
/** A `hasAux` function: `[output, aux]`. */
export type JacobianAuxFn = (...args: any[]) => readonly [Outputs, unknown];

/**
 * The Jacobian by reverse mode: one recorded pass, then one backward sweep per output element (each gives a row).
 * Best for functions with few outputs and many inputs (a loss: one row is the gradient).
 * @example
 * const J = jacrev((x: Tensor) => x.sin().mul(2))(tensor([0, 1]));   // [2, 2], diag(2 cos x)
 * const [Ja, Jb] = jacrev((a: Tensor, b: Tensor) => a.mul(b), { argnums: [0, 1] })(a, b);
 */
export function jacrev<F extends JacobianFn, const N extends Argnums = 0>(
  f: F,
  options?: JacobianOptions<N> & { readonly hasAux?: false },
): (...args: ArgsOf<Parameters<F>>) => JacobianOf<ReturnType<F>, Parameters<F>, N>;
export function jacrev<F extends JacobianAuxFn, const N extends Argnums = 0>(
  f: F,
  options: JacobianOptions<N> & { readonly hasAux: true },
): (...args: ArgsOf<Parameters<F>>) => [JacobianOf<ReturnType<F>[0], Parameters<F>, N>, ReturnType<F>[1]];
export function jacrev(f: (...args: never[]) => unknown, options: JacobianOptions = {}): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => jacobianBy('reverse', f, args, options, 'jacrev');
}

/**
 * The Jacobian by forward mode: one jvp per input element (each gives a column), nothing on a tape. Best for
 * functions with few inputs and many outputs (a curve, a robot arm's end point, a parameter sweep).
 * @example
 * const J = jacfwd((t: Scalar) => [t.cos(), t.sin()])(0.5);   // [Scalar, Scalar]: -sin 0.5, cos 0.5
 */
export function jacfwd<F extends JacobianFn, const N extends Argnums = 0>(
  f: F,
  options?: JacobianOptions<N> & { readonly hasAux?: false },
): (...args: ArgsOf<Parameters<F>>) => JacobianOf<ReturnType<F>, Parameters<F>, N>;
export function jacfwd<F extends JacobianAuxFn, const N extends Argnums = 0>(
  f: F,
  options: JacobianOptions<N> & { readonly hasAux: true },
): (...args: ArgsOf<Parameters<F>>) => [JacobianOf<ReturnType<F>[0], Parameters<F>, N>, ReturnType<F>[1]];
export function jacfwd(f: (...args: never[]) => unknown, options: JacobianOptions = {}): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => jacobianBy('forward', f, args, options, 'jacfwd');
}

/**
 * The Jacobian by whichever mode needs fewer passes: reverse mode (one sweep per output element) when the outputs
 * have fewer elements than the differentiated inputs, forward mode (one jvp per input element) otherwise. Same
 * result as `jacrev` and `jacfwd` (JAX's `jacobian` is always `jacrev`).
 * @example
 * const J = jacobian((x: Tensor) => x.matmul(W))(x);   // [m, n] for x: [n], W: [n, m]
 */
export function jacobian<F extends JacobianFn, const N extends Argnums = 0>(
  f: F,
  options?: JacobianOptions<N> & { readonly hasAux?: false },
): (...args: ArgsOf<Parameters<F>>) => JacobianOf<ReturnType<F>, Parameters<F>, N>;
export function jacobian<F extends JacobianAuxFn, const N extends Argnums = 0>(
  f: F,
  options: JacobianOptions<N> & { readonly hasAux: true },
): (...args: ArgsOf<Parameters<F>>) => [JacobianOf<ReturnType<F>[0], Parameters<F>, N>, ReturnType<F>[1]];
export function jacobian(f: (...args: never[]) => unknown, options: JacobianOptions = {}): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => jacobianBy('auto', f, args, options, 'jacobian');
}

type Mode = 'forward' | 'reverse' | 'auto';

function jacobianBy(mode: Mode, f: (...args: never[]) => unknown, args: unknown[], options: JacobianOptions, caller: string): unknown {
  const argnums = argnumList(options.argnums, 0);
  const many = Array.isArray(options.argnums);
  return enableGrad(() => {
    // The recorded pass reverse mode needs; with 'auto' it also tells the output's size, and is reused when reverse wins.
    if (mode !== 'forward') {
      const { args: inputs, targets, stopAt } = prepare(args, argnums, caller);
      const [out, aux] = split((f as (...a: unknown[]) => unknown)(...inputs), options, caller);
      const inputSize = targets.reduce((n, t) => n + t.size, 0);
      if (mode === 'reverse' || outputSize(out, caller) < inputSize) {
        const jac = mapOutputs(out, caller, (o) => pick(rowsOf(o, targets, stopAt), many));
        return options.hasAux ? [jac, aux] : jac;
      }
    }
    return byColumns(f, args, argnums, many, options, caller);
  });
}

/** The Jacobians of output `o` with respect to each target: one backward sweep per element of `o`. */
function rowsOf(o: Node, targets: readonly Node[], stopAt: readonly Node[]): Node[] {
  const rows = targets.map((): Node[] => []);
  for (let i = 0; i < o.size; i++) {
    const grads = o.requiresGrad
      ? sweep({ roots: [o], seeds: [basisLike(o, i)], targets, createGraph: true, retainGraph: true, stopAt })
      : targets.map((t) => t.zerosLike());
    grads.forEach((g, k) => rows[k].push(g));
  }
  return targets.map((t, k) => assemble(o, t, rows[k], 0));
}

/** The Jacobians by forward mode: one jvp per element of each differentiated argument, each giving a column. */
function byColumns(
  f: (...args: never[]) => unknown,
  args: readonly unknown[],
  argnums: readonly number[],
  many: boolean,
  options: JacobianOptions,
  caller: string,
): unknown {
  const primals = argnums.map((i) => {
    if (!Number.isInteger(i) || i < 0 || i >= args.length) {
      throw new GradError(`${caller}: argnums names argument ${i}, but the function was called with ${args.length} arguments`);
    }
    return toNode(args[i], i, caller);
  });
  // Only the differentiated arguments are perturbed; the others are passed as given.
  const g = (...xs: Node[]): unknown => {
    const full = args.slice();
    argnums.forEach((i, k) => (full[i] = xs[k]));
    return (f as (...a: unknown[]) => unknown)(...full);
  };
  const run = (tangents: Node[]): [unknown, unknown, unknown] => {
    const r = (jvp as unknown as (f: unknown, p: unknown, t: unknown, o: unknown) => unknown[])(g, primals, tangents, {
      hasAux: options.hasAux,
    });
    return [r[0], r[1], r[2]];
  };
  let out: unknown = undefined;
  let aux: unknown = undefined;
  // columns[k][j]: the output's tangent along element j of argument k, as a list of the output's nodes.
  const columns = primals.map((p, k) => {
    const cols: Node[][] = [];
    for (let j = 0; j < p.size; j++) {
      const [o, t, a] = run(primals.map((q, l) => (l === k ? basisLike(q, j) : q.zerosLike())));
      [out, aux] = [o, a];
      cols.push(leavesOf(t, caller));
    }
    return cols;
  });
  // An argument with no elements gives no columns: the output's structure then comes from a plain evaluation.
  if (columns.every((c) => c.length === 0))
    [out, aux] = split(
      noGrad(() => g(...primals)),
      options,
      caller,
    );
  let leaf = 0;
  const jac = mapOutputs(out, caller, (o) => {
    const at = leaf++;
    return pick(
      primals.map((p, k) =>
        assemble(
          o,
          p,
          columns[k].map((t) => t[at]),
          o.shape.length,
        ),
      ),
      many,
    );
  });
  return options.hasAux ? [jac, aux] : jac;
}

/**
 * Puts the pieces of the Jacobian of output `o` with respect to `x` together: rows (each of x's shape, stacked on
 * axis 0) or columns (each of o's shape, stacked on the last axis), into shape [...o.shape, ...x.shape].
 */
function assemble(o: Node, x: Node, pieces: readonly Node[], axis: number): Node {
  if (o instanceof Scalar && x instanceof Scalar) return pieces[0];
  const shape = [...o.shape, ...x.shape];
  // Scalars and Tensors never mix in an op, so an output of the other kind does not depend on x at all.
  const tensors = pieces.filter((p): p is Tensor => p instanceof Tensor);
  if (tensors.length !== pieces.length || tensors.length === 0) return zeros(shape, { dtype: floatDType(x instanceof Tensor ? x : o) });
  return stack(tensors, axis).reshape(shape);
}

function floatDType(n: Node): 'float32' | 'float64' {
  return n.dtype === 'float32' ? 'float32' : 'float64';
}

function pick(js: Node[], many: boolean): unknown {
  return many ? js : js[0];
}

function split(result: unknown, options: JacobianOptions, caller: string): [unknown, unknown] {
  return options.hasAux ? splitAux(result, caller) : [result, undefined];
}

function outputSize(out: unknown, caller: string): number {
  let n = 0;
  eachOutput(out, caller, (o) => (n += o.size));
  return n;
}

function leavesOf(out: unknown, caller: string): Node[] {
  const leaves: Node[] = [];
  eachOutput(out, caller, (n) => leaves.push(n));
  return leaves;
}

/** The unit vector e_i of `x`'s kind, shape and dtype. */
function basisLike(x: Node, i: number): Node {
  if (x instanceof Scalar) return new Scalar(1, false);
  const e = (x as Tensor).zerosLike();
  e.data[i] = 1;
  return e;
}
