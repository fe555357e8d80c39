/**
 * JAX-style reverse-mode transforms over the same tape: `grad`, `valueAndGrad` and `vjp`. They never touch any
 * `.grad` field, and their results are themselves differentiable (the backward is recorded), so `grad(grad(f))`
 * works to any order, as does `jvp(grad(f))`. Their argument and result types follow `f`'s.
 */
import { sweep } from '../autodiff/backward.js';
import { enableGrad } from '../autodiff/mode.js';
import { Node } from '../autodiff/node.js';
import { DTypeError, GradError, formatShape } from '../errors.js';
import { Scalar } from '../scalar.js';
import { Tensor } from '../tensor.js';
import { type ArgsOf, type Differentiable, type GradOf, type Like, type Outputs, describe, eachOutput, splitAux } from './tree.js';

/** Which positional arguments a transform differentiates: one (its derivative alone) or a list (a list back). */
export type Argnums = number | readonly number[];

/** Options of `grad`, `valueAndGrad` and `vjp`. */
export interface GradOptions<N extends Argnums = Argnums> {
  /** Which positional arguments to differentiate with respect to (default 0; for vjp, all). A list gives a list. */
  readonly argnums?: N;
  /** `f` returns `[output, aux]`: the aux data is passed through, not differentiated (JAX's has_aux). */
  readonly hasAux?: boolean;
}

/** The derivatives with respect to the arguments `N` of a function taking `P`: one, or a list for a list of argnums. */
export type GradsAt<P extends readonly unknown[], N> = N extends readonly number[]
  ? { -readonly [K in keyof N]: GradOf<P[N[K] & number]> }
  : N extends number
    ? GradOf<P[N]>
    : GradOf<P[0]>;

/** A function of a single-valued output (a Scalar, or a one-element Tensor). */
export type ValueFn = (...args: any[]) => Differentiable;
/** A `hasAux` function: `[output, aux]`. */
export type AuxFn = (...args: any[]) => readonly [Differentiable, unknown];

type AuxOf<F extends AuxFn> = ReturnType<F>[1];

/**
 * `valueAndGrad(f)(...args)` returns `[f(...args), df/dargs]`; with `hasAux`, `[[value, aux], grads]` (as JAX).
 * @example
 * const [y, dy] = valueAndGrad((x: Scalar) => x.mul(x))(3);   // 9, 6
 * const [[loss, logits], dw] = valueAndGrad((w: Tensor) => { const z = x.matmul(w); return [z.square().sum(), z] as const; }, { hasAux: true })(w);
 */
export function valueAndGrad<F extends ValueFn, const N extends Argnums = 0>(
  f: F,
  options?: GradOptions<N> & { readonly hasAux?: false },
): (...args: ArgsOf<Parameters<F>>) => [ReturnType<F>, GradsAt<Parameters<F>, N>];
export function valueAndGrad<F extends AuxFn, const N extends Argnums = 0>(
  f: F,
  options: GradOptions<N> & { readonly hasAux: true },
): (...args: ArgsOf<Parameters<F>>) => [[ReturnType<F>[0], AuxOf<F>], GradsAt<Parameters<F>, N>];
export function valueAndGrad(f: (...args: any[]) => unknown, options: GradOptions = {}): (...args: unknown[]) => unknown {
  const argnums = argnumList(options.argnums, 0);
  const many = Array.isArray(options.argnums);
  return (...args: unknown[]) =>
    enableGrad(() => {
      const { args: inputs, targets, stopAt } = prepare(args, argnums, 'grad');
      const result = f(...inputs);
      const [out, aux] = options.hasAux ? splitAux(result, 'grad') : [result, undefined];
      const seed = seedFor(out, 'grad');
      const grads = (out as Node).requiresGrad
        ? sweep({ roots: [out as Node], seeds: [seed], targets, createGraph: true, stopAt })
        : targets.map((t) => t.zerosLike());
      const g = many ? grads : grads[0];
      return options.hasAux ? [[out, aux], g] : [out, g];
    });
}

/**
 * `grad(f)(...args)` is df/dargs, as in JAX: f must return a single value. `argnums` picks the arguments (a list
 * gives a list of gradients); with `hasAux`, `f` returns `[output, aux]` and `grad` gives `[gradient, aux]`.
 * @example
 * const d2 = grad(grad((x: Scalar) => x.sin()))(1);   // -sin(1), a Scalar
 * const [da, db] = grad((a: Tensor, b: Tensor) => a.mul(b).sum(), { argnums: [0, 1] })(a, b);
 */
export function grad<F extends ValueFn, const N extends Argnums = 0>(
  f: F,
  options?: GradOptions<N> & { readonly hasAux?: false },
): (...args: ArgsOf<Parameters<F>>) => GradsAt<Parameters<F>, N>;
export function grad<F extends AuxFn, const N extends Argnums = 0>(
  f: F,
  options: GradOptions<N> & { readonly hasAux: true },
): (...args: ArgsOf<Parameters<F>>) => [GradsAt<Parameters<F>, N>, AuxOf<F>];
export function grad(f: (...args: any[]) => unknown, options: GradOptions = {}): (...args: unknown[]) => unknown {
  const vg = valueAndGrad(f as ValueFn, options as GradOptions<Argnums> & { hasAux?: false }) as (...args: unknown[]) => [unknown, unknown];
  return (...args: unknown[]) => {
    const [value, g] = vg(...args);
    return options.hasAux ? [g, (value as unknown[])[1]] : g;
  };
}

/** The pullback `vjp` returns: cotangents of the output's structure in, one gradient per differentiated argument out. */
export type Pullback<R, G> = (cotangent: CotangentOf<R>) => G;

/** A cotangent for an output of type `R`: a node of its kind (or a number, broadcast), in the output's structure. */
export type CotangentOf<R> = [Outputs] extends [R]
  ? unknown
  : R extends Differentiable
    ? Like<R> | number
    : { [K in keyof R]: CotangentOf<R[K]> };

type AllGrads<P extends readonly unknown[]> = { -readonly [K in keyof P]: GradOf<P[K]> };
type VjpGrads<P extends readonly unknown[], N> = [N] extends [Argnums] ? GradsList<P, N> : AllGrads<P>;
type GradsList<P extends readonly unknown[], N> = N extends readonly number[]
  ? GradsAt<P, N>
  : N extends number
    ? [GradOf<P[N]>]
    : AllGrads<P>;

/**
 * `vjp(f)(...args)` returns `[f(...args), pullback]` (with `hasAux`, `[output, pullback, aux]`); `pullback(cotangent)`
 * is cotangent^T J, one gradient for each argument in `argnums` (default: every argument), for outputs of any shape
 * and for lists of outputs (a cotangent per output).
 * @typeParam F - the function's type: the transformed function takes its arguments, the pullback its output's structure.
 * @typeParam N - the argnums (default: every argument).
 * @example
 * const [y, pullback] = vjp((x: Tensor) => x.mul(2))(x); const [dx] = pullback(ones(y.shape));
 */
export function vjp<F extends (...args: any[]) => Outputs, const N extends Argnums | undefined = undefined>(
  f: F,
  options?: GradOptions<N & Argnums> & { readonly argnums?: N; readonly hasAux?: false },
): (...args: ArgsOf<Parameters<F>>) => [ReturnType<F>, Pullback<ReturnType<F>, VjpGrads<Parameters<F>, N>>];
export function vjp<F extends (...args: any[]) => readonly [Outputs, unknown], const N extends Argnums | undefined = undefined>(
  f: F,
  options: GradOptions<N & Argnums> & { readonly argnums?: N; readonly hasAux: true },
): (...args: ArgsOf<Parameters<F>>) => [ReturnType<F>[0], Pullback<ReturnType<F>[0], VjpGrads<Parameters<F>, N>>, ReturnType<F>[1]];
export function vjp(f: (...args: any[]) => unknown, options: GradOptions = {}): (...args: unknown[]) => unknown {
  return (...args: unknown[]) =>
    enableGrad(() => {
      const argnums = options.argnums === undefined ? args.map((_, i) => i) : argnumList(options.argnums, 0);
      const { args: inputs, targets, stopAt } = prepare(args, argnums, 'vjp');
      const result = f(...inputs);
      const [out, aux] = options.hasAux ? splitAux(result, 'vjp') : [result, undefined];
      const outs: Node[] = [];
      eachOutput(out, 'vjp', (n) => outs.push(n));
      const pullback = (cotangent: unknown): Node[] =>
        enableGrad(() => {
          const seeds = cotangents(cotangent, out, outs);
          const live = outs.map((o, k) => [o, seeds[k]] as const).filter(([o]) => o.requiresGrad);
          if (live.length === 0) return targets.map((t) => t.zerosLike());
          return sweep({
            roots: live.map(([o]) => o),
            seeds: live.map(([, s]) => s),
            targets,
            createGraph: true,
            retainGraph: true,
            stopAt,
          });
        });
      return options.hasAux ? [out, pullback, aux] : [out, pullback];
    });
}

/** The cotangent as one seed per output node, checked against each output's kind and shape. */
function cotangents(cotangent: unknown, out: unknown, outs: readonly Node[]): Node[] {
  const flat: unknown[] = [];
  const gather = (c: unknown, o: unknown): void => {
    if (o instanceof Node) {
      flat.push(c);
      return;
    }
    const list = o as unknown[];
    if (!Array.isArray(c) || c.length !== list.length) {
      throw new GradError(`vjp: the cotangent must have the output's structure (a list of ${list.length}), got ${describe(c)}`);
    }
    list.forEach((item, k) => gather(c[k], item));
  };
  gather(cotangent, out);
  return outs.map((o, k) => seedLike(flat[k], o));
}

function seedLike(c: unknown, out: Node): Node {
  const ct = typeof c === 'number' ? out.constant(c) : c;
  if (!(ct instanceof Node)) throw new GradError(`vjp: a cotangent must be a Scalar, a Tensor or a number, got ${describe(c)}`);
  if ((ct.constructor !== out.constructor && typeof ct.raw !== typeof out.raw) || (ct.size !== out.size && ct.size !== 1)) {
    throw new GradError(`vjp: cotangent of shape ${formatShape(ct.shape)} does not match the output shape ${formatShape(out.shape)}`);
  }
  return out instanceof Tensor ? (ct as Tensor).broadcastTo(out.shape) : ct;
}

/**
 * The arguments `f` runs on, and the nodes to differentiate with respect to: each argument in `argnums` as a node
 * that requires grad (a plain number becomes a Scalar leaf, a node that does not require grad a new leaf with its
 * value, and its forward-mode tangents, so that jvp(grad(f)) differentiates the gradient along them).
 */
export function prepare(
  args: readonly unknown[],
  argnums: readonly number[],
  caller: string,
): { args: unknown[]; targets: Node[]; stopAt: Node[] } {
  const out = args.slice();
  const targets = argnums.map((i) => {
    if (!Number.isInteger(i) || i < 0 || i >= args.length) {
      throw new GradError(`${caller}: argnums names argument ${i}, but the function was called with ${args.length} arguments`);
    }
    const a = args[i];
    let node: Node;
    if (typeof a === 'number') node = new Scalar(a, true);
    else if (a instanceof Tensor) {
      if (a.dtype === 'int32') throw new DTypeError(`${caller}: argument ${i} is an int32 tensor; gradients need float32 or float64`);
      node = a.requiresGrad ? a : a.detach().setRequiresGrad(true);
    } else if (a instanceof Scalar) node = a.requiresGrad ? a : new Scalar(a.value, true, a.name);
    else
      throw new DTypeError(
        `${caller}: argument ${i} is ${a === undefined ? 'missing' : describe(a)}; expected a Scalar, a Tensor or a number`,
      );
    if (node !== a && a instanceof Node) node._tangents = a._tangents;
    out[i] = node;
    return node;
  });
  // Every argument is an independent input, as in JAX: a sweep does not go past one into how it was computed.
  return { args: out, targets, stopAt: out.filter((a): a is Node => a instanceof Node) };
}

/** The argnums as a list; `fallback` when not given. */
export function argnumList(argnums: Argnums | undefined, fallback: number): readonly number[] {
  return argnums === undefined ? [fallback] : typeof argnums === 'number' ? [argnums] : argnums;
}

function seedFor(out: unknown, caller: string): Node {
  if (!(out instanceof Node)) throw new GradError(`${caller}: the function must return a Scalar or a Tensor, got ${describe(out)}`);
  if (out.size !== 1)
    throw new GradError(
      `${caller}: the function must return a single value, got shape ${formatShape(out.shape)}; use vjp for non-scalar outputs`,
    );
  return out instanceof Scalar ? new Scalar(1, false) : (out as Tensor).zerosLike().add(1);
}
