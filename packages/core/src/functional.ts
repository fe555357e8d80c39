/**
 * JAX-style function transforms over the same tape: `grad`, `valueAndGrad` and `vjp`. They never touch any
 * `.grad` field, and their results are themselves differentiable, so `grad(grad(f))` works to any order.
 */
import { sweep } from './autodiff/backward.js';
import { enableGrad } from './autodiff/mode.js';
import { Node } from './autodiff/node.js';
import { DTypeError, GradError, formatShape } from './errors.js';
import { Scalar } from './scalar.js';
import { Tensor } from './tensor.js';

/** What the functional transforms differentiate and return. */
export type Differentiable = Scalar | Tensor;

/** Options of `grad`, `valueAndGrad` and `vjp`. */
export interface GradOptions {
  /** Which positional arguments to differentiate with respect to (default 0). A list gives a list of gradients. */
  readonly argnums?: number | readonly number[];
}

// One gradient is `any` for now, so that `grad(f)(x)` reads as the Scalar or Tensor that f takes; the issue-16 op
// typing is to give it that type instead.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type GradResult<O extends GradOptions> = O['argnums'] extends readonly number[] ? Differentiable[] : any;

function prepare(args: unknown[], argnums: readonly number[], caller: string): { args: unknown[]; targets: Node[] } {
  const out = args.slice();
  const targets = argnums.map((i) => {
    const a = args[i];
    let node: Node;
    if (typeof a === 'number') node = new Scalar(a, true);
    else if (a instanceof Tensor) {
      if (a.dtype === 'int32') throw new DTypeError(`${caller}: argument ${i} is an int32 tensor; gradients need float32 or float64`);
      node = a.requiresGrad ? a : a.detach().setRequiresGrad(true);
    } else if (a instanceof Scalar) node = a.requiresGrad ? a : new Scalar(a.value, true, a.name);
    else
      throw new DTypeError(
        `${caller}: argument ${i} is ${a === undefined ? 'missing' : typeof a}; expected a Scalar, a Tensor or a number`,
      );
    out[i] = node;
    return node;
  });
  return { args: out, targets };
}

function argnumList(argnums: number | readonly number[] | undefined): readonly number[] {
  return argnums === undefined ? [0] : typeof argnums === 'number' ? [argnums] : argnums;
}

function seedFor(out: unknown, caller: string): Node {
  if (!(out instanceof Node)) throw new GradError(`${caller}: the function must return a Scalar or a Tensor, got ${typeof out}`);
  if (out.size !== 1)
    throw new GradError(
      `${caller}: the function must return a single value, got shape ${formatShape(out.shape)}; use vjp for non-scalar outputs`,
    );
  return out instanceof Scalar ? new Scalar(1, false) : (out as Tensor).zerosLike().add(1);
}

/**
 * `valueAndGrad(f)(...args)` returns `[f(...args), df/dargs]`.
 * @example
 * const [y, dy] = valueAndGrad((x: Scalar) => x.mul(x))(3);   // 9, 6
 */
export function valueAndGrad<O extends GradOptions>(f: (...args: any[]) => Differentiable, options?: O) {
  const argnums = argnumList(options?.argnums);
  const many = Array.isArray(options?.argnums);
  return (...args: unknown[]): [Differentiable, GradResult<O>] =>
    enableGrad(() => {
      const { args: inputs, targets } = prepare(args, argnums, 'grad');
      const out = f(...inputs);
      const seed = seedFor(out, 'grad');
      const grads = out.requiresGrad
        ? sweep({ roots: [out], seeds: [seed], targets, createGraph: true })
        : targets.map((t) => t.zerosLike());
      return [out, (many ? grads : grads[0]) as GradResult<O>];
    });
}

/**
 * `grad(f)(...args)` is df/dargs, as in JAX: f must return a single value.
 * @example
 * const d2 = grad(grad((x: Scalar) => x.sin()))(1);   // -sin(1)
 */
export function grad<O extends GradOptions>(f: (...args: any[]) => Differentiable, options?: O) {
  const vg = valueAndGrad(f, options);
  return (...args: unknown[]): GradResult<O> => vg(...args)[1];
}

/**
 * `vjp(f)(...args)` returns `[f(...args), pullback]`; `pullback(cotangent)` is cotangent^T J for each
 * argument in `argnums` (default: every argument), for functions with any output shape.
 * @example
 * const [y, pullback] = vjp((x: Tensor) => x.mul(2))(x); const [dx] = pullback(ones(y.shape));
 */
export function vjp(f: (...args: any[]) => Differentiable, options: GradOptions = {}) {
  return (...args: unknown[]): [Differentiable, (cotangent: Differentiable | number) => Differentiable[]] =>
    enableGrad(() => {
      const argnums = options.argnums === undefined ? args.map((_, i) => i) : argnumList(options.argnums);
      const { args: inputs, targets } = prepare(args, argnums, 'vjp');
      const out = f(...inputs);
      if (!(out instanceof Node)) throw new GradError(`vjp: the function must return a Scalar or a Tensor, got ${typeof out}`);
      const pullback = (cotangent: Differentiable | number): Differentiable[] =>
        enableGrad(() => {
          const ct = typeof cotangent === 'number' ? out.constant(cotangent) : cotangent;
          if ((ct.constructor !== out.constructor && typeof ct.raw !== typeof out.raw) || (ct.size !== out.size && ct.size !== 1)) {
            throw new GradError(
              `vjp: cotangent of shape ${formatShape(ct.shape)} does not match the output shape ${formatShape(out.shape)}`,
            );
          }
          const seed = out instanceof Tensor ? (ct as Tensor).broadcastTo(out.shape) : ct;
          if (!out.requiresGrad) return targets.map((t) => t.zerosLike() as Differentiable);
          return sweep({ roots: [out], seeds: [seed], targets, createGraph: true, retainGraph: true }) as Differentiable[];
        });
      return [out, pullback];
    });
}
