/** AddLayer: z = x + y. Its backward is the core `add` rule (dx = dy = dout, summed back to each shape). */
import type { Tensor } from '@tapegrad/core';
import { LocalGraph, type Value, unwrap } from './local-graph.js';

/**
 * The book's addition node, on plain numbers or Tensors (NumPy broadcasting).
 * @example
 * const a = new AddLayer();
 * a.forward(200, 450);            // 650
 * const [dx, dy] = a.backward(1.1);   // [1.1, 1.1]
 */
export class AddLayer {
  private readonly graph = new LocalGraph('AddLayer');

  /** z = x + y on plain numbers, as in the book. */
  forward(x: number, y: number): number;
  /** z = x + y on Tensors (or a Tensor and a number), with broadcasting. */
  forward(x: Value, y: Value): Value;
  forward(x: Value, y: Value): Value {
    return unwrap(this.graph.forward([x, y], (a: Tensor, b: Tensor) => a.add(b)));
  }

  /** Returns [dx, dy] for the upstream gradient `dout`. */
  backward(dout: Value): [Value, Value] {
    const [dx, dy] = this.graph.backward(dout);
    return [dx!, dy!];
  }
}
