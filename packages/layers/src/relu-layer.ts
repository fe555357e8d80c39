/** ReluLayer: out = max(0, x); backward is the core `relu` rule (dout where x > 0, else 0). */
import type { Tensor } from '@tapegrad/core';
import { LocalGraph, type Value, unwrap } from './local-graph.js';

/**
 * The book's ReLU node. Unlike the book's version it never writes into `dout`, so the caller's array is safe.
 * @example
 * const r = new ReluLayer();
 * r.forward(tensor([-1, 2]));            // [0, 2]
 * r.backward(tensor([5, 5]));            // [0, 5]
 */
export class ReluLayer {
  private readonly graph = new LocalGraph('ReluLayer');

  /** max(x, 0) of a number. */
  forward(x: number): number;
  /** max(x, 0) elementwise. */
  forward(x: Value): Value;
  forward(x: Value): Value {
    return unwrap(this.graph.forward([x], (a: Tensor) => a.relu()));
  }

  /** Returns dx. */
  backward(dout: Value): Value {
    return this.graph.backward(dout)[0]!;
  }
}
