/**
 * MultiheadAttention, PyTorch's `nn.MultiheadAttention(E, heads, batch_first=True)`: the query, key and value are
 * projected by the three row blocks of `in_proj_weight` [3E, E] (plus `in_proj_bias`), split into `heads` heads of
 * E / heads features, attended with softmax(q k^T / sqrt(E / heads) + mask) v in each head, joined again and
 * projected by `out_proj`. The attention itself is core's fused `scaledDotProductAttention` (one attention-matrix
 * block at a time); only with attention dropout in training is the probability matrix materialised, since the
 * dropout mask has to act on it.
 */
import {
  type DType,
  DTypeError,
  type Generator,
  ShapeError,
  Tensor,
  TapegradError,
  noGrad,
  scaledDotProductAttention,
  zeros as zerosTensor,
} from '@tapegrad/core';
import { Module } from '../module.js';
import { moduleError } from '../module-context.js';
import { dropout } from './dropout.js';
import { Linear } from './linear.js';
import { checkSize } from './sizes.js';
import { xavierUniform, zeros } from '../init.js';
import { brand } from '../brand.js';

/** Options of `new MultiheadAttention(embedDim, numHeads, options)`. */
export interface MultiheadAttentionOptions {
  /** Biases on the input and output projections (default true). */
  readonly bias?: boolean;
  /** Dropout probability on the attention weights, in training only (default 0, PyTorch's). */
  readonly dropout?: number;
  /** Parameter dtype (default float64; use float32 for speed). */
  readonly dtype?: DType;
  /** The generator for the initial weights and the dropout masks; default the global one. */
  readonly generator?: Generator;
}

/**
 * Options of one MultiheadAttention call. Masks follow `nn.MultiheadAttention`: a nonzero int32 entry hides a key
 * (PyTorch's boolean True), a float entry is added to the scores (use -Infinity to hide). Neither gets a gradient.
 */
export interface MultiheadAttentionCallOptions {
  /** Query i attends only to keys j <= i (a causal, decoder-style mask). Default false. */
  readonly causal?: boolean;
  /** [L, S], or [B * heads, L, S] (one per batch element and head, PyTorch's layout). */
  readonly attnMask?: Tensor;
  /** Shape [B, S], the keys of batch element b to ignore (padding). */
  readonly keyPaddingMask?: Tensor;
}

/**
 * Multi-head attention over batch-first inputs: query [B, L, E], key [B, S, E], value [B, S, E] -> [B, L, E].
 * State-dict names and layouts are PyTorch's (`in_proj_weight`, `in_proj_bias`, `out_proj.weight`, `out_proj.bias`),
 * and so is the initialisation: Xavier-uniform `in_proj_weight`, zero biases, `out_proj.weight` as a Linear's.
 * @example
 * const attention = new MultiheadAttention(64, 4, { dtype: 'float32' });
 * const x = randn([2, 10, 64], { dtype: 'float32' });
 * attention.forward(x, x, x, { causal: true }).shape;   // [2, 10, 64]
 */
export class MultiheadAttention extends Module {
  static {
    brand(this, 'MultiheadAttention');
  }
  /** The query, key and value projections stacked by rows: [3E, E]. */
  readonly in_proj_weight: Tensor;
  /** Their biases [3E], or null when built with `bias: false`. */
  readonly in_proj_bias: Tensor | null;
  /** The output projection, E -> E. */
  readonly out_proj: Linear;
  /** Features per head, E / heads. */
  readonly headDim: number;
  /** Dropout probability on the attention weights in training. */
  readonly dropout: number;
  private readonly _generator: Generator | undefined;

  constructor(
    /** Model width E (the last axis of query, key and value). */
    readonly embedDim: number,
    /** Number of heads; must divide E. */
    readonly numHeads: number,
    options: MultiheadAttentionOptions = {},
  ) {
    super();
    checkSize('MultiheadAttention', 'embedDim', embedDim);
    checkSize('MultiheadAttention', 'numHeads', numHeads);
    if (embedDim % numHeads !== 0)
      throw new ShapeError(`MultiheadAttention: embedDim ${embedDim} is not divisible by numHeads ${numHeads}`);
    const p = options.dropout ?? 0;
    if (!(typeof p === 'number' && p >= 0 && p < 1))
      throw new TapegradError(`MultiheadAttention: dropout must be in [0, 1), got ${String(p)}`);
    this.headDim = embedDim / numHeads;
    this.dropout = p;
    this._generator = options.generator;
    const dtype = options.dtype ?? 'float64';
    const bias = options.bias ?? true;
    this.in_proj_weight = xavierUniform(zerosTensor([3 * embedDim, embedDim], { dtype, requiresGrad: true }), {
      generator: this._generator,
    });
    this.in_proj_bias = bias ? zerosTensor([3 * embedDim], { dtype, requiresGrad: true }) : null;
    this.out_proj = new Linear(embedDim, embedDim, { bias, dtype, generator: this._generator });
    if (this.out_proj.bias) zeros(this.out_proj.bias);
  }

  /**
   * query [B, L, E], key [B, S, E], value [B, S, E] -> [B, L, E]. The key defaults to the query and the value to the
   * key, so `forward(x)` is self-attention (what ONNX export writes).
   */
  forward(query: Tensor, key: Tensor = query, value: Tensor = key, options: MultiheadAttentionCallOptions = {}): Tensor {
    const [B, L, S] = this.checkInputs(query, key, value);
    const E = this.embedDim;
    const heads = (x: Tensor, block: number, length: number): Tensor => {
      const w = this.in_proj_weight.slice([block * E, 0], [E, E]);
      let y = x.matmul(w, { transposeB: true });
      if (this.in_proj_bias) y = y.add(this.in_proj_bias.slice([block * E], [E]));
      return y.reshape([B, length, this.numHeads, this.headDim]).transpose([0, 2, 1, 3]);
    };
    const q = heads(query, 0, L);
    const k = heads(key, 1, S);
    const v = heads(value, 2, S);
    const mask = this.scoreMask(options, B, L, S, query.dtype);
    const causal = options.causal ?? false;
    if (typeof causal !== 'boolean') throw moduleError(DTypeError, this, `causal must be true or false, got ${String(causal)}`);
    const attended =
      this.training && this.dropout > 0
        ? this.attendWithDropout(q, k, v, mask, causal)
        : scaledDotProductAttention(q, k, v, mask === null ? { causal } : { causal, mask });
    return this.out_proj.forward(attended.transpose([0, 2, 1, 3]).reshape([B, L, E]));
  }

  /** `embed_dim=64, num_heads=4, dropout=0, bias=true`. */
  override extraRepr(): string {
    return `embed_dim=${this.embedDim}, num_heads=${this.numHeads}, dropout=${this.dropout}, bias=${this.in_proj_bias !== null}`;
  }

  /** The composite softmax(q k^T / sqrt(d) + mask), dropped out, times v: what training with attention dropout needs. */
  private attendWithDropout(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, causal: boolean): Tensor {
    const [L, S] = [q.shape[2], k.shape[2]];
    let scores = q.matmul(k, { transposeB: true }).mul(1 / Math.sqrt(this.headDim));
    if (mask !== null) scores = scores.add(mask);
    if (causal) scores = scores.add(causalMask(L, S, q.dtype));
    return dropout(scores.softmax(-1), this.dropout, this._generator).matmul(v);
  }

  /** The masks of a call as one additive mask broadcasting to [B, heads, L, S] (-Infinity where hidden), or null. */
  private scoreMask(options: MultiheadAttentionCallOptions, B: number, L: number, S: number, dtype: DType): Tensor | null {
    const { attnMask, keyPaddingMask } = options;
    const parts: Tensor[] = [];
    if (attnMask !== undefined) {
      const m = this.checkMask('attnMask', attnMask, dtype);
      const perHead = [B * this.numHeads, L, S];
      if (m.rank === 2 && m.shape[0] === L && m.shape[1] === S) parts.push(additive(m, dtype));
      else if (m.rank === 3 && m.shape.every((d, i) => d === perHead[i])) parts.push(additive(m, dtype).reshape([B, this.numHeads, L, S]));
      else throw moduleError(ShapeError, this, `attnMask must be [${L}, ${S}] or [${perHead.join(', ')}], got [${m.shape.join(', ')}]`);
    }
    if (keyPaddingMask !== undefined) {
      const m = this.checkMask('keyPaddingMask', keyPaddingMask, dtype);
      if (m.rank !== 2 || m.shape[0] !== B || m.shape[1] !== S)
        throw moduleError(ShapeError, this, `keyPaddingMask must be [${B}, ${S}] (batch, keys), got [${m.shape.join(', ')}]`);
      parts.push(additive(m, dtype).reshape([B, 1, 1, S]));
    }
    if (parts.length === 0) return null;
    return noGrad(() => parts.reduce((a, b) => a.add(b)));
  }

  private checkMask(name: string, m: Tensor, dtype: DType): Tensor {
    if (!(m instanceof Tensor)) throw moduleError(DTypeError, this, `${name} must be a Tensor, got ${typeof m}`);
    if (m.dtype !== 'int32' && m.dtype !== dtype)
      throw moduleError(DTypeError, this, `${name} must be int32 (nonzero hides) or ${dtype} (added to the scores), got ${m.dtype}`);
    return m;
  }

  private checkInputs(query: Tensor, key: Tensor, value: Tensor): [number, number, number] {
    const E = this.embedDim;
    const dtype = this.in_proj_weight.dtype;
    const inputs = { query, key, value };
    for (const [name, t] of Object.entries(inputs)) {
      if (!(t instanceof Tensor)) throw moduleError(DTypeError, this, `${name} must be a Tensor [batch, length, ${E}], got ${typeof t}`);
      if (t.rank !== 3 || t.shape[2] !== E)
        throw moduleError(ShapeError, this, `${name} must be [batch, length, ${E}] (batch first), got [${t.shape.join(', ')}]`);
      if (t.dtype !== dtype) throw moduleError(DTypeError, this, `${name} is ${t.dtype}, the parameters are ${dtype}; they must match`);
    }
    const shapes = `query [${query.shape.join(', ')}], key [${key.shape.join(', ')}], value [${value.shape.join(', ')}]`;
    if (key.shape[0] !== query.shape[0] || value.shape[0] !== query.shape[0])
      throw moduleError(ShapeError, this, `query, key and value must have the same batch size; got ${shapes}`);
    if (value.shape[1] !== key.shape[1]) throw moduleError(ShapeError, this, `key and value must have the same length; got ${shapes}`);
    return [query.shape[0], query.shape[1], key.shape[1]];
  }
}

/** A mask as scores to add: int32 nonzero -> -Infinity, zero -> 0; a float mask as it is. */
function additive(m: Tensor, dtype: DType): Tensor {
  if (m.dtype !== 'int32') return m.detach();
  const out = zerosTensor(m.shape, { dtype });
  const src = m.data;
  const dst = out.data;
  for (let i = 0; i < src.length; i++) if (src[i] !== 0) dst[i] = -Infinity;
  return out;
}

/** [L, S] with -Infinity above the diagonal (key j > query i). */
function causalMask(L: number, S: number, dtype: DType): Tensor {
  const out = zerosTensor([L, S], { dtype });
  const d = out.data;
  for (let i = 0; i < L; i++) for (let j = i + 1; j < S; j++) d[i * S + j] = -Infinity;
  return out;
}
