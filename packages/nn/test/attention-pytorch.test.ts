// Replays attention.json: MultiheadAttention (cross-attention with a key-padding mask and a float mask; causal
// self-attention without biases) and TransformerBlock (= TransformerEncoderLayer(norm_first=True, batch_first=True),
// gelu and relu, causal) with PyTorch 1.13's weights loaded through loadStateDict, compared output and gradient
// (of every input and parameter, under a random upstream gradient) in float64 and float32.
// pytorch/attention.py produced the file; rerun it to add cases.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DType, Tensor, tensor } from '@tapegrad/core';
import { type Module, MultiheadAttention, type StateDict, TransformerBlock } from '@tapegrad/nn';

interface Flat {
  readonly shape: number[];
  readonly data: number[];
}
interface Case {
  readonly name: string;
  readonly module: 'mha' | 'block';
  readonly embed: number;
  readonly heads: number;
  readonly bias: boolean;
  readonly causal: boolean;
  readonly activation?: 'gelu' | 'relu';
  readonly dim_feedforward?: number;
  readonly key_padding_mask?: number[][];
  readonly attn_mask?: Flat;
  readonly state: Record<string, Flat>;
  readonly inputs: Flat[];
  readonly dout: Flat;
  readonly out: Flat;
  readonly input_grads: number[][];
  readonly param_grads: Record<string, number[]>;
}

const { cases } = JSON.parse(readFileSync(join(__dirname, 'pytorch', 'attention.json'), 'utf8')) as { cases: Case[] };
const make = (f: Flat, dtype: DType, requiresGrad = false) => tensor(f.data, { shape: f.shape, dtype, requiresGrad });

function build(c: Case, dtype: DType): { module: Module; call: (inputs: Tensor[]) => Tensor } {
  if (c.module === 'block') {
    const block = new TransformerBlock(c.embed, c.heads, {
      dimFeedforward: c.dim_feedforward,
      activation: c.activation,
      dropout: 0,
      causal: true,
      dtype,
    });
    return { module: block, call: ([x]) => block.forward(x) };
  }
  const mha = new MultiheadAttention(c.embed, c.heads, { bias: c.bias, dtype });
  const options = {
    causal: c.causal,
    ...(c.key_padding_mask && { keyPaddingMask: tensor(c.key_padding_mask, { dtype: 'int32' }) }),
    ...(c.attn_mask && { attnMask: make(c.attn_mask, dtype) }),
  };
  return { module: mha, call: ([q, k = q, v = k]) => mha.forward(q, k, v, options) };
}

describe.each(['float64', 'float32'] as const)('PyTorch 1.13 attention references in %s', (dtype) => {
  const tol = dtype === 'float64' ? { rtol: 1e-9, atol: 1e-11 } : { rtol: 1e-4, atol: 1e-5 };
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { module, call } = build(c, dtype);
    const state: StateDict = Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, make(v, dtype)]));
    expect(Object.keys(module.stateDict()).sort()).toEqual(Object.keys(state).sort());
    module.loadStateDict(state);
    const inputs = c.inputs.map((f) => make(f, dtype, true));
    const out = call(inputs);
    expect(out.shape).toEqual(c.out.shape);
    expect(out).toBeAllClose(make(c.out, dtype), tol);
    out.backward(make(c.dout, dtype));
    inputs.forEach((x, i) => expect(x.grad!).toBeAllClose(tensor(c.input_grads[i], { shape: x.shape, dtype }), tol));
    for (const [name, p] of module.namedParameters()) expect([name, p.grad]).toEqual([name, expect.any(Tensor)]);
    for (const [name, p] of module.namedParameters())
      expect(p.grad!).toBeAllClose(tensor(c.param_grads[name], { shape: p.shape, dtype }), tol);
  });
});
