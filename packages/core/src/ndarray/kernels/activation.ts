/**
 * The GELU and SiLU activations and their derivatives as one-pass loops: the forward maps, and the fused products
 * dy * f'(x) that their gradient rules use when nothing is being recorded.
 */
import type { DType, TypedArray } from '../dtype.js';
import { allocateUnfilled } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import { deviceKernel } from '../device.js';
import type { BinaryKernel } from './binary.js';
import { sigmoidNumber, erfNumber } from './unary.js';
import type { UnaryKernel } from './unary.js';

const SQRT1_2 = Math.SQRT1_2;
/** 1 / sqrt(2 pi): the standard normal density at 0. */
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
/** sqrt(2 / pi) and the cubic coefficient of GELU's tanh form (Hendrycks and Gimpel). */
const TANH_SCALE = Math.sqrt(2 / Math.PI);
const TANH_CUBIC = 0.044715;

/** Which GELU: the exact x Phi(x) (`'none'`, PyTorch's default) or the tanh approximation. */
export type GeluForm = 'none' | 'tanh';

/** gelu(x) = x Phi(x) = x/2 (1 + erf(x / sqrt 2)), or x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
export function geluNumber(x: number, form: GeluForm): number {
  if (form === 'tanh') return 0.5 * x * (1 + Math.tanh(TANH_SCALE * (x + TANH_CUBIC * x * x * x)));
  return 0.5 * x * (1 + erfNumber(x * SQRT1_2));
}

/** gelu'(x) = Phi(x) + x phi(x), or the tanh form's 1/2 (1 + t) + x/2 (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2). */
export function geluDerivative(x: number, form: GeluForm): number {
  if (form === 'tanh') {
    const t = Math.tanh(TANH_SCALE * (x + TANH_CUBIC * x * x * x));
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * TANH_SCALE * (1 + 3 * TANH_CUBIC * x * x);
  }
  return 0.5 * (1 + erfNumber(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/** gelu over an array, in the array's float dtype. */
export function geluArray(x: NDArray, form: GeluForm, dtype: DType): NDArray {
  if (x.device !== undefined) return deviceKernel(x.device, 'gelu').gelu(x, form, null);
  const X = x.data;
  const out = allocateUnfilled(dtype, X.length);
  if (form === 'tanh') for (let i = 0; i < X.length; i++) out[i] = geluNumber(X[i], 'tanh');
  else for (let i = 0; i < X.length; i++) out[i] = geluNumber(X[i], 'none');
  return new NDArray(out, x.shape);
}

/** dy * gelu'(x) over two arrays of one shape, in one pass. */
export function geluGradArray(dy: NDArray, x: NDArray, form: GeluForm): NDArray {
  if (x.device !== undefined) return deviceKernel(x.device, 'gelu').gelu(x, form, dy);
  const G = dy.data;
  const X = x.data;
  const out = allocateUnfilled(dy.dtype, X.length);
  if (form === 'tanh') for (let i = 0; i < X.length; i++) out[i] = G[i] * geluDerivative(X[i], 'tanh');
  else for (let i = 0; i < X.length; i++) out[i] = G[i] * geluDerivative(X[i], 'none');
  return new NDArray(out, x.shape);
}

function siluLoop(X: TypedArray, O: TypedArray): void {
  for (let i = 0; i < X.length; i++) {
    const x = X[i];
    O[i] = x * sigmoidNumber(x);
  }
}

/** silu(x) = x sigmoid(x) (the swish of Ramachandran et al. with beta = 1). */
export const silu: UnaryKernel = {
  name: 'silu',
  arity: 1,
  scalar: (x) => x * sigmoidNumber(x),
  loop: siluLoop,
  resultDType: (d) => (d === 'int32' ? 'float64' : d),
};

/** dy * silu'(x) = dy s (1 + x (1 - s)), s = sigmoid(x), in one pass (the rule's unrecorded form). */
export const siluGrad: BinaryKernel = {
  name: 'siluGrad',
  arity: 2,
  scalar: (g, x) => {
    const s = sigmoidNumber(x);
    return g * s * (1 + x * (1 - s));
  },
  loop: (A, B, O, p) => {
    for (let r = 0, o = 0; r < p.rows; r++)
      for (let j = 0, a = p.aOff[r], b = p.bOff[r]; j < p.len; j++, a += p.sa, b += p.sb) {
        const x = B[b];
        const s = sigmoidNumber(x);
        O[o++] = A[a] * s * (1 + x * (1 - s));
      }
  },
  resultDType: (d) => d,
};
