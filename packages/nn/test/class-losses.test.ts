// crossEntropy's weight / ignoreIndex / labelSmoothing and nllLoss: by hand on tiny cases, against TF.js's
// softmaxCrossEntropy where it has the same semantics, and gradchecked in float64. losses-pytorch.test.ts
// replays PyTorch's own values for every combination.
import * as tf from '@tensorflow/tfjs';
import { DTypeError, GradError, Generator, ShapeError, TapegradError, type Tensor, randn, tensor } from '@tapegrad/core';
import { crossEntropy, nllLoss, softmaxCrossEntropy } from '@tapegrad/nn';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const labels = (v: number[]) => tensor(v, { dtype: 'int32' });
const logSumExp = (row: number[]) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
const logSoftmaxRow = (row: number[]) => row.map((v) => v - logSumExp(row));

const X = [
  [1, 2, 0],
  [0.5, -1, 3],
  [0, 0.2, -0.4],
];
const Y = [1, 2, 0];
const W = [0.5, 2, 1.5];

describe('crossEntropy by hand', () => {
  const lp = X.map(logSoftmaxRow);

  it('is finite when another logit is -Infinity (issue 12: [[0, -inf, 1]], label 0 gives log(1 + e))', () => {
    const x = tensor([[0, -Infinity, 1]], { requiresGrad: true });
    const loss = crossEntropy(x, labels([0]));
    expect(loss.item()).toBeCloseTo(Math.log(1 + Math.E), 14);
    expect(loss.item()).toBeCloseTo(softmaxCrossEntropy(x, labels([0])).item(), 14);
    loss.backward();
    // d/dx = softmax(x) - onehot: [1/(1+e) - 1, 0, e/(1+e)]
    expect(x.grad!).toBeAllClose([[1 / (1 + Math.E) - 1, 0, Math.E / (1 + Math.E)]], { rtol: 1e-14 });
  });

  it('weights each sample by its class and divides the mean by the weights of the labels', () => {
    const perSample = Y.map((y, n) => -W[y] * lp[n][y]);
    const loss = crossEntropy(tensor(X), labels(Y), { weight: tensor(W) });
    expect(loss.item()).toBeCloseTo((perSample[0] + perSample[1] + perSample[2]) / (W[1] + W[2] + W[0]), 14);
    expect(crossEntropy(tensor(X), labels(Y), { weight: tensor(W), reduction: 'none' })).toBeAllClose(perSample, { rtol: 1e-14 });
  });

  it('leaves ignored samples out of the sum and out of the mean’s denominator', () => {
    const loss = crossEntropy(tensor(X), labels([1, -100, 0]), { weight: tensor(W) });
    expect(loss.item()).toBeCloseTo((-W[1] * lp[0][1] - W[0] * lp[2][0]) / (W[1] + W[0]), 14);
    const none = crossEntropy(tensor(X), labels([1, 7, 0]), { ignoreIndex: 7, reduction: 'none' });
    expect(none).toBeAllClose([-lp[0][1], 0, -lp[2][0]], { rtol: 1e-14 });
  });

  it('gives an ignored sample no gradient, even where its row holds -Infinity', () => {
    const x = tensor(
      [
        [-Infinity, 1, 2],
        [0, 1, 2],
      ],
      { requiresGrad: true },
    );
    const loss = crossEntropy(x, labels([-100, 2]), { labelSmoothing: 0.1 });
    expect(Number.isFinite(loss.item())).toBe(true);
    loss.backward();
    expect((x.grad!.toArray() as number[][])[0]).toEqual([0, 0, 0]);
  });

  it('is NaN in the mean when every sample is ignored (0 / 0, as PyTorch) and 0 in the sum', () => {
    expect(crossEntropy(tensor(X), labels([-100, -100, -100])).item()).toBeNaN();
    expect(crossEntropy(tensor(X), labels([-100, -100, -100]), { reduction: 'sum' }).item()).toBe(0);
  });

  it('smooths labels toward the uniform distribution: (1 - e) nll + (e / C) sum_c -logp_c', () => {
    const e = 0.3;
    const expected = Y.map((y, n) => (1 - e) * -lp[n][y] + (e / 3) * -lp[n].reduce((s, v) => s + v, 0));
    const loss = crossEntropy(tensor(X), labels(Y), { labelSmoothing: e, reduction: 'none' });
    expect(loss).toBeAllClose(expected, { rtol: 1e-14 });
    // ... which is the cross-entropy against the smoothed one-hot target
    const smoothed = Y.map((y) => [0, 1, 2].map((c) => (c === y ? 1 - e + e / 3 : e / 3)));
    expect(crossEntropy(tensor(X), tensor(smoothed), { reduction: 'none' })).toBeAllClose(expected, { rtol: 1e-14 });
  });

  it('smooths with class weights inside the uniform term, and divides by the labels’ weights', () => {
    const e = 0.2;
    const sum = Y.reduce((s, y, n) => s + (1 - e) * -W[y] * lp[n][y] + (e / 3) * -lp[n].reduce((a, v, c) => a + W[c] * v, 0), 0);
    const loss = crossEntropy(tensor(X), labels(Y), { weight: tensor(W), labelSmoothing: e });
    expect(loss.item()).toBeCloseTo(sum / (W[1] + W[2] + W[0]), 14);
  });

  it('takes probability targets with class weights; the mean divides by the number of samples', () => {
    const t = [
      [0.2, 0.8, 0],
      [0, 0, 1],
      [0.5, 0.25, 0.25],
    ];
    const perSample = t.map((row, n) => -row.reduce((s, p, c) => s + W[c] * p * lp[n][c], 0));
    const loss = crossEntropy(tensor(X), tensor(t), { weight: tensor(W) });
    expect(loss.item()).toBeCloseTo(perSample.reduce((a, b) => a + b) / 3, 14);
  });

  it('takes [N, C, d] with the classes on axis 1, as one sample per position', () => {
    // x[n, :, j] are the logits of sample (n, j)
    const x = randn([2, 3, 4], { generator: new Generator(3) });
    const y = labels([0, 2, 1, 1, 2, 2, 0, 1]).reshape([2, 4]);
    const rows = x.transpose([0, 2, 1]).reshape([8, 3]);
    expect(crossEntropy(x, y, { reduction: 'none' }).shape).toEqual([2, 4]);
    expect(crossEntropy(x, y, { reduction: 'none' })).toBeAllClose(
      crossEntropy(rows, y.reshape([8]), { reduction: 'none' }).reshape([2, 4]),
    );
    expect(crossEntropy(x, y).item()).toBeCloseTo(crossEntropy(rows, y.reshape([8])).item(), 14);
  });

  it('takes an unbatched [C] with a 0-d label', () => {
    const loss = crossEntropy(tensor([1, 2, 0]), tensor(1, { dtype: 'int32' }), { reduction: 'none' });
    expect(loss.shape).toEqual([]);
    expect(loss.item()).toBeCloseTo(-logSoftmaxRow([1, 2, 0])[1], 14);
  });
});

describe('nllLoss by hand', () => {
  it('picks -logp at the label, weights it and averages over the labels’ weights', () => {
    const lp = tensor(X).logSoftmax(-1);
    const rows = lp.toArray() as number[][];
    expect(nllLoss(lp, labels(Y)).item()).toBeCloseTo(-(rows[0][1] + rows[1][2] + rows[2][0]) / 3, 14);
    const weighted = nllLoss(lp, labels([1, 2, 2]), { weight: tensor(W), ignoreIndex: 1 });
    expect(weighted.item()).toBeCloseTo(-(W[2] * rows[1][2] + W[2] * rows[2][2]) / (2 * W[2]), 14);
    expect(nllLoss(lp, labels(Y), { reduction: 'sum' }).item()).toBeCloseTo(-(rows[0][1] + rows[1][2] + rows[2][0]), 14);
  });

  it('is crossEntropy of the log-softmax, with every option', () => {
    const x = randn([5, 4], { generator: new Generator(8) });
    const y = labels([3, 0, 0, 2, 1]);
    const options = { weight: tensor([1, 0.5, 2, 3]), ignoreIndex: 2 };
    expect(nllLoss(x.logSoftmax(-1), y, options).item()).toBeCloseTo(crossEntropy(x, y, options).item(), 14);
  });
});

describe('against TF.js softmaxCrossEntropy (per-sample weights, MEAN = sum(w l) / sum(w))', () => {
  const g = new Generator(21);
  const x0 = randn([6, 4], { generator: g });
  const y0 = [2, 0, 3, 3, 1, 0];
  const classW = [0.7, 1.3, 2, 0.4];

  function theirs(perSample: number[], smoothing: number): { value: number; grad: number[] } {
    const oneHot = tf.oneHot(tf.tensor1d(y0, 'int32'), 4);
    const f = (x: tf.Tensor) => tf.losses.softmaxCrossEntropy(oneHot, x, tf.tensor1d(perSample), smoothing, tf.Reduction.MEAN);
    const { value, grad } = tf.valueAndGrad(f)(tf.tensor2d(Array.from(x0.data), [6, 4]));
    return { value: value.dataSync()[0], grad: Array.from(grad.dataSync()) };
  }

  function ours(options: object): { value: number; grad: number[] } {
    const x = x0.detach().clone().setRequiresGrad();
    const loss = crossEntropy(x, labels(y0), options);
    loss.backward();
    return { value: loss.item(), grad: Array.from(x.grad!.data) };
  }

  it('class weights with ignoreIndex = per-sample weights w[y] (0 where ignored)', () => {
    const ignored = 3;
    const perSample = y0.map((y) => (y === ignored ? 0 : classW[y]));
    const a = ours({ weight: tensor(classW), ignoreIndex: ignored });
    const b = theirs(perSample, 0);
    expect(a.value).toBeCloseTo(b.value, 5);
    expect(a.grad).toBeAllClose(b.grad, { rtol: 1e-4, atol: 1e-6 });
  });

  it('label smoothing with ignoreIndex = TF’s labelSmoothing with 0/1 weights', () => {
    const perSample = y0.map((y) => (y === 0 ? 0 : 1));
    const a = ours({ labelSmoothing: 0.15, ignoreIndex: 0 });
    const b = theirs(perSample, 0.15);
    expect(a.value).toBeCloseTo(b.value, 5);
    expect(a.grad).toBeAllClose(b.grad, { rtol: 1e-4, atol: 1e-6 });
  });
});

describe('gradcheck in float64', () => {
  const g = new Generator(5);
  const x = randn([4, 3], { generator: g, requiresGrad: true });
  const y = labels([2, 0, 1, 0]);
  const w = tensor([0.3, 1.7, 1.1]);

  it.each([
    ['no options', {}],
    ['weight', { weight: w }],
    ['ignoreIndex', { ignoreIndex: 0 }],
    ['labelSmoothing', { labelSmoothing: 0.25 }],
    ['all three, sum', { weight: w, ignoreIndex: 1, labelSmoothing: 0.1, reduction: 'sum' as const }],
  ])('crossEntropy with labels, %s', (_name, options) => {
    expect((a: Tensor) => crossEntropy(a, y, options)).toPassGradcheck([x]);
  });

  it('crossEntropy with probabilities, weight and smoothing; [N, C, d] labels', () => {
    const p = tensor([
      [0.2, 0.3, 0.5],
      [1, 0, 0],
      [0.1, 0.1, 0.8],
      [0.6, 0.4, 0],
    ]);
    expect((a: Tensor) => crossEntropy(a, p, { weight: w, labelSmoothing: 0.2 })).toPassGradcheck([x]);
    const x3 = randn([2, 3, 2], { generator: g, requiresGrad: true });
    expect((a: Tensor) => crossEntropy(a, labels([0, 2, -100, 1]).reshape([2, 2]), { labelSmoothing: 0.1 })).toPassGradcheck([x3]);
  });

  it('nllLoss with weight and ignoreIndex', () => {
    expect((a: Tensor) => nllLoss(a, y, { weight: w, ignoreIndex: 1 })).toPassGradcheck([x]);
  });
});

describe('errors', () => {
  const x = randn([2, 3]);
  it('name the op and what is wrong', () => {
    expect(() => crossEntropy(x, labels([0, 5]))).toThrow(ShapeError);
    expect(() => crossEntropy(x, labels([0, 5]))).toThrow(
      /crossEntropy: label 5 at position 1 is outside \[0, 3\) and is not the ignoreIndex -100/,
    );
    expect(() => crossEntropy(x, labels([0, 1]), { weight: tensor([1, 2]) })).toThrow(/crossEntropy: weight must have shape \[3\]/);
    expect(() => crossEntropy(x, labels([0, 1]), { weight: tensor([1, 2, 3], { requiresGrad: true }) })).toThrow(GradError);
    expect(() => crossEntropy(x, labels([0, 1]), { labelSmoothing: 1.5 })).toThrow(TapegradError);
    expect(() => crossEntropy(x, labels([0, 1]), { labelSmoothing: 1.5 })).toThrow(/labelSmoothing must be in \[0, 1\], got 1.5/);
    expect(() => crossEntropy(x, randn([2, 3]), { ignoreIndex: 0 })).toThrow(/ignoreIndex applies to int32 class labels/);
    expect(() => crossEntropy(x, randn([3, 2]))).toThrow(/a probability target must have the logits' shape \[2, 3\], got \[3, 2\]/);
    expect(() => crossEntropy(x, labels([0, 1, 2]))).toThrow(/int32 labels must have shape \[2\] for an input of 3 classes, got \[3\]/);
    expect(() => crossEntropy(x, labels([0, 1]), { reduction: 'halfSum' as 'sum' })).toThrow(/unknown reduction 'halfSum'/);
    expect(() => nllLoss(x, tensor([0, 1]))).toThrow(DTypeError);
    expect(() => nllLoss(x, tensor([0, 1]))).toThrow(/nllLoss: class labels must be int32, got float64/);
    expect(() => nllLoss(tensor(2), labels([0]))).toThrow(/nllLoss: the input must be \[C\], \[N, C\] or \[N, C, d1, \.\.\.\]/);
  });
});
