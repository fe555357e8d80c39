import { Generator, type Tensor, randn, rand, tensor } from '@tapegrad/core';
import { gradgradcheck } from '@tapegrad/gradcheck';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, mseLoss, oneHot, softmaxCrossEntropy } from '@tapegrad/nn';

const gen = () => new Generator(11);
const labels = tensor([2, 0, 1, 2], { dtype: 'int32' });

function softmaxRows(x: number[][]): number[][] {
  return x.map((row) => {
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const z = e.reduce((a, b) => a + b);
    return e.map((v) => v / z);
  });
}

describe('softmaxCrossEntropy (fused)', () => {
  it('equals -mean log softmax at the labels, computed by hand', () => {
    const x = [
      [1, 2, 3],
      [0.5, -1, 0],
      [0, 0, 0],
      [10, -10, 5],
    ];
    const p = softmaxRows(x);
    const expected = -[p[0][2], p[1][0], p[2][1], p[3][2]].map(Math.log).reduce((a, b) => a + b) / 4;
    expect(softmaxCrossEntropy(tensor(x), labels).item()).toBeCloseTo(expected, 12);
  });

  it('has the gradient (y - t) / N of seed 004', () => {
    const x = randn([4, 3], { generator: gen(), requiresGrad: true });
    softmaxCrossEntropy(x, labels).backward();
    const y = softmaxRows(x.toArray() as number[][]);
    const t = oneHot(labels, 3).toArray() as number[][];
    expect(x.grad!).toBeAllClose(
      y.map((row, i) => row.map((v, j) => (v - t[i][j]) / 4)),
      { rtol: 1e-12 },
    );
  });

  it('passes gradcheck with labels and with soft targets', () => {
    const x = randn([4, 3], { generator: gen(), requiresGrad: true });
    expect((a: Tensor) => softmaxCrossEntropy(a, labels)).toPassGradcheck([x]);
    const soft = rand([4, 3], { generator: gen() });
    const t = soft.div(soft.sum(-1, true));
    expect((a: Tensor) => softmaxCrossEntropy(a, t)).toPassGradcheck([x]);
  });

  it('matches its oracle, the composite crossEntropy, in value and gradient', () => {
    const x1 = randn([6, 5], { generator: gen(), requiresGrad: true });
    const x2 = x1.detach().clone().setRequiresGrad();
    const l = tensor([0, 4, 2, 2, 1, 3], { dtype: 'int32' });
    const fused = softmaxCrossEntropy(x1, l);
    const composite = crossEntropy(x2, l);
    expect(fused.item()).toBeCloseTo(composite.item(), 13);
    fused.backward();
    composite.backward();
    expect(x1.grad!).toBeAllClose(x2.grad!, { rtol: 1e-10, atol: 1e-15 });
  });

  it('gives second derivatives through createGraph (gradgradcheck)', () => {
    const x = randn([3, 3], { generator: gen(), requiresGrad: true });
    expect(gradgradcheck((a: Tensor) => softmaxCrossEntropy(a, labels.slice([0], [3])), [x]).ok).toBe(true);
  });

  it('stays finite for huge logits (stable log-sum-exp)', () => {
    const x = tensor(
      [
        [1000, 0, -1000],
        [-1e308, 1e308, 0],
      ],
      { requiresGrad: true },
    );
    const loss = softmaxCrossEntropy(x, tensor([0, 1], { dtype: 'int32' }));
    expect(loss.item()).toBe(0);
    loss.backward();
    expect(Array.from(x.grad!.data).every(Number.isFinite)).toBe(true);
  });

  it('keeps float32 logits in float32', () => {
    const x = tensor([[1, 2]], { dtype: 'float32', requiresGrad: true });
    const loss = softmaxCrossEntropy(x, tensor([1], { dtype: 'int32' }));
    expect(loss.dtype).toBe('float32');
    loss.backward();
    expect(x.grad!.dtype).toBe('float32');
  });

  it('names the op and shapes for bad targets', () => {
    const x = randn([2, 3]);
    expect(() => softmaxCrossEntropy(x, tensor([0, 1, 2], { dtype: 'int32' }))).toThrow(
      /softmaxCrossEntropy: int32 labels must have shape \[2\]/,
    );
    expect(() => softmaxCrossEntropy(x, tensor([0, 3], { dtype: 'int32' }))).toThrow(/label 3 at position 1 is outside \[0, 3\)/);
    expect(() => softmaxCrossEntropy(x, randn([2, 4]))).toThrow(/must have the logits' shape \[2, 3\]/);
    expect(() => softmaxCrossEntropy(randn([3]), labels)).toThrow(/logits must be \[batch, classes\]/);
  });
});

describe('crossEntropy (composite)', () => {
  it('accepts one-hot targets and the reductions', () => {
    const x = randn([4, 3], { generator: gen() });
    const byLabel = crossEntropy(x, labels, { reduction: 'none' });
    const byOneHot = crossEntropy(x, oneHot(labels, 3), { reduction: 'none' });
    expect(byOneHot).toBeAllClose(byLabel);
    expect(crossEntropy(x, labels, { reduction: 'sum' }).item()).toBeCloseTo(byLabel.sum().item(), 12);
  });
  it('passes gradcheck', () => {
    const x = randn([4, 3], { generator: gen(), requiresGrad: true });
    expect((a: Tensor) => crossEntropy(a, labels, { reduction: 'sum' })).toPassGradcheck([x]);
  });
});

describe('mseLoss', () => {
  const y = tensor([1, 2, 4]);
  const t = tensor([0, 2, 2]);
  it('reduces by mean, sum and half sum', () => {
    expect(mseLoss(y, t).item()).toBeCloseTo(5 / 3, 14);
    expect(mseLoss(y, t, { reduction: 'sum' }).item()).toBe(5);
    expect(mseLoss(y, t, { reduction: 'halfSum' }).item()).toBe(2.5);
    expect(mseLoss(y, t, { reduction: 'none' }).toArray()).toEqual([1, 0, 4]);
  });
  it("halfSum's gradient is y - t (the documents' E = 1/2 sum (t - y)^2)", () => {
    const yy = tensor([1, 2, 4], { requiresGrad: true });
    mseLoss(yy, t, { reduction: 'halfSum' }).backward();
    expect(yy.grad!.toArray()).toEqual([1, 0, 2]);
  });
  it('passes gradcheck and rejects mismatched shapes', () => {
    const a = randn([3, 2], { generator: gen(), requiresGrad: true });
    expect((v: Tensor) => mseLoss(v, t.reshape([3, 1]).broadcastTo([3, 2]))).toPassGradcheck([a]);
    expect(() => mseLoss(y, tensor([1, 2]))).toThrow(/mseLoss: input \[3\] and target \[2\] must have the same shape/);
  });
});

describe('binary cross-entropy', () => {
  const p = tensor([0.9, 0.2, 0.6]);
  const t = tensor([1, 0, 1]);
  it('equals -(t log p + (1 - t) log(1 - p)) averaged', () => {
    const expected = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.6)) / 3;
    expect(binaryCrossEntropy(p, t).item()).toBeCloseTo(expected, 14);
  });
  it('clamps log 0 at -100 instead of returning Infinity', () => {
    expect(binaryCrossEntropy(tensor([0]), tensor([1])).item()).toBe(100);
  });
  it('from logits equals BCE of sigmoid(x), and stays finite for large |x|', () => {
    const x = tensor([2.5, -1, 0.3]);
    expect(binaryCrossEntropyWithLogits(x, t).item()).toBeCloseTo(binaryCrossEntropy(x.sigmoid(), t).item(), 13);
    expect(binaryCrossEntropyWithLogits(tensor([-800]), tensor([1])).item()).toBeCloseTo(800, 10);
  });
  it('both pass gradcheck', () => {
    const probs = rand([5], { generator: gen(), low: 0.1, high: 0.9, requiresGrad: true });
    const logits = randn([5], { generator: gen(), requiresGrad: true });
    const target = rand([5], { generator: gen() });
    expect((a: Tensor) => binaryCrossEntropy(a, target)).toPassGradcheck([probs]);
    expect((a: Tensor) => binaryCrossEntropyWithLogits(a, target, { reduction: 'sum' })).toPassGradcheck([logits]);
  });
});
