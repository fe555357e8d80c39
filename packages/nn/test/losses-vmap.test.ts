// The nn losses under vmap: per-sample losses and per-sample gradients (vmap(grad(loss))) of a batch of [4, 3]
// problems, against a loop of calls, one per problem, in float64. Every loss is built from core ops with batch
// rules, or (binaryCrossEntropy, softmaxCrossEntropy) is an op with a batch rule of its own, so none may fall back
// to the loop over samples (that would warn). Labels and probabilities are still validated inside vmap, through
// every sample's values at once, with the error naming the loss.
import { type Tensor, ShapeError, TapegradError, grad, rand, randn, stack, tensor, vmap } from '@tapegrad/core';
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  huberLoss,
  l1Loss,
  mseLoss,
  nllLoss,
  oneHot,
  smoothL1Loss,
  softmaxCrossEntropy,
} from '@tapegrad/nn';

const B = 3;
const rows = (x: Tensor) => Array.from({ length: x.shape[0] }, (_, i) => x.slice([i], [1]).squeeze(0));
const f64 = { dtype: 'float64' } as const;
const labels = tensor(
  [
    [2, 0, 1, 2],
    [1, 1, 0, 2],
    [0, 2, 2, 1],
  ],
  { dtype: 'int32' },
);

type Loss = (input: Tensor, target: Tensor) => Tensor;
const batched: Array<[string, Loss, () => Tensor, () => Tensor]> = [
  ['mseLoss', (x, t) => mseLoss(x, t), () => randn([B, 4, 3], f64), () => randn([B, 4, 3], f64)],
  ['l1Loss', (x, t) => l1Loss(x, t), () => randn([B, 4, 3], f64), () => randn([B, 4, 3], f64).add(5)],
  ['huberLoss', (x, t) => huberLoss(x, t, { delta: 0.7 }), () => randn([B, 4, 3], f64), () => randn([B, 4, 3], f64)],
  ['smoothL1Loss', (x, t) => smoothL1Loss(x, t, { beta: 0.7 }), () => randn([B, 4, 3], f64), () => randn([B, 4, 3], f64)],
  ['binaryCrossEntropyWithLogits', (x, t) => binaryCrossEntropyWithLogits(x, t), () => randn([B, 4, 3], f64), () => rand([B, 4, 3], f64)],
];
const weight = tensor([0.5, 2, 1.25], f64);
// Labels with the ignoreIndex (-1 here, PyTorch's default -100 below) in some rows but not all, and one row ignored whole.
const withIgnored = tensor(
  [
    [2, -1, 1, 2],
    [-1, -1, -1, -1],
    [0, 2, -1, 1],
  ],
  { dtype: 'int32' },
);
const probabilities = () => rand([B, 4, 3], f64).add(0.1).softmax(-1);
// The classification losses: per-sample means with weights, ignored labels (a whole sample ignored is 0/0 = NaN in
// its 'mean', as in PyTorch, so those cases use 'sum'), label smoothing, and probability targets (one with zeros).
const classification: Array<[string, Loss, () => Tensor, () => Tensor]> = [
  ['binaryCrossEntropy', (p, t) => binaryCrossEntropy(p, t), () => rand([B, 4, 3], f64).mul(0.8).add(0.1), () => rand([B, 4, 3], f64)],
  [
    'binaryCrossEntropy (none)',
    (p, t) => binaryCrossEntropy(p, t, { reduction: 'none' }).mul(weight).sum(),
    () => rand([B, 4, 3], f64).mul(0.8).add(0.1),
    () => rand([B, 4, 3], f64),
  ],
  ['crossEntropy (class indices)', (x, t) => crossEntropy(x, t), () => randn([B, 4, 3], f64), () => labels],
  [
    'crossEntropy (weight, ignoreIndex, sum)',
    (x, t) => crossEntropy(x, t, { weight, ignoreIndex: -1, reduction: 'sum' }),
    () => randn([B, 4, 3], f64),
    () => withIgnored,
  ],
  [
    'crossEntropy (weight, labelSmoothing)',
    (x, t) => crossEntropy(x, t, { weight, labelSmoothing: 0.2 }),
    () => randn([B, 4, 3], f64),
    () => labels,
  ],
  [
    'crossEntropy (ignoreIndex, labelSmoothing, none)',
    (x, t) =>
      crossEntropy(x, t, { ignoreIndex: -1, labelSmoothing: 0.1, reduction: 'none' })
        .mul(tensor([1, -2, 0.5, 3], f64))
        .sum(),
    () => randn([B, 4, 3], f64),
    () => withIgnored,
  ],
  ['crossEntropy (probabilities)', (x, t) => crossEntropy(x, t), () => randn([B, 4, 3], f64), probabilities],
  [
    'crossEntropy (probabilities with zeros, weight, labelSmoothing)',
    (x, t) => crossEntropy(x, t, { weight, labelSmoothing: 0.3 }),
    () => randn([B, 4, 3], f64),
    () => oneHot(labels.reshape([12]), 3).reshape([B, 4, 3]),
  ],
  [
    'crossEntropy (spatial [C, d])',
    (x, t) => crossEntropy(x.reshape([2, 3, 2]), t.reshape([2, 2]), { weight }),
    () => randn([B, 4, 3], f64),
    () => labels,
  ],
  ['nllLoss', (x, t) => nllLoss(x, t), () => randn([B, 4, 3], f64).logSoftmax(-1), () => labels],
  [
    'nllLoss (weight, ignoreIndex)',
    (x, t) => nllLoss(x, t, { weight, ignoreIndex: 2 }),
    () => randn([B, 4, 3], f64).logSoftmax(-1),
    () => labels,
  ],
  [
    'nllLoss (weight, ignoreIndex, sum)',
    (x, t) => nllLoss(x, t, { weight, ignoreIndex: -1, reduction: 'sum' }),
    () => randn([B, 4, 3], f64).logSoftmax(-1),
    () => withIgnored,
  ],
  ['softmaxCrossEntropy', (x, t) => softmaxCrossEntropy(x, t), () => randn([B, 4, 3], f64), () => labels],
  ['softmaxCrossEntropy (one-hot)', (x, t) => softmaxCrossEntropy(x, oneHot(t, 3)), () => randn([B, 4, 3], f64), () => labels],
  ['softmaxCrossEntropy (probabilities)', (x, t) => softmaxCrossEntropy(x, t), () => randn([B, 4, 3], f64), probabilities],
];
batched.push(...classification);

describe.each(batched)('%s under vmap', (_name, loss, input, target) => {
  it('gives the per-sample losses and gradients of a loop of calls, without looping', () => {
    const warn = jest.spyOn(console, 'warn');
    try {
      const xs = input();
      const ts = target();
      const losses = vmap(loss)(xs, ts);
      const expected = stack(rows(xs).map((x, b) => loss(x, rows(ts)[b])));
      expect(losses.shape).toEqual([B]);
      expect(losses).toBeAllClose(expected, { rtol: 1e-12, atol: 1e-14 });
      const perSample = vmap(grad(loss))(xs, ts);
      const loop = stack(rows(xs).map((x, b) => grad(loss)(x, rows(ts)[b])));
      expect(perSample.shape).toEqual([B, 4, 3]);
      expect(perSample).toBeAllClose(loop, { rtol: 1e-12, atol: 1e-14 });
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});

describe('the classification losses validate inside vmap', () => {
  const logits = () => randn([B, 4, 3], f64);
  const bad = tensor(
    [
      [2, 0, 1, 2],
      [1, 3, 0, 2],
      [0, 2, 2, 1],
    ],
    { dtype: 'int32' },
  );
  it.each([
    ['crossEntropy', (x: Tensor, t: Tensor) => crossEntropy(x, t)],
    ['nllLoss', (x: Tensor, t: Tensor) => nllLoss(x, t)],
    ['softmaxCrossEntropy', (x: Tensor, t: Tensor) => softmaxCrossEntropy(x, t)],
  ])('%s refuses a label outside the classes in any sample, naming itself and the label', (name, loss) => {
    expect(() => vmap(loss)(logits(), bad)).toThrow(ShapeError);
    expect(() => vmap(loss)(logits(), bad)).toThrow(new RegExp(`^${name}: label 3 at position 5 is outside \\[0, 3\\)`));
    expect(() => vmap(grad(loss))(logits(), bad)).toThrow(ShapeError);
  });
  it('binaryCrossEntropy refuses a probability outside [0, 1] in any sample', () => {
    const p = rand([B, 4, 3], f64).mul(0.8).add(0.1);
    const outside = p.add(
      tensor([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5], f64)
        .reshape([1, 4, 3])
        .mul(tensor([0, 1, 0], f64).reshape([3, 1, 1])),
    );
    const t = rand([B, 4, 3], f64);
    expect(() => vmap((a: Tensor, b: Tensor) => binaryCrossEntropy(a, b))(outside, t)).toThrow(TapegradError);
    expect(() => vmap((a: Tensor, b: Tensor) => binaryCrossEntropy(a, b))(outside, t)).toThrow(
      /^binaryCrossEntropy: p must lie in \[0, 1\]/,
    );
  });
});

describe('the classification losses in other vmap layouts', () => {
  const at = (x: Tensor, index: number[]) =>
    x
      .slice(
        index,
        x.shape.map((d, i) => (i < index.length ? 1 : d)),
      )
      .reshape(x.shape.slice(index.length));

  it('batch the logits alone (labels the same for every sample), and on an axis other than the first', () => {
    const xs = randn([B, 4, 3], f64);
    const y = labels.slice([0, 0], [1, 4]).reshape([4]);
    const weighted = (x: Tensor, t: Tensor) => crossEntropy(x, t, { weight, labelSmoothing: 0.1 });
    const loop = stack([0, 1, 2].map((b) => grad(weighted)(at(xs, [b]), y)));
    expect(vmap(grad(weighted), { inAxes: [0, null] })(xs, y)).toBeAllClose(loop, { rtol: 1e-12, atol: 1e-14 });
    const moved = xs.transpose([1, 0, 2]); // [4, B, 3]: the batch on axis 1
    const perSample = vmap((x: Tensor, t: Tensor) => crossEntropy(x, t), { inAxes: [1, null] })(moved, y);
    expect(perSample).toBeAllClose(stack([0, 1, 2].map((b) => crossEntropy(at(xs, [b]), y))), { rtol: 1e-12, atol: 1e-14 });
  });

  it('nest: a vmap of a vmap gives every sample of every group', () => {
    const xs = randn([2, B, 4, 3], f64);
    const ys = tensor(
      Array.from({ length: 2 * B * 4 }, (_, i) => (i * 7) % 3),
      { dtype: 'int32', shape: [2, B, 4] },
    );
    const losses: Array<[string, Loss]> = [
      ['nllLoss', (x, t) => nllLoss(x.logSoftmax(-1), t, { ignoreIndex: 1 })],
      ['softmaxCrossEntropy', (x, t) => softmaxCrossEntropy(x, t)],
    ];
    for (const [, loss] of losses) {
      const nested = vmap(vmap(loss))(xs, ys);
      const loop = stack([0, 1].map((a) => stack([0, 1, 2].map((b) => loss(at(xs, [a, b]), at(ys, [a, b]))))));
      expect(nested).toBeAllClose(loop, { rtol: 1e-12, atol: 1e-14 });
    }
  });

  it('differentiate through the vmap from outside (grad of vmap) as through the loop', () => {
    const xs = randn([B, 4, 3], f64);
    const p = rand([B, 4, 3], f64).mul(0.8).add(0.1);
    const t = rand([B, 4, 3], f64);
    const throughVmap = grad((x: Tensor) => vmap((r: Tensor, l: Tensor) => softmaxCrossEntropy(r, l))(x, labels).sum())(xs);
    const throughLoop = grad((x: Tensor) => stack([0, 1, 2].map((b) => softmaxCrossEntropy(at(x, [b]), at(labels, [b])))).sum())(xs);
    expect(throughVmap).toBeAllClose(throughLoop, { rtol: 1e-12, atol: 1e-14 });
    const bceVmap = grad((q: Tensor) => vmap((a: Tensor, b: Tensor) => binaryCrossEntropy(a, b))(q, t).sum())(p);
    const bceLoop = grad((q: Tensor) => stack([0, 1, 2].map((b) => binaryCrossEntropy(at(q, [b]), at(t, [b])))).sum())(p);
    expect(bceVmap).toBeAllClose(bceLoop, { rtol: 1e-12, atol: 1e-14 });
  });
});
