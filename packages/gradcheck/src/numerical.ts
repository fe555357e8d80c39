/** Numerical gradients by central differences, in float64. */
import { DTypeError, GradError, Node, Scalar, type Tensor, noGrad, tensor } from '@tapegrad/core';
import { perturbable } from './perturb.js';

/** Options of `numericalGradient`. */
export interface NumericalOptions {
  /** The step h of (f(x + h) - f(x - h)) / 2h. Default 1e-6. */
  readonly eps?: number;
}

/** f's value as a number; f must produce a single value. */
export function scalarValue(out: unknown, what: string): number {
  if (typeof out === 'number') return out;
  if (out instanceof Node) {
    if (out.size !== 1)
      throw new GradError(`${what}: the function must return a single value, got ${out.size} elements; reduce it (e.g. .sum()) first`);
    return out.item();
  }
  throw new DTypeError(`${what}: the function must return a number, a Scalar or a one-element Tensor, got ${typeof out}`);
}

/**
 * dF/dx by central differences, where F = f(x) is a single value. x is perturbed in place and restored.
 * @example
 * numericalGradient((x) => x.square().sum(), tensor([1, 2]));   // ~[2, 4]
 */
export function numericalGradient<X extends Scalar | Tensor>(
  f: (x: X) => unknown,
  x: X,
  options: NumericalOptions = {},
): X extends Scalar ? number : Tensor {
  const g = numericalGradients(() => f(x), [x], options)[0];
  return (x instanceof Scalar ? g[0] : tensor(g, { shape: x.shape })) as X extends Scalar ? number : Tensor;
}

/** Central differences of `evaluate()` with respect to every element of every input, as Float64Arrays. */
export function numericalGradients(evaluate: () => unknown, inputs: readonly Node[], options: NumericalOptions = {}): Float64Array[] {
  const eps = options.eps ?? 1e-6;
  if (!(eps > 0)) throw new GradError(`numericalGradient: eps must be positive, got ${eps}`);
  return inputs.map((x) => {
    const p = perturbable(x, 'numericalGradient');
    const out = new Float64Array(p.size);
    for (let i = 0; i < p.size; i++) {
      const v = p.get(i);
      const plus = p.with(i, v + eps, () => noGrad(() => scalarValue(evaluate(), 'numericalGradient')));
      const minus = p.with(i, v - eps, () => noGrad(() => scalarValue(evaluate(), 'numericalGradient')));
      out[i] = (plus - minus) / (2 * eps);
    }
    return out;
  });
}
