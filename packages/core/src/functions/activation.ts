/** gelu and silu as free functions (PyTorch's `F.gelu`, `F.silu`). */
import { TapegradError } from '../errors.js';
import type { GeluForm } from '../ndarray/kernels/activation.js';
import { describeValue } from '../ndarray/shape.js';
import type { GeluAttrs } from '../ops/gelu.js';
import type { Scalar } from '../scalar.js';
import type { Tensor } from '../tensor.js';

/** Options of {@link gelu}. */
export interface GeluOptions {
  /** `'none'` (the default) for the exact x Phi(x), `'tanh'` for the tanh approximation (PyTorch's names). */
  readonly approximate?: GeluForm;
}

/** @internal checks gelu's options (a typed error for an unknown form). */
export function geluAttrs(options: GeluOptions): GeluAttrs {
  const approximate = options.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh')
    throw new TapegradError(`gelu: approximate must be 'none' or 'tanh'; got ${describeValue(approximate)}`);
  return { approximate };
}

/**
 * GELU, elementwise: x Phi(x) = x/2 (1 + erf(x / sqrt 2)) (exact, the default), or with `approximate: 'tanh'`
 * x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). One fused op with its own gradient rule.
 * @example
 * gelu(tensor([-1, 0, 1]));                          // x Phi(x): [-0.1587, 0, 0.8413]
 * gelu(tensor([-1, 0, 1]), { approximate: 'tanh' }); // [-0.1588, 0, 0.8412]
 */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  return x.gelu(options);
}

/**
 * SiLU (swish), elementwise: x sigmoid(x). One fused op with its own gradient rule; Scalars have it too.
 * @example
 * silu(tensor([-1, 0, 1]));   // [-0.2689, 0, 0.7311]
 * silu(scalar(1)).value;      // 0.7311
 */
export function silu<T extends Tensor | Scalar>(x: T): T {
  return x.silu() as T;
}
