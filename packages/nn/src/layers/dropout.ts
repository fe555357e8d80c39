/**
 * Dropout (inverted): in training, each element is zeroed with probability p and the survivors are scaled by
 * 1 / (1 - p), so the expected output equals the input and evaluation needs no rescaling. Identity in eval mode.
 */
import { type Generator, ShapeError, type Tensor, globalGenerator, tensor } from '@tapegrad/core';
import { Module } from '../module.js';
import { brand } from '../brand.js';

/** Inverted dropout of x with probability p, drawn from `generator` (default the global one). */
export function dropout(x: Tensor, p: number, generator: Generator = globalGenerator): Tensor {
  if (p === 0) return x;
  const keep = 1 / (1 - p);
  const mask = new (x.dtype === 'float32' ? Float32Array : Float64Array)(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = generator.uniform() < p ? 0 : keep;
  // Drawn on the CPU from the generator (the same masks on any device), then put where x is.
  return x.mul(tensor(mask, { shape: x.shape, device: x.device }));
}

/**
 * Inverted dropout, reproducible from its generator.
 * @example
 * const drop = new Dropout(0.5, { generator: new Generator(1) });
 * drop.forward(x);          // training: about half the elements zeroed, the rest doubled
 * drop.eval().forward(x);   // x unchanged
 */
export class Dropout extends Module {
  static {
    brand(this, 'Dropout');
  }
  private readonly _generator: Generator;

  constructor(
    /** The probability of zeroing each element. */
    readonly p = 0.5,
    options: { generator?: Generator } = {},
  ) {
    super();
    if (!(p >= 0 && p < 1)) throw new ShapeError(`Dropout: p must be in [0, 1), got ${p}`);
    this._generator = options.generator ?? globalGenerator;
  }

  forward(x: Tensor): Tensor {
    return this.training ? dropout(x, this.p, this._generator) : x;
  }

  /** `p=0.5`, as PyTorch prints it. */
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
