/** SigmoidLayer: out = 1 / (1 + exp(-x)); backward is the core `sigmoid` rule, dx = dout * out * (1 - out). */
import type { Tensor } from '@tapegrad/core';
import { LocalGraph, type Value, unwrap } from './local-graph.js';

/**
 * The book's sigmoid node; `out` keeps the last forward result, as the book's layer does.
 * @example
 * const s = new SigmoidLayer();
 * s.forward(0);        // 0.5
 * s.backward(1);       // 0.25
 */
export class SigmoidLayer {
  private readonly graph = new LocalGraph('SigmoidLayer');
  /** The last forward's output. */
  out: Value | null = null;

  /** 1 / (1 + e^-x) of a number. */
  forward(x: number): number;
  /** 1 / (1 + e^-x) elementwise. */
  forward(x: Value): Value;
  forward(x: Value): Value {
    this.out = unwrap(this.graph.forward([x], (a: Tensor) => a.sigmoid()));
    return this.out;
  }

  /** Returns dx. */
  backward(dout: Value): Value {
    return this.graph.backward(dout)[0]!;
  }
}
