/**
 * BatchNorm1d over [batch, features]: in training, y = (x - mean_B) / sqrt(var_B + eps) * weight + bias with the
 * batch's mean and biased variance, and the running statistics move toward the batch's (the running variance takes
 * the unbiased estimate, as in PyTorch). In eval mode the running statistics are used instead. Core's fused
 * `batchNorm` (PyTorch's F.batch_norm, the op BatchNorm2d uses) does the arithmetic.
 * State-dict names follow PyTorch: weight, bias, running_mean, running_var (num_batches_tracked is not kept).
 * What BatchNorm1d and BatchNorm2d share (PyTorch's _BatchNorm) is their base class here, BatchNormNd: options
 * checked, parameters, running statistics, the normalisation and the printed form; they differ in the input's rank
 * and BatchNorm2d's count of batches.
 */
import { type DType, ShapeError, Tensor, TapegradError, batchNorm, ones, zeros } from '@tapegrad/core';
import { Module } from '../module.js';
import { moduleError } from '../module-context.js';
import { checkSize } from './sizes.js';
import { brand } from '../brand.js';

/** Options of `new BatchNorm1d(features, options)`. */
export interface BatchNormOptions {
  /** Added to the variance for stability (default 1e-5). */
  readonly eps?: number;
  /** Weight of the new batch in the running statistics (default 0.1). */
  readonly momentum?: number;
  /** Learnable weight and bias (default true). */
  readonly affine?: boolean;
  /** Parameter and statistics dtype (default float64). */
  readonly dtype?: DType;
}

/**
 * What BatchNorm1d and BatchNorm2d share: the options checked, the parameters and running statistics, core's fused
 * `batchNorm` with the batch's statistics in training or the running ones in eval, and PyTorch's printed form.
 */
export abstract class BatchNormNd extends Module {
  /** Per-feature scale (gamma), or null without `affine`. */
  readonly weight: Tensor | null;
  /** Per-feature shift (beta), or null without `affine`. */
  readonly bias: Tensor | null;
  /** Added to the variance. */
  readonly eps: number;
  /** Weight of each new batch in the running statistics. */
  readonly momentum: number;

  constructor(
    layer: string,
    /** The number of features (channels for BatchNorm2d): the size of axis 1. */
    readonly numFeatures: number,
    options: BatchNormOptions,
  ) {
    super();
    checkSize(layer, 'numFeatures', numFeatures);
    const dtype = options.dtype ?? 'float64';
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    if (!(this.eps >= 0) || !(this.momentum >= 0 && this.momentum <= 1))
      throw new TapegradError(`${layer}: eps must be >= 0 and momentum in [0, 1], got eps ${options.eps} and momentum ${options.momentum}`);
    const affine = options.affine ?? true;
    this.weight = affine ? ones([numFeatures], { dtype, requiresGrad: true }) : null;
    this.bias = affine ? zeros([numFeatures], { dtype, requiresGrad: true }) : null;
    this.registerBuffer('running_mean', zeros([numFeatures], { dtype }));
    this.registerBuffer('running_var', ones([numFeatures], { dtype }));
  }

  /** The running mean (buffer `running_mean`). */
  get runningMean(): Tensor {
    return this.buffer('running_mean');
  }
  /** The running unbiased variance (buffer `running_var`). */
  get runningVar(): Tensor {
    return this.buffer('running_var');
  }

  /**
   * The forward on x (its shape already checked): core's fused batchNorm with the batch's statistics in training
   * (which needs more than one of the `count` values per feature, `need` in the error), the running ones in eval.
   * Mixed float32/float64 promotes to float64, as the elementwise ops do (the fused op wants one dtype).
   */
  protected normalise(x: Tensor, count: number, need: string): Tensor {
    const dtype = x.dtype === this.runningMean.dtype ? x.dtype : 'float64';
    const as = (t: Tensor) => (t.dtype === dtype ? t : t.cast(dtype));
    x = as(x);
    const affine = { ...(this.weight && { weight: as(this.weight) }), ...(this.bias && { bias: as(this.bias) }) };
    const statistics = { runningMean: this.runningMean, runningVar: this.runningVar, eps: this.eps };
    if (!this.training) return batchNorm(x, { ...statistics, ...affine });
    if (count < 2) throw moduleError(ShapeError, this, `training needs ${need} to estimate a variance, got [${x.shape.join(', ')}]`);
    // One fused op normalises with the batch's statistics and moves the running ones.
    return batchNorm(x, { ...statistics, ...affine, momentum: this.momentum, training: true });
  }

  /** `256, eps=1e-5, momentum=0.1, affine=true`, as PyTorch prints it. */
  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}`;
  }
}

/**
 * Batch normalisation over the batch axis of [batch, features] inputs.
 * @example
 * const bn = new BatchNorm1d(256);
 * bn.forward(x);          // normalises each of the 256 features over the batch
 * bn.eval().forward(x);   // uses the running statistics
 */
export class BatchNorm1d extends BatchNormNd {
  static {
    brand(this, 'BatchNorm1d');
  }
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super('BatchNorm1d', numFeatures, options);
  }

  /** Normalises x [batch, features]. */
  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor) || x.rank !== 2 || x.shape[1] !== this.numFeatures) {
      const got = x instanceof Tensor ? `[${x.shape.join(', ')}]` : typeof x;
      throw moduleError(ShapeError, this, `expected input of shape [batch, ${this.numFeatures}], got ${got}`);
    }
    return this.normalise(x, x.shape[0], 'more than one sample per batch');
  }
}
