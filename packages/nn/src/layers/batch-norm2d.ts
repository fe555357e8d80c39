/**
 * BatchNorm2d over [batch, channels, height, width]: each channel is normalised over its batch and spatial
 * positions, y = (x - mean) / sqrt(var + eps) * weight[c] + bias[c], with the biased variance of the n = B H W
 * values in training, the running statistics in eval. The running mean and the running unbiased variance
 * (var * n / (n - 1)) move toward each batch's by `momentum`, and `num_batches_tracked` counts the training
 * batches, as in PyTorch. State-dict names: weight, bias, running_mean, running_var, num_batches_tracked (a 0-d
 * int32 here; PyTorch's int64 loads into it whenever it fits 31 bits, see safetensors-dtypes.ts). Core's fused `batchNorm`
 * (PyTorch's F.batch_norm) does the arithmetic, through the base it shares with BatchNorm1d (BatchNormNd in batch-norm.ts).
 */
import { ShapeError, Tensor, noGrad, zeros } from '@tapegrad/core';
import { moduleError } from '../module-context.js';
import { BatchNormNd, type BatchNormOptions } from './batch-norm.js';
import { brand } from '../brand.js';

/**
 * Batch normalisation per channel of [batch, channels, height, width] inputs (PyTorch's `nn.BatchNorm2d`).
 * @example
 * const bn = new BatchNorm2d(16);
 * bn.forward(x);          // training: batch statistics; running statistics updated
 * bn.eval().forward(x);   // uses the running statistics
 */
export class BatchNorm2d extends BatchNormNd {
  static {
    brand(this, 'BatchNorm2d');
  }
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super('BatchNorm2d', numFeatures, options);
    this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int32' }));
  }

  /** The number of training batches seen (buffer `num_batches_tracked`). */
  get numBatchesTracked(): number {
    return this.buffer('num_batches_tracked').item();
  }

  /** Normalises x [batch, channels, height, width]. */
  forward(x: Tensor): Tensor {
    const c = this.numFeatures;
    if (!(x instanceof Tensor) || x.rank !== 4 || x.shape[1] !== c)
      throw moduleError(
        ShapeError,
        this,
        `expected input [batch, ${c}, height, width], got ${x instanceof Tensor ? `[${x.shape.join(', ')}]` : typeof x}`,
      );
    const y = this.normalise(x, x.shape[0] * x.shape[2] * x.shape[3], 'more than one value per channel');
    if (!this.training) return y;
    noGrad(() => {
      const count = this.buffer('num_batches_tracked');
      if (count.device !== 'cpu') return void count.addInPlace(1); // on the device, without reading it back
      count.data[0] += 1;
      count.markMutated();
    });
    return y;
  }
}
