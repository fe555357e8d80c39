/**
 * Sequential: modules applied in order. Children are stored under the names '0', '1', ... exactly as
 * `torch.nn.Sequential` names them, so state-dict keys read `0.weight`, `2.bias`, ...
 */
import { Tensor } from '@tapegrad/core';
import { Module } from '../module.js';

/**
 * Modules applied one after the other.
 * @example
 * const model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10));
 * model.forward(x); Object.keys(model.stateDict());   // ['0.weight', '0.bias', '2.weight', '2.bias']
 */
export class Sequential extends Module {
  /** The i-th layer. */
  [index: number]: Module;
  private readonly _length: number;

  constructor(...layers: Module[]) {
    super();
    layers.forEach((layer, i) => (this[i] = layer));
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

  /** Applies the layers in order. */
  forward(x: Tensor): Tensor {
    let y = x;
    for (let i = 0; i < this._length; i++) y = this[i].forward(y);
    return y;
  }
}
