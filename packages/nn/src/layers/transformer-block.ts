/**
 * TransformerBlock: the pre-norm encoder layer, PyTorch's `nn.TransformerEncoderLayer(norm_first=True,
 * batch_first=True)`, with its state-dict names (`self_attn.*`, `linear1.*`, `linear2.*`, `norm1.*`, `norm2.*`):
 *   x = x + dropout1(self_attn(norm1(x)))
 *   x = x + dropout2(linear2(dropout(activation(linear1(norm2(x))))))
 * With `causal` it is a decoder-only (GPT-style) block: each position attends to itself and those before it.
 */
import { type DType, type Generator, TapegradError, type Tensor } from '@tapegrad/core';
import { Module } from '../module.js';
import { Dropout } from './dropout.js';
import { LayerNorm } from './layer-norm.js';
import { Linear } from './linear.js';
import { MultiheadAttention } from './multihead-attention.js';
import { checkSize } from './sizes.js';
import { brand } from '../brand.js';

/** Options of `new TransformerBlock(embedDim, numHeads, options)`; the defaults are PyTorch's. */
export interface TransformerBlockOptions {
  /** Width of the feed-forward hidden layer (default 2048). */
  readonly dimFeedforward?: number;
  /** The feed-forward activation: 'relu' (default) or 'gelu' (the exact form). */
  readonly activation?: 'relu' | 'gelu';
  /** The layer norms' eps (default 1e-5). */
  readonly layerNormEps?: number;
  /** Dropout probability on the attention weights and after each sublayer, in training (default 0.1). */
  readonly dropout?: number;
  /** Whether every call is causal (position i attends to positions <= i); default false. */
  readonly causal?: boolean;
  /** Parameter dtype (default float64; use float32 for speed). */
  readonly dtype?: DType;
  /** The generator for the initial weights and the dropout masks; default the global one. */
  readonly generator?: Generator;
}

/** Options of one TransformerBlock call (masks as in MultiheadAttention). */
export interface TransformerBlockCallOptions {
  /** Shape [L, L] or [B * heads, L, L]; an int32 nonzero entry hides, a float is added to the scores. */
  readonly attnMask?: Tensor;
  /** Shape [B, L], the positions of batch element b that no query attends to. */
  readonly keyPaddingMask?: Tensor;
}

/**
 * A pre-norm transformer block over batch-first [B, L, E] sequences: self-attention then a feed-forward network,
 * each behind a LayerNorm and added back to its input.
 * @example
 * const block = new TransformerBlock(64, 4, { dimFeedforward: 256, activation: 'gelu', causal: true, dropout: 0 });
 * block.forward(randn([2, 10, 64])).shape;   // [2, 10, 64]
 */
export class TransformerBlock extends Module {
  static {
    brand(this, 'TransformerBlock');
  }
  /** The self-attention sublayer. */
  readonly self_attn: MultiheadAttention;
  /** E -> dimFeedforward. */
  readonly linear1: Linear;
  /** Dropout after the activation. */
  readonly dropout: Dropout;
  /** dimFeedforward -> E. */
  readonly linear2: Linear;
  /** Before the attention. */
  readonly norm1: LayerNorm;
  /** Before the feed-forward network. */
  readonly norm2: LayerNorm;
  /** After the attention. */
  readonly dropout1: Dropout;
  /** After the feed-forward network. */
  readonly dropout2: Dropout;
  /** The feed-forward activation. */
  readonly activation: 'relu' | 'gelu';
  /** Whether every call is causal. */
  readonly causal: boolean;

  constructor(
    /** Model width E. */
    readonly embedDim: number,
    /** Attention heads; must divide E. */
    readonly numHeads: number,
    options: TransformerBlockOptions = {},
  ) {
    super();
    const dimFeedforward = options.dimFeedforward ?? 2048;
    checkSize('TransformerBlock', 'dimFeedforward', dimFeedforward);
    this.activation = options.activation ?? 'relu';
    if (this.activation !== 'relu' && this.activation !== 'gelu')
      throw new TapegradError(`TransformerBlock: activation must be 'relu' or 'gelu', got ${String(this.activation)}`);
    this.causal = options.causal ?? false;
    const p = options.dropout ?? 0.1;
    const { dtype, generator } = options;
    this.self_attn = new MultiheadAttention(embedDim, numHeads, { dropout: p, dtype, generator });
    this.linear1 = new Linear(embedDim, dimFeedforward, { dtype, generator });
    this.dropout = new Dropout(p, { generator });
    this.linear2 = new Linear(dimFeedforward, embedDim, { dtype, generator });
    const eps = options.layerNormEps ?? 1e-5;
    this.norm1 = new LayerNorm(embedDim, { eps, dtype });
    this.norm2 = new LayerNorm(embedDim, { eps, dtype });
    this.dropout1 = new Dropout(p, { generator });
    this.dropout2 = new Dropout(p, { generator });
  }

  /** x [B, L, E] -> [B, L, E]. */
  forward(x: Tensor, options: TransformerBlockCallOptions = {}): Tensor {
    const h = this.norm1.forward(x);
    const attended = this.self_attn.forward(h, h, h, { ...options, causal: this.causal });
    const y = x.add(this.dropout1.forward(attended));
    const hidden = this.linear1.forward(this.norm2.forward(y));
    const activated = this.activation === 'gelu' ? hidden.gelu() : hidden.relu();
    return y.add(this.dropout2.forward(this.linear2.forward(this.dropout.forward(activated))));
  }

  /** `activation=gelu, causal=true`. */
  override extraRepr(): string {
    return `activation=${this.activation}, causal=${this.causal}`;
  }
}
