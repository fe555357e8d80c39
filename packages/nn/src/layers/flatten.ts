/** Flatten: merges axes startDim..endDim into one (PyTorch's `nn.Flatten`, default from axis 1 to the last). */
import { ShapeError, Tensor } from '@tapegrad/core';
import { Module } from '../module.js';
import { moduleError } from '../module-context.js';
import { brand } from '../brand.js';

/**
 * Reshapes [batch, c, h, w] to [batch, c * h * w] (by default), between the convolutional and the linear layers.
 * @example
 * new Flatten().forward(zeros([8, 16, 4, 4])).shape;   // [8, 256]
 */
export class Flatten extends Module {
  static {
    brand(this, 'Flatten');
  }
  constructor(
    /** The first axis merged (default 1, keeping the batch axis). */
    readonly startDim = 1,
    /** The last axis merged (default -1, the last). */
    readonly endDim = -1,
  ) {
    super();
    if (!Number.isInteger(startDim) || !Number.isInteger(endDim))
      throw new ShapeError(`Flatten: startDim and endDim must be integers, got ${String(startDim)} and ${String(endDim)}`);
  }

  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw moduleError(ShapeError, this, `expected a Tensor, got ${typeof x}`);
    const rank = Math.max(x.rank, 1);
    const start = this.startDim < 0 ? this.startDim + rank : this.startDim;
    const end = this.endDim < 0 ? this.endDim + rank : this.endDim;
    if (start < 0 || end >= rank || start > end)
      throw moduleError(ShapeError, this, `cannot flatten axes ${this.startDim}..${this.endDim} of an input [${x.shape.join(', ')}]`);
    const shape = x.rank === 0 ? [1] : x.shape;
    const merged = shape.slice(start, end + 1).reduce((a, b) => a * b, 1);
    return x.reshape([...shape.slice(0, start), merged, ...shape.slice(end + 1)]);
  }

  /** `start_dim=1, end_dim=-1`, as PyTorch prints it. */
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * The inverse of Flatten (PyTorch's `nn.Unflatten`): splits axis `dim` into `sizes`, e.g. flat 784-pixel rows
 * into [1, 28, 28] images at the head of a convolutional model.
 * @example
 * new Unflatten(1, [1, 28, 28]).forward(zeros([8, 784])).shape;   // [8, 1, 28, 28]
 */
export class Unflatten extends Module {
  static {
    brand(this, 'Unflatten');
  }
  constructor(
    /** The axis split (negative counts from the end). */
    readonly dim: number,
    /** The sizes it is split into; their product must be that axis's size. */
    readonly sizes: readonly number[],
  ) {
    super();
    if (!Number.isInteger(dim) || !Array.isArray(sizes) || sizes.length === 0 || sizes.some((s) => !(Number.isInteger(s) && s > 0)))
      throw new ShapeError(
        `Unflatten: expected an integer dim and a non-empty list of positive sizes, got ${String(dim)} and ${String(sizes)}`,
      );
  }

  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw moduleError(ShapeError, this, `expected a Tensor, got ${typeof x}`);
    const axis = this.dim < 0 ? this.dim + x.rank : this.dim;
    const product = this.sizes.reduce((a, b) => a * b, 1);
    if (axis < 0 || axis >= x.rank || x.shape[axis] !== product)
      throw moduleError(
        ShapeError,
        this,
        `cannot split axis ${this.dim} of an input [${x.shape.join(', ')}] into [${this.sizes.join(', ')}]`,
      );
    return x.reshape([...x.shape.slice(0, axis), ...this.sizes, ...x.shape.slice(axis + 1)]);
  }

  /** `dim=1, unflattened_size=(1, 28, 28)`, as PyTorch prints it. */
  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=(${this.sizes.join(', ')}${this.sizes.length === 1 ? ',' : ''})`;
  }
}
