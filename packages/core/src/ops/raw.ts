/**
 * Helpers for forward bodies: run a kernel on the raw values of nodes of either kind (numbers for Scalars,
 * NDArrays for Tensors). Gradient rules make their constant masks with GradMath's `mask`.
 */
import type { Node, RawValue } from '../autodiff/node.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { BinaryKernel, binary } from '../ndarray/kernels/binary.js';
import { UnaryKernel, unary } from '../ndarray/kernels/unary.js';

export function binaryRaw(kernel: BinaryKernel, a: Node, b: Node): RawValue {
  const ra = a.raw;
  const rb = b.raw;
  if (typeof ra === 'number') return kernel.scalar(ra, rb as number);
  return binary(kernel, ra, rb as NDArray);
}

export function unaryRaw(kernel: UnaryKernel, x: Node): RawValue {
  const r = x.raw;
  return typeof r === 'number' ? kernel.scalar(r) : unary(kernel, r);
}
