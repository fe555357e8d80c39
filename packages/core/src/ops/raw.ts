/**
 * Helpers for forward bodies: run a kernel on the raw values of nodes of either kind (numbers for Scalars,
 * NDArrays for Tensors), and make constant masks for gradient rules.
 */
import type { Node, RawValue } from '../autodiff/node.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { BinaryKernel, binary } from '../ndarray/kernels/binary.js';
import { UnaryKernel, unary } from '../ndarray/kernels/unary.js';
import { floatResult } from '../ndarray/dtype.js';

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

/**
 * A constant (never differentiated) node from a kernel over nodes, such as the 0/1 mask `x > 0` in relu's
 * rule, in the dtype of `a` so it does not promote the gradient. Its derivative is zero almost everywhere,
 * which is what higher-order gradients need.
 */
export function constantMask(kernel: BinaryKernel, a: Node, b: Node): Node {
  const ra = a.raw;
  const rb = b.raw;
  if (typeof ra === 'number') return a.make(kernel.scalar(ra, rb as number));
  return a.make(binary(kernel, ra, rb as NDArray, floatResult(ra.dtype)));
}

export function constantMap(kernel: UnaryKernel, x: Node): Node {
  return x.make(unaryRaw(kernel, x));
}
