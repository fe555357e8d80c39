/**
 * The batched tensor vmap hands its function: a Tensor whose shape is one sample's, standing for a physical value
 * that holds every sample along a batch axis (autodiff/batching.ts). Its methods are Tensor's, so `f` runs as
 * written; an op applied to it runs the op's batch rule on the physical values. Its own values cannot be read (they
 * are every sample's at once): `item()`, `toArray()` and `.data` throw a TransformError, as JAX refuses to
 * concretize a traced value.
 */
import type { BatchArg, BatchLevel, BatchedNode } from '../autodiff/batching.js';
import { batchedConstant, escapedError, isBatched } from '../autodiff/batching.js';
import type { OpContext } from '../autodiff/context.js';
import type { AnyOp } from '../autodiff/define-op.js';
import { noGrad } from '../autodiff/mode.js';
import { type Node, type RawValue, type TensorNode, isNode } from '../autodiff/node.js';
import { GradError, TransformError, formatShape } from '../errors.js';
import { formatWithValues } from '../ndarray/format.js';
import { NDArray } from '../ndarray/ndarray.js';
import { describeValue, normalizeAxis, sizeOf } from '../ndarray/shape.js';
import { alignElementwise, physicalAxis } from '../ops/batching.js';
import { Tensor } from '../tensor.js';
import { loopOverBatch } from './batch-loop.js';
import { applyInPlaceBatched } from './batch-in-place.js';

/** A Tensor standing for a batch of samples inside vmap (see the file comment). */
export class BatchedTensor extends Tensor implements BatchedNode {
  /** @internal every sample, along `_bdim`. */
  readonly _physical: Tensor;
  /** @internal the batch axis of `_physical`. */
  readonly _bdim: number;
  /** @internal the vmap call this value is batched by. */
  readonly _level: BatchLevel;

  /** @internal made by vmap and by batch rules. */
  constructor(physical: Tensor, dim: number, level: BatchLevel, name?: string) {
    super(sampleArray(physical, dim, level), false, name);
    this._physical = physical;
    this._bdim = dim;
    this._level = level;
    // A value that a gradient outside the vmap flows through is one inside it too (so `grad` inside the vmap
    // differentiates it in place, as grad(grad(f)) does, and `detach` cuts both).
    this.requiresGrad = physical.requiresGrad;
  }

  /** @internal another value batched at this level. */
  _wrap(physical: TensorNode, dim: number): BatchedTensor {
    return new BatchedTensor(physical as Tensor, dim, this._level);
  }

  /** @internal */ override make(raw: RawValue): Tensor {
    // The shadow an in-place change leaves behind shares the storage: the same physical value.
    return raw === this.raw ? this._wrap(this._physical, this._bdim) : super.make(raw);
  }

  override detach(): Tensor {
    return new BatchedTensor(this._physical.detach(), this._bdim, this._level, this.name);
  }

  override formatValue(): string {
    return `${this.dtype}${formatShape(this.shape)} x ${this._level.size} (batched)`;
  }

  /** The shape of one sample, then each sample's values along the batch axis. */
  override toString(): string {
    const p = this._physical;
    const suffixes = [
      `shape=${formatShape(this.shape)} per sample`,
      `batch axis ${this._bdim} of ${this._level.size}`,
      `dtype=${this.dtype}`,
    ];
    if (this.creator !== null) suffixes.push(`gradFn=<${this.creator.op.name}>`);
    return isBatched(p)
      ? `batched(${p.toString()}, ${suffixes.join(', ')})`
      : formatWithValues('batched', p.data, p.shape, p.dtype, suffixes);
  }

  override argmax(axis = -1, keepDims = false): Tensor {
    return this.argReduce(axis, keepDims, 'argmax');
  }
  override argmin(axis = -1, keepDims = false): Tensor {
    return this.argReduce(axis, keepDims, 'argmin');
  }
  private argReduce(axis: number, keepDims: boolean, op: 'argmax' | 'argmin'): Tensor {
    const a = normalizeAxis(axis, this.rank, op);
    const p = this._physical;
    const value = op === 'argmax' ? p.argmax(physicalAxis(a, this._bdim), keepDims) : p.argmin(physicalAxis(a, this._bdim), keepDims);
    return this._wrap(value, keepDims || a > this._bdim ? this._bdim : this._bdim - 1);
  }

  /** @internal */
  _applyBatched(op: AnyOp, ctx: OpContext, inputs: readonly Node[]): Node {
    const args = this.unwrap(inputs);
    const rule = op.batch;
    const byRule = typeof rule === 'function' ? rule(ctx, ...args) : null;
    const fallback = typeof rule === 'function' ? 'case' : rule === 'loop' ? 'opted' : 'none';
    const out = byRule ?? loopOverBatch(op, ctx, args, this._level.size, fallback, (p) => this._wrap(p, 0));
    const size = this._level.size;
    if (out === null || typeof out !== 'object' || !isNode(out.value) || !Number.isInteger(out.dim) || out.value.shape[out.dim] !== size) {
      const got =
        out !== null && typeof out === 'object' && isNode(out.value)
          ? `shape ${formatShape(out.value.shape)}, axis ${out.dim}`
          : describeValue(out);
      throw new GradError(`${op.name}: its batch rule must return { value, dim } with ${size} samples along axis dim; got ${got}`);
    }
    return this._wrap(out.value, out.dim);
  }

  /** @internal */
  _applyInPlaceBatched(op: AnyOp, target: Node, operands: readonly Node[], attrs: unknown): void {
    applyInPlaceBatched(op, this._level, target, operands, attrs);
  }

  /** @internal */
  _constant(inputs: readonly Node[], compute: (...raws: NDArray[]) => NDArray): Node {
    const { values, dim } = noGrad(() => alignElementwise(this.unwrap(inputs)));
    const value = batchedConstant(values, compute) ?? values[0].make(compute(...values.map((v) => v.raw)));
    return this._wrap(value as Tensor, dim);
  }

  /** Each input as an operand of a call batched at this level: its physical value and batch axis, or itself. */
  private unwrap(inputs: readonly Node[]): BatchArg[] {
    return inputs.map((x) =>
      isBatched(x) && x._level === this._level ? { value: x._physical, dim: x._bdim } : { value: x as TensorNode, dim: null },
    );
  }
}

/**
 * The NDArray a batched tensor holds: one sample's shape and dtype, the storage's version counter, and values that
 * cannot be read (any kernel that tries is refused, rather than handed every sample as if it were one).
 */
function sampleArray(physical: Tensor, dim: number, level: BatchLevel): NDArray {
  const shape = physical.shape.filter((_, i) => i !== dim);
  const size = physical.shape[dim];
  return Object.create(NDArray.prototype, {
    shape: { value: shape },
    size: { value: sizeOf(shape) },
    dtype: { value: physical.dtype },
    data: {
      get(): never {
        // Outside any vmap the engine does not look for batched operands: a kernel reaching here tells of an escape.
        if (!level.open) throw escapedError(shape);
        throw new TransformError(
          `vmap: the values of a batched tensor (shape ${formatShape(shape)} for each of ${size} samples) cannot be read ` +
            `inside vmap; compute with its ops, or return it from the function and read the result`,
        );
      },
    },
    _version: {
      get: () => physical._version,
      set: (v: number) => {
        physical._version = v;
      },
    },
  }) as NDArray;
}
