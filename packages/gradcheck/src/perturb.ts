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

/** The flat index `i` of `shape` as a multi-index, for reports. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}
