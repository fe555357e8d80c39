/** batchNorm: PyTorch's `F.batch_norm`, one fused op over every axis but the channels in training. */
import { isBatched } from '../autodiff/batching.js';
import { noGrad } from '../autodiff/mode.js';
import { DTypeError, ShapeError, TapegradError, formatShape } from '../errors.js';
import { describeValue } from '../ndarray/shape.js';
import * as ops from '../ops/index.js';
import { tensor } from '../creation.js';
import { Tensor } from '../tensor.js';
import type { NDArray } from '../ndarray/ndarray.js';
import type { DType } from '../ndarray/dtype.js';
import type { BatchNormAttrs } from '../ops/batch-norm.js';
import { checkOptions } from './window.js';

/** Options of {@link batchNorm}. */
export interface BatchNormOptions {
  /** Per-channel running mean [C]: used in evaluation, moved toward each batch's mean in training. */
  readonly runningMean?: Tensor;
  /** Per-channel running unbiased variance [C]: used in evaluation, moved toward each batch's in training. */
  readonly runningVar?: Tensor;
  /** Multiplies the normalised values, per channel ([C]; none by default). */
  readonly weight?: Tensor;
  /** Added after the weight, per channel ([C]; none by default). */
  readonly bias?: Tensor;
  /** Normalise with the batch's statistics (true) or the running ones (false, the default, as PyTorch). */
  readonly training?: boolean;
  /** Weight of each batch in the running statistics (default 0.1). */
  readonly momentum?: number;
  /** Added to the variance before its square root (default 1e-5). */
  readonly eps?: number;
}

/**
 * Batch normalisation (PyTorch's `batch_norm`) of x [N, C, ...]: in training each channel is shifted to mean 0 and
 * scaled to variance 1 over the batch and every axis after the channels (the biased variance, plus `eps`), with one
 * fused op whose rule covers x, weight and bias; the running statistics, when given, move toward the batch's in
 * place (`running = (1 - momentum) running + momentum batch`, the variance unbiased). In evaluation the running
 * statistics normalise instead. Then `weight` multiplies and `bias` shifts, per channel.
 * @example
 * const x = randn([32, 16, 14, 14], { requiresGrad: true });
 * const runningMean = zeros([16]);
 * const runningVar = ones([16]);
 * const y = batchNorm(x, { runningMean, runningVar, training: true });   // batch statistics; running ones updated
 * y.mean([0, 2, 3]);                                                      // ~0 per channel
 * batchNorm(x, { runningMean, runningVar }).shape;                      // [32, 16, 14, 14], running statistics
 */
export function batchNorm(x: Tensor, options: BatchNormOptions = {}): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(`batchNorm: input must be a Tensor; got ${describeValue(x)}`);
  if (x.dtype === 'int32') throw new DTypeError(`batchNorm: input must be float32 or float64; got int32 of shape ${formatShape(x.shape)}`);
  checkOptions(options, 'batchNorm');
  if (x.rank < 2) throw new ShapeError(`batchNorm: input must be [batch, channels, ...]; got ${formatShape(x.shape)}`);
  const channels = x.shape[1];
  const eps = options.eps ?? 1e-5;
  const momentum = options.momentum ?? 0.1;
  if (typeof eps !== 'number' || !(eps >= 0) || !Number.isFinite(eps))
    throw new TapegradError(`batchNorm: eps must be a finite number >= 0; got ${describeValue(eps)}`);
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1))
    throw new TapegradError(`batchNorm: momentum must be a number in [0, 1]; got ${describeValue(momentum)}`);
  const perChannel = (name: 'weight' | 'bias' | 'runningMean' | 'runningVar', sameDType: boolean): Tensor | undefined => {
    const t = options[name];
    if (t === undefined) return undefined;
    if (!(t instanceof Tensor)) throw new DTypeError(`batchNorm: ${name} must be a Tensor; got ${describeValue(t)}`);
    if (t.rank !== 1 || t.shape[0] !== channels)
      throw new ShapeError(
        `batchNorm: ${name} has shape ${formatShape(t.shape)}, not [${channels}] (the channels of input ${formatShape(x.shape)})`,
      );
    if (sameDType ? t.dtype !== x.dtype : t.dtype === 'int32')
      throw new DTypeError(
        `batchNorm: ${name} is ${t.dtype}, input is ${x.dtype}; ${sameDType ? 'they must match' : 'it must be a float'}`,
      );
    return t;
  };
  const weight = perChannel('weight', true);
  const bias = perChannel('bias', true);
  const runningMean = perChannel('runningMean', false);
  const runningVar = perChannel('runningVar', false);
  if ((runningMean === undefined) !== (runningVar === undefined))
    throw new TapegradError('batchNorm: give runningMean and runningVar together, or neither');
  const affine = [weight, bias].filter((t) => t !== undefined);
  const flags = { hasWeight: weight !== undefined, hasBias: bias !== undefined };
  if (!(options.training ?? false)) {
    if (runningMean === undefined || runningVar === undefined)
      throw new TapegradError('batchNorm: evaluation (training: false, the default) needs runningMean and runningVar');
    const view = [1, channels, ...new Array<number>(x.rank - 2).fill(1)];
    const cast = (t: Tensor) => (t.dtype === x.dtype ? t : t.cast(x.dtype)).reshape(view);
    let y = x.sub(cast(runningMean)).div(cast(runningVar).add(eps).sqrt());
    if (weight !== undefined) y = y.mul(weight.reshape(view));
    return bias === undefined ? y : y.add(bias.reshape(view));
  }
  const count = x.size / Math.max(1, channels);
  if (count < 2)
    throw new ShapeError(`batchNorm: training needs more than one value per channel to estimate a variance; got ${formatShape(x.shape)}`);
  if (runningMean === undefined || runningVar === undefined) return ops.batchNorm(x, ...affine, { eps, ...flags });
  if (isBatched(x))
    throw new TapegradError('batchNorm: running statistics cannot be updated under vmap (each sample has its own); leave them out');
  const statistics: BatchNormAttrs['statistics'] & object = { mean: new Float64Array(channels), variance: new Float64Array(channels) };
  const y = ops.batchNorm(x, ...affine, { eps, ...flags, statistics });
  noGrad(() => {
    // A device's statistics stay there: the running ones must be on x's device (as PyTorch's module buffers).
    const device = statistics.onDevice;
    const batch = (values: Float64Array, onDevice: NDArray | undefined, scale: number, dtype: DType) =>
      onDevice === undefined ? tensor(Float64Array.from(values, (v) => v * scale)).cast(dtype) : new Tensor(onDevice).mul(scale);
    runningMean.mulInPlace(1 - momentum).addInPlace(batch(statistics.mean, device?.mean, momentum, runningMean.dtype));
    runningVar
      .mulInPlace(1 - momentum)
      .addInPlace(batch(statistics.variance, device?.variance, (momentum * count) / (count - 1), runningVar.dtype));
  });
  return y;
}
