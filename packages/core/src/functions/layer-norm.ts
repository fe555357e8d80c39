/** layerNorm: PyTorch's `F.layer_norm`, one fused op over the trailing axes. */
import { DTypeError, ShapeError, TapegradError, formatShape } from '../errors.js';
import { describeValue, sameShape } from '../ndarray/shape.js';
import * as ops from '../ops/index.js';
import { Tensor } from '../tensor.js';
import { checkOptions } from './window.js';

/** Options of {@link layerNorm}. */
export interface LayerNormOptions {
  /** Multiplies the normalised values (shape `normalizedShape`; none by default). */
  readonly weight?: Tensor;
  /** Added after the weight (shape `normalizedShape`; none by default). */
  readonly bias?: Tensor;
  /** Added to the variance before its square root (default 1e-5, as PyTorch). */
  readonly eps?: number;
}

/**
 * Layer normalisation (PyTorch's `layer_norm`): each slice over the trailing axes `normalizedShape` is shifted to mean
 * 0 and scaled to variance 1 (the biased variance, plus `eps`), then multiplied by `weight` and shifted by `bias` when
 * given. One fused op with its own gradient rule, for x, weight and bias.
 * @example
 * const x = randn([8, 128, 64], { requiresGrad: true });
 * const weight = ones([64], { requiresGrad: true });
 * const bias = zeros([64], { requiresGrad: true });
 * layerNorm(x, [64], { weight, bias }).shape;   // [8, 128, 64]
 * layerNorm(x, 64).mean(-1);                     // ~0 in every row
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], options: LayerNormOptions = {}): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(`layerNorm: input must be a Tensor; got ${describeValue(x)}`);
  if (x.dtype === 'int32') throw new DTypeError(`layerNorm: input must be float32 or float64; got int32 of shape ${formatShape(x.shape)}`);
  checkOptions(options, 'layerNorm');
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 1))
    throw new ShapeError(`layerNorm: normalizedShape must be a positive size or a list of them; got ${describeShape(normalizedShape)}`);
  if (shape.length === 0 || shape.length > x.rank || !sameShape(x.shape.slice(x.rank - shape.length), shape))
    throw new ShapeError(`layerNorm: normalizedShape ${formatShape(shape)} is not the trailing shape of input ${formatShape(x.shape)}`);
  const eps = options.eps ?? 1e-5;
  if (typeof eps !== 'number' || !(eps >= 0) || !Number.isFinite(eps))
    throw new TapegradError(`layerNorm: eps must be a finite number >= 0; got ${describeValue(eps)}`);
  const affine = (['weight', 'bias'] as const).flatMap((name) => {
    const t = options[name];
    if (t === undefined) return [];
    if (!(t instanceof Tensor)) throw new DTypeError(`layerNorm: ${name} must be a Tensor; got ${describeValue(t)}`);
    if (!sameShape(t.shape, shape))
      throw new ShapeError(`layerNorm: ${name} has shape ${formatShape(t.shape)}, not normalizedShape ${formatShape(shape)}`);
    if (t.dtype !== x.dtype) throw new DTypeError(`layerNorm: ${name} is ${t.dtype}, input is ${x.dtype}; they must match`);
    return [t];
  });
  return ops.layerNorm(x, ...affine, {
    axes: shape.length,
    eps,
    hasWeight: options.weight !== undefined,
    hasBias: options.bias !== undefined,
  });
}

function describeShape(s: unknown): string {
  return Array.isArray(s) ? `[${s.map(describeValue).join(', ')}]` : describeValue(s);
}
