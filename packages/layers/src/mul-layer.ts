/** MulLayer: z = x * y. Its backward is the core `mul` rule (dx = dout * y, dy = dout * x), not a copy of it. */
import type { Tensor } from '@tapegrad/core';
import { LocalGraph, type Value, unwrap } from './local-graph.js';

/**
 * The book's multiplication node. Takes plain numbers (then returns numbers) or Tensors (with NumPy
 * broadcasting; a broadcast operand's gradient is summed back to its shape).
 * @example
 * const m = new MulLayer();
 * m.forward(100, 2);             // 200
 * const [dx, dy] = m.backward(1.1);   // [2.2, 110.00000000000001]
 */
export class MulLayer {
  private readonly graph = new LocalGraph('MulLayer');

  /** z = x * y on plain numbers, as in the book. */
  forward(x: number, y: number): number;
  /** z = x * y on Tensors (or a Tensor and a number), with broadcasting. */
  forward(x: Value, y: Value): Value;
  forward(x: Value, y: Value): Value {
    return unwrap(this.graph.forward([x, y], (a: Tensor, b: Tensor) => a.mul(b)));
  }

  /** Returns [dx, dy] for the upstream gradient `dout`. */
  backward(dout: Value): [Value, Value] {
    const [dx, dy] = this.graph.backward(dout);
    return [dx!, dy!];
  }
}
