/** embedding: PyTorch's `F.embedding`, a differentiable lookup of rows. */
import { isBatched } from '../autodiff/batching.js';
import { DTypeError, DeviceError, ShapeError, formatShape } from '../errors.js';
import { describeValue } from '../ndarray/shape.js';
import * as ops from '../ops/index.js';
import { Tensor } from '../tensor.js';
import { checkOptions } from './window.js';

/** Options of {@link embedding}. */
export interface EmbeddingOptions {
  /** A row that gets no gradient (its lookups still return it); negative counts from the end, as in PyTorch. */
  readonly paddingIdx?: number;
}

/**
 * Looks up rows of `weight` ([rows, dim]) at int32 `indices` of any shape: the result is [...indices.shape, dim]
 * (PyTorch's `embedding`). The gradient of `weight` is a scatter-add: a row looked up several times gets the sum of
 * their gradients, and the `paddingIdx` row gets none.
 * @example
 * const weight = randn([27, 16], { requiresGrad: true });
 * const ids = tensor([[1, 5, 0], [2, 2, 0]], { dtype: 'int32' });
 * embedding(ids, weight, { paddingIdx: 0 }).shape;   // [2, 3, 16]
 */
export function embedding(indices: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  if (!(indices instanceof Tensor))
    throw new DTypeError(
      `embedding: indices must be an int32 Tensor; got ${describeValue(indices)} (wrap it with tensor(..., { dtype: 'int32' }))`,
    );
  if (indices.dtype !== 'int32')
    throw new DTypeError(`embedding: indices must be int32; got ${indices.dtype} of shape ${formatShape(indices.shape)}`);
  if (!(weight instanceof Tensor)) throw new DTypeError(`embedding: weight must be a Tensor; got ${describeValue(weight)}`);
  if (weight.rank !== 2) throw new ShapeError(`embedding: weight must be [rows, dim]; got shape ${formatShape(weight.shape)}`);
  checkOptions(options, 'embedding');
  const rows = weight.shape[0];
  // Under vmap, every sample's indices (a batched tensor's own values cannot be read).
  let values: Tensor = indices;
  while (isBatched(values)) values = values._physical as Tensor;
  if (values.device !== 'cpu')
    throw new DeviceError(
      `embedding: indices are checked against the rows on the CPU, and these are on '${values.device}': pass a CPU tensor`,
    );
  const I = values.data;
  for (let i = 0; i < I.length; i++)
    if (I[i] < 0 || I[i] >= rows)
      throw new ShapeError(
        `embedding: index ${I[i]} at position ${i} is out of range for weight ${formatShape(weight.shape)} (rows 0 to ${rows - 1})`,
      );
  let paddingIdx: number | null = null;
  if (options.paddingIdx !== undefined) {
    const p = options.paddingIdx;
    if (!Number.isInteger(p) || p < -rows || p >= rows)
      throw new ShapeError(`embedding: paddingIdx ${describeValue(p)} is not a row of weight ${formatShape(weight.shape)}`);
    paddingIdx = p < 0 ? p + rows : p;
  }
  return ops.embedding(indices, weight, { paddingIdx });
}
