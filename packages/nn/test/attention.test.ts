// MultiheadAttention and TransformerBlock: hand computations on tiny cases (identity projections, where the
// attention is softmax(x x^T / sqrt(d)) x), gradchecks in float64 of every input and parameter, the dropout path,
// masks, PyTorch's initialisation and the errors. attention-pytorch.test.ts compares both with PyTorch itself.
import { DTypeError, Generator, ShapeError, type Tensor, TapegradError, eye, randn, tensor, zeros } from '@tapegrad/core';
import { checkLayer } from '@tapegrad/gradcheck';
import { type Module, MultiheadAttention, TransformerBlock } from '@tapegrad/nn';

const g = (seed = 5) => new Generator(seed);
const sigma = (a: number) => 1 / (1 + Math.exp(-a));

/** A MultiheadAttention whose three input projections and output projection are the identity, biases zero. */
function identityAttention(E: number, heads: number): MultiheadAttention {
  const mha = new MultiheadAttention(E, heads);
  const I = eye(E);
  mha.loadStateDict({
    in_proj_weight: I.reshape([1, E, E])
      .broadcastTo([3, E, E])
      .reshape([3 * E, E]),
    in_proj_bias: zeros([3 * E]),
    'out_proj.weight': I,
    'out_proj.bias': zeros([E]),
  });
  return mha;
}

/**
 * A module call as checkLayer's textbook layer: backward reruns the call with a graph and returns each input's
 * gradient; every parameter is exposed under its state-dict name, its gradient as `d_<name>`.
 */
function asLayer(module: Module, call: (...inputs: Tensor[]) => Tensor) {
  let inputs: Tensor[] = [];
  const layer: Record<string, unknown> & { forward(...xs: Tensor[]): Tensor; backward(dout: Tensor): Tensor[] } = {
    ...Object.fromEntries(module.namedParameters()),
    forward(...xs: Tensor[]) {
      inputs = xs;
      return call(...xs);
    },
    backward(dout: Tensor) {
      module.zeroGrad();
      const xs = inputs.map((x) => x.detach().clone().setRequiresGrad(true));
      call(...xs).backward(dout);
      for (const [name, p] of module.namedParameters()) layer[`d_${name}`] = p.grad;
      return xs.map((x) => x.grad!);
    },
  };
  const params = Object.fromEntries(module.namedParameters().map(([name]) => [name, `d_${name}`]));
  return { layer, params };
}

describe('MultiheadAttention', () => {
  const x = tensor([
    [
      [1, 0],
      [0, 1],
    ],
  ]); // [B=1, L=2, E=2]

  it('is softmax(x x^T / sqrt(E)) x with identity projections and one head', () => {
    const a = sigma(1 / Math.SQRT2); // row i: softmax([x_i . x_0, x_i . x_1] / sqrt 2)
    expect(identityAttention(2, 1).forward(x, x, x)).toBeAllClose(
      [
        [
          [a, 1 - a],
          [1 - a, a],
        ],
      ],
      { atol: 1e-15 },
    );
    // Causal: query 0 sees only key 0.
    expect(identityAttention(2, 1).forward(x, x, x, { causal: true })).toBeAllClose(
      [
        [
          [1, 0],
          [1 - a, a],
        ],
      ],
      { atol: 1e-15 },
    );
    // forward(x) is self-attention.
    expect(identityAttention(2, 1).forward(x)).toBeAllClose(identityAttention(2, 1).forward(x, x, x), { atol: 0 });
  });

  it('splits E into heads: with two heads of one feature, each feature attends on its own scores', () => {
    // Head h sees feature h: scores x_ih x_jh (scale 1/sqrt(1)). Head 0 at query 0: softmax([1, 0]) over values [1, 0].
    const s = sigma(1);
    expect(identityAttention(2, 2).forward(x, x, x)).toBeAllClose(
      [
        [
          [s, 0.5],
          [0.5, s],
        ],
      ],
      { atol: 1e-15 },
    );
  });

  it('hides the keys that keyPaddingMask marks (int32 nonzero) and adds a float attnMask, as PyTorch does', () => {
    const mha = new MultiheadAttention(4, 2, { generator: g() });
    const q = randn([2, 3, 4], { generator: g(1) });
    const kv = randn([2, 5, 4], { generator: g(2) });
    const padding = tensor(
      [
        [0, 0, 0, 0, 0],
        [0, 0, 0, 1, 1],
      ],
      { dtype: 'int32' },
    );
    const masked = mha.forward(q, kv, kv, { keyPaddingMask: padding });
    // Batch element 1 without its last two keys gives the same as if they were not there.
    const shorter = mha.forward(q.slice([1], [1]), kv.slice([1, 0], [1, 3]), kv.slice([1, 0], [1, 3]));
    expect(masked.slice([1], [1])).toBeAllClose(shorter, { atol: 1e-14 });
    expect(masked.slice([0], [1])).toBeAllClose(mha.forward(q, kv, kv).slice([0], [1]), { atol: 1e-14 });
    // The same mask as -Infinity scores per head ([B * heads, L, S]) agrees.
    const hidden = zeros([2, 2, 3, 5]);
    for (const h of [0, 1]) for (let i = 0; i < 3; i++) for (const j of [3, 4]) hidden.data[((2 + h) * 3 + i) * 5 + j] = -Infinity;
    expect(mha.forward(q, kv, kv, { attnMask: hidden.reshape([4, 3, 5]) })).toBeAllClose(masked, { atol: 1e-14 });
  });

  it('passes gradcheck for query, key, value and every parameter (float64, masks and biases on)', () => {
    const mha = new MultiheadAttention(4, 2, { generator: g() });
    for (const p of [mha.in_proj_bias!, mha.out_proj.bias!]) p.data.set(randn(p.shape, { generator: g(9) }).data);
    const [q, k, v] = [1, 2, 3].map((s) => randn([2, 3, 4], { generator: g(s), requiresGrad: true }));
    const attnMask = randn([3, 3], { generator: g(4) });
    const keyPaddingMask = tensor(
      [
        [0, 0, 0],
        [1, 0, 0],
      ],
      { dtype: 'int32' },
    );
    expect((a: Tensor, b: Tensor, c: Tensor) => mha.forward(a, b, c, { attnMask, keyPaddingMask, causal: true })).toPassGradcheck([
      q,
      k,
      v,
      ...mha.parameters(),
    ]);
  });

  it('passes checkLayer (central differences in float64, random upstream gradient) for q, k, v and every parameter', () => {
    const mha = new MultiheadAttention(4, 2, { generator: g(6) });
    const { layer, params } = asLayer(mha, (q, k, v) => mha.forward(q, k, v, { causal: true }));
    const inputs = [1, 2, 3].map((s) => randn([2, 3, 4], { generator: g(s) }));
    const report = checkLayer(layer, inputs, randn([2, 3, 4], { generator: g(8) }), { params });
    expect(report.ok).toBe(true);
  });

  it('drops attention weights in training only; the dropout path computes the same attention as the fused one', () => {
    const x3 = randn([2, 4, 4], { generator: g(1) });
    const plain = new MultiheadAttention(4, 2, { generator: g() });
    const keepAll = new MultiheadAttention(4, 2, { generator: g(), dropout: 1e-300 }); // composite path, nothing dropped
    const options = {
      causal: true,
      keyPaddingMask: tensor(
        [
          [0, 0, 0, 1],
          [0, 0, 0, 0],
        ],
        { dtype: 'int32' },
      ),
    };
    expect(keepAll.forward(x3, x3, x3, options)).toBeAllClose(plain.forward(x3, x3, x3, options), { atol: 1e-14 });
    const dropping = new MultiheadAttention(4, 2, { generator: g(), dropout: 0.5 });
    expect(dropping.forward(x3, x3, x3)).not.toBeAllClose(plain.forward(x3, x3, x3), { atol: 1e-6 });
    expect(dropping.eval().forward(x3, x3, x3)).toBeAllClose(plain.forward(x3, x3, x3), { atol: 0 });
  });

  it("initialises as PyTorch: Xavier-uniform in_proj_weight, zero biases, out_proj.weight as a Linear's", () => {
    const E = 64;
    const mha = new MultiheadAttention(E, 4, { generator: g() });
    const maxAbs = (t: Tensor) => Math.max(...Array.from(t.data, Math.abs));
    expect(maxAbs(mha.in_proj_weight)).toBeLessThanOrEqual(Math.sqrt(6 / (E + 3 * E)));
    expect(maxAbs(mha.in_proj_weight)).toBeGreaterThan(0.95 * Math.sqrt(6 / (E + 3 * E)));
    expect(maxAbs(mha.out_proj.weight)).toBeLessThanOrEqual(1 / Math.sqrt(E));
    expect(maxAbs(mha.out_proj.weight)).toBeGreaterThan(0.95 / Math.sqrt(E));
    expect(maxAbs(mha.in_proj_bias!)).toBe(0);
    expect(maxAbs(mha.out_proj.bias!)).toBe(0);
    expect(Object.keys(new MultiheadAttention(8, 2, { bias: false }).stateDict())).toEqual(['in_proj_weight', 'out_proj.weight']);
  });

  it('names the module and the fault in its errors', () => {
    expect(() => new MultiheadAttention(6, 4)).toThrow(new ShapeError('MultiheadAttention: embedDim 6 is not divisible by numHeads 4'));
    expect(() => new MultiheadAttention(4, 2, { dropout: 1 })).toThrow(TapegradError);
    const mha = new MultiheadAttention(4, 2);
    const q = zeros([2, 3, 4]);
    expect(() => mha.forward(zeros([3, 4]), q, q)).toThrow(/query must be \[batch, length, 4\] \(batch first\), got \[3, 4\]/);
    expect(() => mha.forward(q, zeros([2, 5, 4]), q)).toThrow(/key and value must have the same length/);
    expect(() => mha.forward(q, zeros([1, 3, 4]), zeros([1, 3, 4]))).toThrow(/same batch size/);
    expect(() => mha.forward(q, q, q, { attnMask: zeros([3, 4]) })).toThrow(/attnMask must be \[3, 3\] or \[4, 3, 3\], got \[3, 4\]/);
    expect(() => mha.forward(q, q, q, { keyPaddingMask: zeros([3, 2], { dtype: 'int32' }) })).toThrow(/keyPaddingMask must be \[2, 3\]/);
    expect(() => mha.forward(q, q, q, { attnMask: zeros([3, 3], { dtype: 'float32' }) })).toThrow(DTypeError);
    expect(() => mha.forward(q.cast('float32'), q, q)).toThrow(/query is float32, the parameters are float64/);
  });
});

describe('TransformerBlock', () => {
  it("has PyTorch's TransformerEncoderLayer state-dict names", () => {
    const block = new TransformerBlock(8, 2, { dimFeedforward: 16 });
    expect(Object.keys(block.stateDict()).sort()).toEqual(
      [
        'self_attn.in_proj_weight',
        'self_attn.in_proj_bias',
        'self_attn.out_proj.weight',
        'self_attn.out_proj.bias',
        'linear1.weight',
        'linear1.bias',
        'linear2.weight',
        'linear2.bias',
        'norm1.weight',
        'norm1.bias',
        'norm2.weight',
        'norm2.bias',
      ].sort(),
    );
    expect(block.linear1.weight.shape).toEqual([16, 8]);
  });

  it('is x + attention(norm1(x)), then + linear2(relu(linear1(norm2(.)))): zero sublayers leave x unchanged', () => {
    const block = new TransformerBlock(4, 2, { dimFeedforward: 6, dropout: 0 });
    for (const p of [block.self_attn.out_proj.weight, block.linear2.weight]) p.data.fill(0);
    const x = randn([2, 3, 4], { generator: g(1) });
    // out_proj and linear2 are zero, so each residual branch adds only its bias: out_proj.bias (0) and linear2.bias.
    const expected = x.add(block.linear2.bias!);
    expect(block.forward(x)).toBeAllClose(expected, { atol: 1e-15 });
  });

  it.each(['relu', 'gelu'] as const)('passes gradcheck for its input and every parameter (%s, causal)', (activation) => {
    const block = new TransformerBlock(4, 2, { dimFeedforward: 6, activation, dropout: 0, causal: true, generator: g() });
    for (const p of [block.norm1.weight!, block.norm2.weight!]) p.data.set(randn([4], { generator: g(7) }).data);
    const x = randn([2, 3, 4], { generator: g(1), requiresGrad: true });
    expect((a: Tensor) => block.forward(a)).toPassGradcheck([x, ...block.parameters()]);
  });

  it('passes checkLayer for its input and all twelve parameters (gelu, causal, random upstream gradient)', () => {
    const block = new TransformerBlock(4, 2, { dimFeedforward: 6, activation: 'gelu', dropout: 0, causal: true, generator: g(2) });
    const { layer, params } = asLayer(block, (x) => block.forward(x));
    expect(Object.keys(params)).toHaveLength(12);
    const report = checkLayer(layer, [randn([2, 3, 4], { generator: g(3) })], randn([2, 3, 4], { generator: g(4) }), { params });
    expect(report.ok).toBe(true);
  });

  it('is causal when built so: a later position does not change an earlier output', () => {
    const block = new TransformerBlock(4, 2, { dimFeedforward: 6, dropout: 0, causal: true, generator: g() });
    const x = randn([1, 4, 4], { generator: g(1) });
    const changed = x.clone();
    changed.data.fill(9, 12, 16); // the last position
    expect(block.forward(changed).slice([0, 0], [1, 3])).toBeAllClose(block.forward(x).slice([0, 0], [1, 3]), { atol: 1e-14 });
  });

  it('rejects an unknown activation', () => {
    expect(() => new TransformerBlock(4, 2, { activation: 'tanh' as 'relu' })).toThrow(/activation must be 'relu' or 'gelu', got tanh/);
  });
});
