// scaledDotProductAttention: the fused op against its composite softmax(c q k^T + mask) v in values and in the
// gradients of q, k and v (plain, causal with L = S, L < S and L > S, boolean and additive masks, a custom scale,
// broadcast batch axes and masks, float32), with blocks of one row and of a few rows; against TF.js (attention
// written in TF.js ops); gradcheck and gradgradcheck; rows that see no key; typed errors.
import * as tf from '@tensorflow/tfjs';
import type { AttentionOptions, Tensor } from '@tapegrad/core';
import { DTypeError, GradError, ShapeError, TapegradError, randn, scaledDotProductAttention, tensor, where } from '@tapegrad/core';
import { attentionLimits } from '../ndarray/kernels/attention';
import { describeOp } from '../../test/op-cases';
import { expectGradients, uniform } from '../../test/op-harness';
import { expectSameAsTf, useTfCpu } from '../../test/tfjs-oracle';

describeOp('scaledDotProductAttention');

beforeAll(useTfCpu);

/** The composite in other ops: the fused op's oracle. */
function composite(q: Tensor, k: Tensor, v: Tensor, o: AttentionOptions): Tensor {
  const [L, D] = q.shape.slice(-2);
  const S = k.shape[k.rank - 2];
  let s = q.matmul(k, { transposeB: true }).mul(o.scale ?? 1 / Math.sqrt(D));
  const hide = (keep: Tensor) => where(keep, s, tensor(-Infinity, { dtype: s.dtype }));
  if (o.mask) s = o.mask.dtype === 'int32' ? hide(o.mask) : s.add(o.mask);
  if (o.causal)
    s = hide(
      tensor(
        Array.from({ length: L }, (_, i) => Array.from({ length: S }, (_, j) => (j <= i ? 1 : 0))),
        { dtype: 'int32' },
      ),
    );
  return s.softmax(-1).matmul(v);
}

const boolMask = (shape: number[], seed: number) =>
  tensor(
    Array.from(uniform(shape, 0, 1, { seed, requiresGrad: false }).data, (u) => (u < 0.3 ? 0 : 1)),
    { shape, dtype: 'int32' },
  );

type Case = [string, number[], number[], number[], AttentionOptions];
const CASES: Case[] = [
  ['plain', [2, 5, 4], [2, 6, 4], [2, 6, 3], {}],
  ['causal, L = S', [2, 3, 6, 4], [2, 3, 6, 4], [2, 3, 6, 5], { causal: true }],
  ['causal, L < S', [1, 4, 3], [1, 7, 3], [1, 7, 2], { causal: true }],
  ['causal, L > S', [1, 7, 3], [1, 4, 3], [1, 4, 2], { causal: true }],
  ['a boolean mask over batch and keys [2, 1, 6]', [2, 5, 4], [2, 6, 4], [2, 6, 3], { mask: boolMask([2, 1, 6], 1) }],
  [
    'an additive mask [5, 6] with causality',
    [2, 5, 4],
    [2, 6, 4],
    [2, 6, 3],
    { mask: uniform([5, 6], -2, 2, { seed: 2, requiresGrad: false }), causal: true },
  ],
  ['a custom scale', [3, 4, 2], [3, 4, 2], [3, 4, 4], { scale: 1.7 }],
  ['keys and values shared by every head (broadcast batch)', [2, 3, 4, 5], [2, 1, 6, 5], [1, 1, 6, 3], {}],
  ['one query, no batch axes', [1, 4], [5, 4], [5, 2], {}],
];

describe('scaledDotProductAttention against its composite', () => {
  const run = (f: typeof composite, shapes: number[][], o: AttentionOptions) => {
    const [q, k, v] = shapes.map((s, i) => uniform(s, -1.5, 1.5, { seed: 10 + i }));
    const y = f(q, k, v, o);
    y.backward(uniform(y.shape, -1, 1, { seed: 20, requiresGrad: false }));
    return [y, q.grad!, k.grad!, v.grad!].map((t) => Array.from(t.data));
  };
  const fused = (q: Tensor, k: Tensor, v: Tensor, o: AttentionOptions) => scaledDotProductAttention(q, k, v, o);

  it.each(CASES)('%s: values and the gradients of q, k and v', (_name, qs, ks, vs, o) => {
    const expected = run(composite, [qs, ks, vs], o);
    run(fused, [qs, ks, vs], o).forEach((values, i) => expect(values).toBeAllClose(expected[i], { rtol: 1e-12, atol: 1e-13 }));
  });

  it.each([1, 7])('gives the same with blocks of %d score(s) (one query row per block, or two)', (elements) => {
    const saved = attentionLimits.blockElements;
    for (const [, qs, ks, vs, o] of CASES.slice(1, 6)) {
      const whole = run(fused, [qs, ks, vs], o);
      attentionLimits.blockElements = elements;
      try {
        run(fused, [qs, ks, vs], o).forEach((values, i) => expect(values).toBeAllClose(whole[i], { rtol: 1e-13, atol: 1e-14 }));
      } finally {
        attentionLimits.blockElements = saved;
      }
    }
  });

  it('passes gradcheck and gradgradcheck with a mask, causality and broadcast keys', () => {
    const mask = boolMask([1, 3, 4], 3);
    mask.data[0] = 1;
    expectGradients(
      (q, k, v) => scaledDotProductAttention(q, k, v, { causal: true, mask }),
      [uniform([2, 3, 2], -1, 1, { seed: 4 }), uniform([4, 2], -1, 1, { seed: 5 }), uniform([2, 4, 3], -1, 1, { seed: 6 })],
      { secondOrder: true },
    );
  });

  it('gives 0 for a query that sees no key, and passes it no gradient', () => {
    const q = uniform([3, 2], -1, 1, { seed: 7 });
    const k = uniform([2, 2], -1, 1, { seed: 8 });
    const v = uniform([2, 2], -1, 1, { seed: 9 });
    const mask = tensor(
      [
        [1, 1],
        [0, 0],
        [0, 1],
      ],
      { dtype: 'int32' },
    );
    const y = scaledDotProductAttention(q, k, v, { mask });
    expect(Array.from(y.data.slice(2, 4))).toEqual([0, 0]);
    y.backward(
      tensor([
        [1, 1],
        [1, 1],
        [1, 1],
      ]),
    );
    expect(Array.from(q.grad!.data.slice(2, 4))).toEqual([0, 0]);
    expect(Array.from(y.data).every(Number.isFinite)).toBe(true);
  });

  it('keeps float32 in float32, close to the float64 result', () => {
    const [q, k, v] = [
      [2, 4, 8],
      [2, 6, 8],
      [2, 6, 8],
    ].map((s, i) => uniform(s, -1, 1, { seed: 30 + i, dtype: 'float32' }));
    const y = scaledDotProductAttention(q, k, v, { causal: true });
    expect(y.dtype).toBe('float32');
    const y64 = scaledDotProductAttention(q.cast('float64'), k.cast('float64'), v.cast('float64'), { causal: true });
    expect(Array.from(y.data)).toBeAllClose(Array.from(y64.data), { rtol: 1e-5, atol: 1e-6 });
  });
});

describe('scaledDotProductAttention against TF.js (attention in TF.js ops)', () => {
  const theirs = (causal: boolean) => (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => {
    const [L, D] = q.shape.slice(-2);
    const S = k.shape[k.rank - 2];
    let s = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(D));
    if (causal) s = tf.add(s, tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([L, S]), -1, 0)), -1e9));
    return tf.matMul(tf.softmax(s), v);
  };
  it.each([
    ['plain', false],
    ['causal', true],
  ])('%s: values and the gradients of q, k and v', (_name, causal) => {
    expectSameAsTf(
      [
        [2, 3, 5, 4],
        [2, 3, 5, 4],
        [2, 3, 5, 6],
      ],
      (q, k, v) => scaledDotProductAttention(q, k, v, { causal }),
      theirs(causal),
      { rtol: 1e-3, atol: 1e-4 },
    );
  });
});

describe('scaledDotProductAttention refuses bad input with typed errors', () => {
  const q = randn([2, 4, 8]);
  const k = randn([2, 5, 8]);
  const v = randn([2, 5, 3]);
  it.each([
    [
      'q and k of different widths',
      () => scaledDotProductAttention(q, randn([2, 5, 7]), v),
      ShapeError,
      /q and k must have the same last axis .*q \[2, 4, 8\], k \[2, 5, 7\]/,
    ],
    [
      'k and v with different key counts',
      () => scaledDotProductAttention(q, k, randn([2, 6, 3])),
      ShapeError,
      /k and v must have the same number of keys/,
    ],
    [
      'batch axes that do not broadcast',
      () => scaledDotProductAttention(q, randn([3, 5, 8]), v),
      ShapeError,
      /batch axes of q, k and v do not broadcast together/,
    ],
    ['a 1-D operand', () => scaledDotProductAttention(randn([8]), k, v), ShapeError, /q must have at least 2 axes/],
    [
      'mixed dtypes',
      () => scaledDotProductAttention(q, k, randn([2, 5, 3], { dtype: 'float32' })),
      DTypeError,
      /q, k and v must share a dtype/,
    ],
    [
      'a mask of the wrong shape',
      () => scaledDotProductAttention(q, k, v, { mask: boolMask([4, 4], 1) }),
      ShapeError,
      /mask \[4, 4\] does not broadcast to the scores' shape \[2, 4, 5\]/,
    ],
    [
      'a mask that requires grad',
      () => scaledDotProductAttention(q, k, v, { mask: randn([4, 5], { requiresGrad: true }) }),
      GradError,
      /requires grad, but a mask gets no gradient/,
    ],
    [
      'a float32 mask on float64 scores',
      () => scaledDotProductAttention(q, k, v, { mask: randn([4, 5], { dtype: 'float32' }) }),
      DTypeError,
      /a float mask must have the dtype of q/,
    ],
    [
      'a non-boolean causal',
      () => scaledDotProductAttention(q, k, v, { causal: 1 as unknown as boolean }),
      DTypeError,
      /causal must be true or false/,
    ],
    ['an infinite scale', () => scaledDotProductAttention(q, k, v, { scale: Infinity }), TapegradError, /scale must be a finite number/],
  ] as Array<[string, () => unknown, typeof ShapeError, RegExp]>)('%s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});
