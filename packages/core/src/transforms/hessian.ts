/**
 * Second derivatives from the two modes together: `hessian` is forward mode over reverse mode (the Jacobian, by
 * jvp, of the gradient, by the backward sweep), what JAX recommends; `hvp` is one Hessian-vector product, a jvp of
 * the gradient, without forming the Hessian.
 */
import { type Argnums, grad } from './grad.js';
import { type JacobianAuxFn, type JacobianFn, type JacobianOf, type JacobianOptions, jacfwd, jacrev } from './jacobian.js';
import { type TangentsOf, jvp } from './jvp.js';
import { type ArgsOf, type Differentiable, type GradOf, describe } from './tree.js';
import { DTypeError, ShapeError } from '../errors.js';

/** The Hessian of outputs `R` with respect to the arguments `N` of a function taking `P`: the Jacobian of the Jacobian. */
export type HessianOf<R, P extends readonly unknown[], N> = JacobianOf<JacobianOf<R, P, N>, P, N>;

/**
 * The Hessian, by forward over reverse mode (`jacfwd(jacrev(f))`): for a function of one value, shape
 * [...arg.shape, ...arg.shape] (a Scalar for a function of a Scalar); with a list of argnums, the blocks as a list
 * of lists, H[i][j] the second derivative in arguments i and j. For a non-scalar output, [...out.shape, ...arg.shape,
 * ...arg.shape], as JAX.
 * @example
 * const H = hessian((x: Tensor) => x.pow(3).sum())(tensor([1, 2]));   // [[6, 0], [0, 12]]
 */
export function hessian<F extends JacobianFn, const N extends Argnums = 0>(
  f: F,
  options?: JacobianOptions<N> & { readonly hasAux?: false },
): (...args: ArgsOf<Parameters<F>>) => HessianOf<ReturnType<F>, Parameters<F>, N>;
export function hessian<F extends JacobianAuxFn, const N extends Argnums = 0>(
  f: F,
  options: JacobianOptions<N> & { readonly hasAux: true },
): (...args: ArgsOf<Parameters<F>>) => [HessianOf<ReturnType<F>[0], Parameters<F>, N>, ReturnType<F>[1]];
export function hessian(f: JacobianFn, options: JacobianOptions = {}): (...args: unknown[]) => unknown {
  // With hasAux, jacrev gives [jacobian, aux], which is what jacfwd with hasAux takes.
  const transform = (t: unknown) => t as (g: unknown, o: JacobianOptions) => (...args: unknown[]) => unknown;
  return transform(jacfwd)(transform(jacrev)(f, options), options);
}

/** The Hessian-vector products of `hvp`: one per primal, of its kind. */
export type HvpOf<A extends readonly unknown[]> = { -readonly [K in keyof A]: GradOf<A[K]> };

/**
 * The Hessian-vector product H v of a function of one value, by forward over reverse mode: the jvp of its gradient
 * (with respect to every argument) along `tangents`. One gradient's cost, a few times over; the Hessian is never
 * formed. Returns one product per primal: H v restricted to that argument.
 * @example
 * const [hv] = hvp((x: Tensor) => x.pow(3).sum(), [tensor([1, 2])], [tensor([1, 1])]);   // [6, 12]
 * @typeParam F - the function's type: primals and tangents follow its parameters, and so do the products.
 */
export function hvp<F extends (...args: any[]) => Differentiable>(
  f: F,
  primals: NoInfer<ArgsOf<Parameters<F>>>,
  tangents: NoInfer<TangentsOf<Parameters<F>>>,
): HvpOf<Parameters<F>> {
  if (!Array.isArray(primals) || !Array.isArray(tangents)) {
    throw new DTypeError(
      `hvp: primals and tangents must be lists (one entry per argument), got ${describe(primals)} and ${describe(tangents)}`,
    );
  }
  if (primals.length !== tangents.length) throw new ShapeError(`hvp: ${primals.length} primals but ${tangents.length} tangents`);
  const all = primals.map((_, i) => i);
  const gradient = grad(f as (...args: unknown[]) => Differentiable, { argnums: all }) as unknown as (...xs: unknown[]) => Differentiable[];
  const run = jvp as unknown as (g: unknown, p: unknown, t: unknown) => [unknown, Differentiable[]];
  return run(gradient, primals, tangents)[1] as unknown as HvpOf<Parameters<F>>;
}
