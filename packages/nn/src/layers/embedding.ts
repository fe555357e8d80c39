/**
 * Embedding: a table of `num` learned vectors of size `dim`, looked up by int32 index (PyTorch's `nn.Embedding`,
 * state-dict name `weight` [num, dim]). Initialised from N(0, 1) as PyTorch does, the padding row (if any) zeroed;
 * that row gets no gradient, so it stays as loaded.
 */
import { type DType, DTypeError, type Generator, ShapeError, Tensor, embedding, globalGenerator, zeros } from '@tapegrad/core';
import { Module } from '../module.js';
import { moduleError } from '../module-context.js';
import { checkSize } from './sizes.js';
import { brand } from '../brand.js';

/** Options of `new Embedding(num, dim, options)`. */
export interface EmbeddingLayerOptions {
  /** A row that is zero at the start and gets no gradient; negative counts from the end (as in PyTorch). */
  readonly paddingIdx?: number;
  /** Parameter dtype (default float64). */
  readonly dtype?: DType;
  /** The generator the initial vectors are drawn from (default the global one). */
  readonly generator?: Generator;
}

/**
 * A lookup table of learned vectors: int32 indices of any shape -> [...indices.shape, dim].
 * @example
 * const emb = new Embedding(27, 16, { paddingIdx: 0 });
 * emb.forward(tensor([[1, 5, 0]], { dtype: 'int32' })).shape;   // [1, 3, 16]
 */
export class Embedding extends Module {
  static {
    brand(this, 'Embedding');
  }
  /** The table, shape [num, dim]. */
  readonly weight: Tensor;
  /** The padding row (non-negative), or null. */
  readonly paddingIdx: number | null;

  constructor(
    /** The number of rows (the vocabulary size). */
    readonly numEmbeddings: number,
    /** The size of each vector. */
    readonly embeddingDim: number,
    options: EmbeddingLayerOptions = {},
  ) {
    super();
    checkSize('Embedding', 'numEmbeddings', numEmbeddings);
    checkSize('Embedding', 'embeddingDim', embeddingDim);
    const p = options.paddingIdx;
    if (p !== undefined && !(Number.isInteger(p) && p >= -numEmbeddings && p < numEmbeddings))
      throw new ShapeError(`Embedding: paddingIdx must be an integer in [-${numEmbeddings}, ${numEmbeddings - 1}], got ${String(p)}`);
    this.paddingIdx = p === undefined ? null : p < 0 ? p + numEmbeddings : p;
    this.weight = zeros([numEmbeddings, embeddingDim], { dtype: options.dtype ?? 'float64', requiresGrad: true });
    const g = options.generator ?? globalGenerator;
    const d = this.weight.data;
    for (let i = 0; i < d.length; i++) d[i] = g.normal();
    if (this.paddingIdx !== null) d.fill(0, this.paddingIdx * embeddingDim, (this.paddingIdx + 1) * embeddingDim);
    this.weight.markMutated();
  }

  /** indices (int32, any shape) -> [...indices.shape, dim]. */
  forward(indices: Tensor): Tensor {
    if (!(indices instanceof Tensor) || indices.dtype !== 'int32')
      throw moduleError(
        DTypeError,
        this,
        `expected int32 indices, got ${indices instanceof Tensor ? `${indices.dtype} [${indices.shape.join(', ')}]` : typeof indices}`,
      );
    return embedding(indices, this.weight, this.paddingIdx === null ? {} : { paddingIdx: this.paddingIdx });
  }

  /** `27, 16, padding_idx=0`, as PyTorch prints it. */
  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, padding_idx=${this.paddingIdx}`}`;
  }
}
