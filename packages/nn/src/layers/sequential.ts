/**
 * Sequential: modules applied in order. Children are stored under the names '0', '1', ... exactly as
 * `torch.nn.Sequential` names them, so state-dict keys read `0.weight`, `2.bias`, ...
 */
import { type Tensor, TapegradError } from '@tapegrad/core';
import { Module } from '../module.js';
import { hasHooks } from '../module-hooks.js';
import { ReLU } from './activations.js';
import { Linear } from './linear.js';
import { brand } from '../brand.js';

/**
 * Modules applied one after the other.
 * @example
 * const model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10));
 * model.forward(x); Object.keys(model.stateDict());   // ['0.weight', '0.bias', '2.weight', '2.bias']
 */
export class Sequential extends Module {
  static {
    brand(this, 'Sequential');
  }
  /** The i-th layer. */
  [index: number]: Module;
  private readonly _length: number;

  constructor(...layers: Module[]) {
    super();
    layers.forEach((layer, i) => {
      if (!(layer instanceof Module)) throw new TapegradError(`Sequential: layer ${i} is not a Module (got ${typeof layer})`);
      this[i] = layer;
    });
    this._length = layers.length;
  }

  /** The layers in order. */
  get layers(): Module[] {
    return Array.from({ length: this._length }, (_, i) => this[i]);
  }

  /** The number of layers. */
  get length(): number {
    return this._length;
  }

  /**
   * Applies the layers in order. A Linear followed by a ReLU (exactly those classes, so an overridden forward is
   * never skipped, and neither when they have hooks, so hooks always run) runs as one matmul and one fused
   * bias + relu: the same values and gradients, one pass fewer each way.
   */
  forward(x: Tensor): Tensor {
    let y = x;
    for (let i = 0; i < this._length; i++) {
      const layer = this[i];
      const next = this[i + 1];
      if (layer.constructor === Linear && next?.constructor === ReLU && !hasHooks(layer) && !hasHooks(next)) {
        y = (layer as Linear).forwardRelu(y);
        i++;
      } else {
        y = layer.forward(y);
      }
    }
    return y;
  }
}
