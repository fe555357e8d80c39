/**
 * Linear (the Affine layer): y = x W^T + b with W of shape [out, in] and b of shape [out], PyTorch's layout and
 * names (`weight`, `bias`), so a state dict moves to and from `torch.nn.Linear` unchanged.
 */
import { type DType, type Generator, ShapeError, Tensor, zeros as zerosTensor } from '@tapegrad/core';
import { Module } from '../module.js';
import { moduleError } from '../module-context.js';
import { checkSize } from './sizes.js';
import { heNormal, heUniform, uniform, xavierNormal, xavierUniform, zeros } from '../init.js';
import { brand } from '../brand.js';

/** How Linear initialises its weight: PyTorch's default, or one of the named schemes (bias then starts at 0). */
export type LinearInit = 'pytorch' | 'heUniform' | 'heNormal' | 'xavierUniform' | 'xavierNormal';

/** Options of `new Linear(in, out, options)`. */
export interface LinearOptions {
  /** Whether to add a bias (default true). */
  readonly bias?: boolean;
  /** Parameter dtype (default float64, the core default; use float32 for speed). */
  readonly dtype?: DType;
  /**
   * Weight initialisation. Default 'pytorch': weight and bias from U(-1/sqrt(in), 1/sqrt(in)), which is what
   * `torch.nn.Linear` draws (kaiming_uniform with a = sqrt(5)). The named schemes set the bias to zero.
   */
  readonly init?: LinearInit;
  /** The generator to draw from; default the global one. */
  readonly generator?: Generator;
}

/**
 * The fully connected layer y = x W^T + b.
 * @example
 * const layer = new Linear(784, 256, { dtype: 'float32', init: 'heUniform' });
 * layer.forward(x);   // x: [batch, 784] -> [batch, 256]
 */
export class Linear extends Module {
  static {
    brand(this, 'Linear');
  }
  /** The weight, shape [out, in]. */
  readonly weight: Tensor;
  /** The bias, shape [out], or null when built with `bias: false`. */
  readonly bias: Tensor | null;

  constructor(
    /** Input features (the last axis of x). */
    readonly inFeatures: number,
    /** Output features. */
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    checkSize('Linear', 'inFeatures', inFeatures);
    checkSize('Linear', 'outFeatures', outFeatures);
    const dtype = options.dtype ?? 'float64';
    const generator = options.generator;
    this.weight = zerosTensor([outFeatures, inFeatures], { dtype, requiresGrad: true });
    this.bias = options.bias === false ? null : zerosTensor([outFeatures], { dtype, requiresGrad: true });
    const scheme = options.init ?? 'pytorch';
    if (scheme === 'pytorch') {
      const bound = 1 / Math.sqrt(inFeatures);
      uniform(this.weight, bound, { generator });
      if (this.bias) uniform(this.bias, bound, { generator });
    } else {
      const fill = { heUniform, heNormal, xavierUniform, xavierNormal }[scheme];
      fill(this.weight, { generator });
      if (this.bias) zeros(this.bias);
    }
  }

  /** x [..., in] -> [..., out]. */
  forward(x: Tensor): Tensor {
    // x . W^T through the transposed-operand kernel: no copy of W per call, nor of its gradient.
    const y = this.checkInput(x).matmul(this.weight, { transposeB: true });
    return this.bias ? y.add(this.bias) : y;
  }

  /** relu(x W^T + b), the bias add and the activation as one fused op: what Sequential runs for Linear then ReLU. */
  forwardRelu(x: Tensor): Tensor {
    const y = this.checkInput(x).matmul(this.weight, { transposeB: true });
    return this.bias ? y.addRelu(this.bias) : y.relu();
  }

  /** `in_features=784, out_features=256, bias=true`, as PyTorch prints a Linear. */
  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null}`;
  }

  private checkInput(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw moduleError(ShapeError, this, `expected a Tensor [..., ${this.inFeatures}], got ${typeof x}`);
    if (x.rank === 0 || x.shape[x.rank - 1] !== this.inFeatures)
      throw moduleError(ShapeError, this, `expected input [..., ${this.inFeatures}], got [${x.shape.join(', ')}]`);
    return x;
  }
}
