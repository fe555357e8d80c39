/**
 * BatchNorm1d over [batch, features]: in training, y = (x - mean_B) / sqrt(var_B + eps) * weight + bias with the
 * batch's mean and biased variance, and the running statistics move toward the batch's (the running variance takes
 * the unbiased estimate, as in PyTorch). In eval mode the running statistics are used instead. Core's fused
 * `batchNorm` (PyTorch's F.batch_norm, the op BatchNorm2d uses) does the arithmetic.
 * State-dict names follow PyTorch: weight, bias, running_mean, running_var (num_batches_tracked is not kept).
 * What BatchNorm1d and BatchNorm2d share, their options checked and their forward, is written once here
 * (batchNormParts, normaliseBatch); they differ in the input's rank and BatchNorm2d's count of batches.
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
 * Batch normalisation over the batch axis of [batch, features] inputs.
 * @example
 * const bn = new BatchNorm1d(256);
 * bn.forward(x);          // normalises each of the 256 features over the batch
 * bn.eval().forward(x);   // uses the running statistics
 */
export class BatchNorm1d extends Module {
  static {
    brand(this, 'BatchNorm1d');
  }
  /** Per-feature scale (gamma), or null without `affine`. */
  readonly weight: Tensor | null;
  /** Per-feature shift (beta), or null without `affine`. */
  readonly bias: Tensor | null;
  /** Added to the variance. */
  readonly eps: number;
  /** Weight of each new batch in the running statistics. */
  readonly momentum: number;

  constructor(
    /** The number of features (the size of axis 1). */
    readonly numFeatures: number,
    options: BatchNormOptions = {},
  ) {
    super();
    const parts = batchNormParts('BatchNorm1d', numFeatures, options);
    ({ weight: this.weight, bias: this.bias, eps: this.eps, momentum: this.momentum } = parts);
    this.registerBuffer('running_mean', parts.runningMean);
    this.registerBuffer('running_var', parts.runningVar);
  }

  /** The running mean (buffer `running_mean`). */
  get runningMean(): Tensor {
    return this.buffer('running_mean');
  }
  /** The running unbiased variance (buffer `running_var`). */
  get runningVar(): Tensor {
    return this.buffer('running_var');
  }

  /** Normalises x [batch, features]. */
  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor) || x.rank !== 2 || x.shape[1] !== this.numFeatures) {
      const got = x instanceof Tensor ? `[${x.shape.join(', ')}]` : typeof x;
      throw moduleError(ShapeError, this, `expected input of shape [batch, ${this.numFeatures}], got ${got}`);
    }
    return normaliseBatch(this, x, x.shape[0], 'more than one sample per batch');
  }

  /** `256, eps=1e-5, momentum=0.1, affine=true`, as PyTorch prints it. */
  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}`;
  }
}

/** A batch norm's parameters and running statistics, from its options (checked, and named `layer` in errors). */
export function batchNormParts(layer: string, numFeatures: number, options: BatchNormOptions) {
  checkSize(layer, 'numFeatures', numFeatures);
  const dtype = options.dtype ?? 'float64';
  const eps = options.eps ?? 1e-5;
  const momentum = options.momentum ?? 0.1;
  if (!(eps >= 0) || !(momentum >= 0 && momentum <= 1))
    throw new TapegradError(`${layer}: eps must be >= 0 and momentum in [0, 1], got eps ${options.eps} and momentum ${options.momentum}`);
  const affine = options.affine ?? true;
  return {
    weight: affine ? ones([numFeatures], { dtype, requiresGrad: true }) : null,
    bias: affine ? zeros([numFeatures], { dtype, requiresGrad: true }) : null,
    eps,
    momentum,
    runningMean: zeros([numFeatures], { dtype }),
    runningVar: ones([numFeatures], { dtype }),
  };
}

/** What normaliseBatch reads of a batch norm module. */
interface BatchNormModule extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly eps: number;
  readonly momentum: number;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
}

/**
 * A batch norm module's forward on x (its shape already checked): core's fused batchNorm with the batch's statistics
 * in training (which needs more than one of the `count` values per feature, `need` in the error), the running ones
 * in eval. Mixed float32/float64 promotes to float64, as the elementwise ops do (the fused op wants one dtype).
 */
export function normaliseBatch(m: BatchNormModule, x: Tensor, count: number, need: string): Tensor {
  const dtype = x.dtype === m.runningMean.dtype ? x.dtype : 'float64';
  const as = (t: Tensor) => (t.dtype === dtype ? t : t.cast(dtype));
  x = as(x);
  const affine = { ...(m.weight && { weight: as(m.weight) }), ...(m.bias && { bias: as(m.bias) }) };
  const statistics = { runningMean: m.runningMean, runningVar: m.runningVar, eps: m.eps };
  if (!m.training) return batchNorm(x, { ...statistics, ...affine });
  if (count < 2) throw moduleError(ShapeError, m, `training needs ${need} to estimate a variance, got [${x.shape.join(', ')}]`);
  // One fused op normalises with the batch's statistics and moves the running ones.
  return batchNorm(x, { ...statistics, ...affine, momentum: m.momentum, training: true });
}
