/**
 * W6's inputs and starting weights: one pre-norm transformer block (PyTorch's TransformerEncoderLayer with
 * norm_first=True, batch_first=True; exact GELU, no dropout), causal, on batch 8, sequence 128, width 128, 4 heads,
 * feed-forward width 512. The weights are in PyTorch's layouts and names, seeded here in plain JavaScript so every
 * peer starts from the same float32 values. One iteration: forward, loss = mean(out^2), backward to the input and
 * every weight.
 */
import { type HostArray, seededUniform } from './data.js';

export const W6 = { batch: 8, length: 128, width: 128, heads: 4, feedforward: 512, eps: 1e-5 } as const;

export interface BlockData {
  readonly x: HostArray;
  /** The block's weights by PyTorch's state-dict names. */
  readonly weights: Readonly<Record<string, HostArray>>;
}

/** Seeded U(-bound, bound) weights at PyTorch's initial scales, and layer-norm weights and biases near 1 and 0. */
export function blockData(): BlockData {
  const next = seededUniform(6);
  const { batch, length, width: E, feedforward: F } = W6;
  const uniform = (shape: number[], bound: number, centre = 0): HostArray => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = centre + bound * (2 * next() - 1);
    return { data, shape };
  };
  return {
    x: uniform([batch, length, E], 1),
    weights: {
      'self_attn.in_proj_weight': uniform([3 * E, E], Math.sqrt(6 / (4 * E))),
      'self_attn.in_proj_bias': uniform([3 * E], 0.1),
      'self_attn.out_proj.weight': uniform([E, E], 1 / Math.sqrt(E)),
      'self_attn.out_proj.bias': uniform([E], 0.1),
      'linear1.weight': uniform([F, E], 1 / Math.sqrt(E)),
      'linear1.bias': uniform([F], 1 / Math.sqrt(E)),
      'linear2.weight': uniform([E, F], 1 / Math.sqrt(F)),
      'linear2.bias': uniform([E], 1 / Math.sqrt(F)),
      'norm1.weight': uniform([E], 0.1, 1),
      'norm1.bias': uniform([E], 0.1),
      'norm2.weight': uniform([E], 0.1, 1),
      'norm2.bias': uniform([E], 0.1),
    },
  };
}
