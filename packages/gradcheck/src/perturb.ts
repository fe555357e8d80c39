/**
 * Reading and nudging the elements of an input in place, for central differences. Every nudge is undone
 * exactly (the original value is written back, not recomputed) and the node's version is restored, so a
 * graph that saved the input stays valid.
 */
import { DTypeError, type Node, Scalar, Tensor } from '@tapegrad/core';

export interface Perturbable {
  readonly size: number;
  get(i: number): number;
  /** Sets element i, runs `fn`, then restores the element and the version. */
  with<T>(i: number, value: number, fn: () => T): T;
}

export function perturbable(x: Node, what: string): Perturbable {
  if (x instanceof Scalar) {
    return {
      size: 1,
      get: () => x.value,
      with(_i, value, fn) {
        const original = x.value;
        const version = x._version;
        x.value = value;
        try {
          return fn();
        } finally {
          x.value = original;
          x._version = version;
        }
      },
    };
  }
  if (x instanceof Tensor) {
    const data = x.data;
    return {
      size: x.size,
      get: (i) => data[i],
      with(i, value, fn) {
        const original = data[i];
        data[i] = value;
        try {
          return fn();
        } finally {
          data[i] = original;
        }
      },
    };
  }
  throw new DTypeError(`${what}: expected a Scalar or Tensor input, got ${typeof x}`);
}

/**
 * `fn()` with every element of `x` moved by `step * u[i]`, then `x` restored exactly (the original values are
 * written back, and a Scalar's version too): one central difference along a direction.
 */
export function shifted<T>(x: Node, u: ArrayLike<number>, step: number, fn: () => T, what: string): T {
  if (x instanceof Scalar) return perturbable(x, what).with(0, x.value + step * u[0], fn);
  if (!(x instanceof Tensor)) throw new DTypeError(`${what}: expected a Scalar or Tensor input, got ${typeof x}`);
  const data = x.data;
  const original = Float64Array.from(data);
  for (let i = 0; i < data.length; i++) data[i] = original[i] + step * u[i];
  try {
    return fn();
  } finally {
    data.set(original);
  }
}

/** The flat index `i` of `shape` as a multi-index, for reports. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}
