/**
 * The character-level decoder-only transformer (GPT-style, in the spirit of makemore): token and position
 * embeddings added, a stack of causal pre-norm TransformerBlocks, a final LayerNorm and a Linear head giving the
 * logits of the next character at every position. State-dict names: tok_emb.weight, pos_emb.weight,
 * blocks.<i>.<TransformerEncoderLayer's names>, ln_f.*, head.*.
 */
import { type Generator, type Tensor, arange } from '@tapegrad/core';
import { Embedding, LayerNorm, Linear, Module, TransformerBlock } from '@tapegrad/nn';

/** The model's shape. */
export interface NameModelShape {
  /** Tokens: '.' and the characters. */
  readonly vocabSize: number;
  /** Positions (the longest name plus one). */
  readonly blockSize: number;
  /** Model width E. */
  readonly width: number;
  /** Attention heads per block. */
  readonly heads: number;
  /** Number of blocks. */
  readonly layers: number;
  /** Dropout in the blocks, in training. */
  readonly dropout: number;
}

/** tokens [B, T] (int32, T <= blockSize) -> logits [B, T, vocabSize]. */
export class NameTransformer extends Module {
  readonly tok_emb: Embedding;
  readonly pos_emb: Embedding;
  readonly blocks: TransformerBlock[];
  readonly ln_f: LayerNorm;
  readonly head: Linear;

  constructor(
    readonly shape: NameModelShape,
    /** Draws the initial weights, then (reseeded by the trainer each epoch) the dropout masks. */
    generator: Generator,
  ) {
    super();
    const { vocabSize, blockSize, width, heads, layers, dropout } = shape;
    const dtype = 'float32';
    this.tok_emb = new Embedding(vocabSize, width, { dtype, generator });
    this.pos_emb = new Embedding(blockSize, width, { dtype, generator });
    this.blocks = Array.from(
      { length: layers },
      () => new TransformerBlock(width, heads, { dimFeedforward: 4 * width, activation: 'gelu', dropout, causal: true, dtype, generator }),
    );
    this.ln_f = new LayerNorm(width, { dtype });
    this.head = new Linear(width, vocabSize, { dtype, generator });
  }

  forward(tokens: Tensor): Tensor {
    const T = tokens.shape[1];
    let x = this.tok_emb.forward(tokens).add(this.pos_emb.forward(arange(0, T, 1, { dtype: 'int32' })));
    for (const block of this.blocks) x = block.forward(x);
    return this.head.forward(this.ln_f.forward(x));
  }
}
