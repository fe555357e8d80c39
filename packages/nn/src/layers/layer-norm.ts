/**
 * LayerNorm over the last axes (PyTorch's `nn.LayerNorm`): y = (x - mean) / sqrt(var + eps) * weight + bias, the
 * mean and biased variance taken over `normalizedShape` for each leading position; one fused core op. State-dict
 * names `weight` and `bias`, both of shape `normalizedShape`, starting at ones and zeros.
 */
import { type DType, ShapeError, Tensor, layerNorm, ones, zeros } from '@tapegrad/core';
import { Module } from '../module.js';
import { moduleError } from '../module-context.js';
import { brand } from '../brand.js';

/** Options of `new LayerNorm(shape, options)`. */
export interface LayerNormLayerOptions {
  /** Added to the variance (default 1e-5). */
  readonly eps?: number;
  /** Learn a per-element weight and bias (default true). */
  readonly elementwiseAffine?: boolean;
  /** With elementwiseAffine, whether to learn the bias too (default true; PyTorch 2.1's `bias`). */
  readonly bias?: boolean;
  /** Parameter dtype (default float64). */
  readonly dtype?: DType;
}

/**
 * Layer normalisation over the trailing `normalizedShape` axes.
 * @example
 * const norm = new LayerNorm(64);
 * norm.forward(zeros([8, 10, 64])).shape;   // [8, 10, 64]
 */
export class LayerNorm extends Module {
  static {
    brand(this, 'LayerNorm');
  }
  /** The normalised trailing shape. */
  readonly normalizedShape: readonly number[];
  /** Per-element scale, or null without elementwiseAffine. */
  readonly weight: Tensor | null;
  /** Per-element shift, or null. */
  readonly bias: Tensor | null;
  /** Added to the variance. */
  readonly eps: number;

  constructor(normalizedShape: number | readonly number[], options: LayerNormLayerOptions = {}) {
    super();
    const shape: number[] =
      typeof normalizedShape === 'number' ? [normalizedShape] : Array.isArray(normalizedShape) ? [...(normalizedShape as number[])] : [];
    if (shape.length === 0 || shape.some((n) => !(Number.isInteger(n) && n > 0)))
      throw new ShapeError(
        `LayerNorm: normalizedShape must be a positive integer or a non-empty list of them, got ${String(normalizedShape)}`,
      );
    this.normalizedShape = shape;
    this.eps = options.eps ?? 1e-5;
    if (!(this.eps >= 0)) throw new ShapeError(`LayerNorm: eps must be a non-negative number, got ${String(options.eps)}`);
    const dtype = options.dtype ?? 'float64';
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? ones(shape, { dtype, requiresGrad: true }) : null;
    this.bias = affine && options.bias !== false ? zeros(shape, { dtype, requiresGrad: true }) : null;
  }

  forward(x: Tensor): Tensor {
    const n = this.normalizedShape.length;
    if (!(x instanceof Tensor) || x.rank < n || x.shape.slice(x.rank - n).join() !== this.normalizedShape.join())
      throw moduleError(
        ShapeError,
        this,
        `expected input [..., ${this.normalizedShape.join(', ')}], got ${x instanceof Tensor ? `[${x.shape.join(', ')}]` : typeof x}`,
      );
    return layerNorm(x, this.normalizedShape, {
      eps: this.eps,
      ...(this.weight && { weight: this.weight }),
      ...(this.bias && { bias: this.bias }),
    });
  }

  /** `(64,), eps=1e-5, elementwise_affine=true`, as PyTorch prints it. */
  override extraRepr(): string {
    return `(${this.normalizedShape.join(', ')}${this.normalizedShape.length === 1 ? ',' : ''}), eps=${this.eps}, elementwise_affine=${this.weight !== null}`;
  }
}
