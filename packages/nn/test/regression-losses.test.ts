// l1Loss, huberLoss, smoothL1Loss and binaryCrossEntropy's rule: closed forms, TF.js's losses, float64
// gradchecks away from the kinks, and the chosen (sub)gradient at each kink tested exactly.
import * as tf from '@tensorflow/tfjs';
import { Generator, type Tensor, TapegradError, rand, randn, tensor } from '@tapegrad/core';
import { gradgradcheck } from '@tapegrad/gradcheck';
import { binaryCrossEntropy, huberLoss, l1Loss, smoothL1Loss } from '@tapegrad/nn';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Differences x - y = [0.3, -2.5, 0.25, 0.45, 3, -0.4]: inside and outside every threshold used below.
const PRED = [0.3, -2, 1.25, 0.05, 4, -0.6];
const TRUE = [0, 0.5, 1, -0.4, 1, -0.2];
const diffs = PRED.map((p, i) => p - TRUE[i]);
const huber = (d: number, delta: number) => (Math.abs(d) < delta ? 0.5 * d * d : delta * (Math.abs(d) - 0.5 * delta));

describe('closed forms', () => {
  const x = tensor(PRED);
  const y = tensor(TRUE);

  it('l1Loss = mean |x - y|', () => {
    expect(l1Loss(x, y).item()).toBeCloseTo(diffs.reduce((s, d) => s + Math.abs(d), 0) / 6, 15);
    expect(l1Loss(x, y, { reduction: 'none' })).toBeAllClose(diffs.map(Math.abs), { rtol: 1e-15 });
  });

  it('huberLoss is d^2/2 inside delta and delta (|d| - delta/2) outside', () => {
    for (const delta of [1, 0.35, 2.7]) {
      expect(huberLoss(x, y, { delta, reduction: 'none' })).toBeAllClose(
        diffs.map((d) => huber(d, delta)),
        { rtol: 1e-14 },
      );
    }
  });

  it('smoothL1Loss is huber / beta, and the L1 loss at beta = 0', () => {
    const beta = 0.5;
    expect(smoothL1Loss(x, y, { beta, reduction: 'sum' }).item()).toBeCloseTo(
      diffs.reduce((s, d) => s + huber(d, beta) / beta, 0),
      14,
    );
    expect(smoothL1Loss(x, y, { beta: 0 })).toBeAllClose(l1Loss(x, y), { rtol: 0 });
  });
});

describe('gradients', () => {
  const upstream = [0.7, -1.3, 2.2, 0.4, -0.9, 1.6];

  it('at the kinks: l1 has slope 0 at d = 0; huber is continuous at |d| = delta (d inside, delta sign(d) outside)', () => {
    const x = tensor([1, 2, -1], { requiresGrad: true });
    l1Loss(x, tensor([1, 0, 0]), { reduction: 'sum' }).backward();
    expect(x.grad!.toArray()).toEqual([0, 1, -1]);
    const h = tensor([0, 0.5, -0.5, 1.5], { requiresGrad: true });
    huberLoss(h, tensor([0, 0, 0, 0]), { delta: 0.5, reduction: 'sum' }).backward();
    expect(h.grad!.toArray()).toEqual([0, 0.5, -0.5, 0.5]);
    const s = tensor([0.5, -0.5, 0.25], { requiresGrad: true });
    smoothL1Loss(s, tensor([0, 0, 0]), { beta: 0.5, reduction: 'sum' }).backward();
    expect(s.grad!.toArray()).toEqual([1, -1, 0.5]);
  });

  it('pass gradcheck in float64 with a random upstream gradient, for the input and the target', () => {
    const g = new Generator(4);
    const x = tensor(PRED, { requiresGrad: true });
    const y = tensor(TRUE, { requiresGrad: true });
    const seed = tensor(upstream);
    expect((a: Tensor, b: Tensor) => l1Loss(a, b, { reduction: 'none' }).mul(seed).sum()).toPassGradcheck([x, y]);
    for (const delta of [1, 0.35]) {
      expect((a: Tensor, b: Tensor) => huberLoss(a, b, { delta, reduction: 'none' }).mul(seed).sum()).toPassGradcheck([x, y]);
      expect((a: Tensor, b: Tensor) => smoothL1Loss(a, b, { beta: delta }).mul(1.7)).toPassGradcheck([x, y]);
    }
    const p = rand([6], { generator: g, low: 0.05, high: 0.95, requiresGrad: true });
    const t = rand([6], { generator: g, requiresGrad: true });
    expect((a: Tensor, b: Tensor) => binaryCrossEntropy(a, b, { reduction: 'none' }).mul(seed).sum()).toPassGradcheck([p, t]);
  });

  it('binaryCrossEntropy has second derivatives through its own rule (gradgradcheck)', () => {
    const g = new Generator(6);
    const p = rand([5], { generator: g, low: 0.1, high: 0.9, requiresGrad: true });
    const t = rand([5], { generator: g, requiresGrad: true });
    expect(gradgradcheck((a: Tensor, b: Tensor) => binaryCrossEntropy(a, b), [p, t]).ok).toBe(true);
  });
});

describe('binaryCrossEntropy at p = 0 and p = 1 (issue 12)', () => {
  it('gives PyTorch’s gradients [0, 0, -2] for p = [0, 1, 0.5], t = [0, 1, 1], not NaN', () => {
    const p = tensor([0, 1, 0.5], { requiresGrad: true });
    const loss = binaryCrossEntropy(p, tensor([0, 1, 1]), { reduction: 'sum' });
    expect(loss.item()).toBeCloseTo(Math.LN2, 15);
    loss.backward();
    expect(p.grad!.toArray()).toEqual([0, 0, -2]);
  });

  it('stays finite through a saturated sigmoid', () => {
    const x = tensor([-800, 800, 0.3], { requiresGrad: true });
    const loss = binaryCrossEntropy(x.sigmoid(), tensor([0, 1, 1]));
    loss.backward();
    expect(Array.from(x.grad!.data).every(Number.isFinite)).toBe(true);
  });

  it('clamps the logs at -100: a confidently wrong prediction costs 100', () => {
    expect(binaryCrossEntropy(tensor([0, 1]), tensor([1, 0]), { reduction: 'none' }).toArray()).toEqual([100, 100]);
  });

  it('refuses probabilities outside [0, 1] and NaN, naming the position', () => {
    expect(() => binaryCrossEntropy(tensor([0.5, 1.2]), tensor([1, 0]))).toThrow(TapegradError);
    expect(() => binaryCrossEntropy(tensor([0.5, 1.2]), tensor([1, 0]))).toThrow(
      /binaryCrossEntropy: p must lie in \[0, 1\], got 1.2 at position 1/,
    );
    expect(() => binaryCrossEntropy(tensor([NaN]), tensor([1]))).toThrow(/got NaN at position 0/);
  });
});

describe('against TF.js (float32)', () => {
  const x0 = randn([2, 5], { generator: new Generator(9) });
  const y0 = randn([2, 5], { generator: new Generator(10) });
  const their = (f: (x: tf.Tensor) => tf.Tensor) => {
    const { value, grad } = tf.valueAndGrad(f as (x: tf.Tensor) => tf.Scalar)(tf.tensor2d(Array.from(x0.data), [2, 5]));
    return { value: value.dataSync()[0], grad: Array.from(grad.dataSync()) };
  };
  const ours = (f: (x: Tensor) => Tensor) => {
    const x = x0.detach().clone().setRequiresGrad();
    const loss = f(x);
    loss.backward();
    return { value: loss.item(), grad: Array.from(x.grad!.data) };
  };
  const yTf = () => tf.tensor2d(Array.from(y0.data), [2, 5]);
  const same = (a: { value: number; grad: number[] }, b: { value: number; grad: number[] }) => {
    expect(a.value).toBeCloseTo(b.value, 5);
    expect(a.grad).toBeAllClose(b.grad, { rtol: 1e-4, atol: 1e-6 });
  };

  it('l1Loss = tf.losses.absoluteDifference', () => {
    same(
      ours((x) => l1Loss(x, y0)),
      their((x) => tf.losses.absoluteDifference(yTf(), x, undefined, tf.Reduction.MEAN)),
    );
  });

  it('huberLoss = tf.losses.huberLoss with the same delta', () => {
    same(
      ours((x) => huberLoss(x, y0, { delta: 0.6 })),
      their((x) => tf.losses.huberLoss(yTf(), x, undefined, 0.6, tf.Reduction.MEAN)),
    );
  });

  it('smoothL1Loss = tf.losses.huberLoss(delta = beta) / beta', () => {
    same(
      ours((x) => smoothL1Loss(x, y0, { beta: 0.4, reduction: 'sum' })),
      their((x) => tf.div(tf.losses.huberLoss(yTf(), x, undefined, 0.4, tf.Reduction.SUM), 0.4)),
    );
  });

  it('binaryCrossEntropy = tf.losses.logLoss with epsilon 0, inside (0, 1)', () => {
    const p0 = rand([2, 5], { generator: new Generator(12), low: 0.05, high: 0.95 });
    const t0 = rand([2, 5], { generator: new Generator(13) });
    const p = p0.detach().clone().setRequiresGrad();
    const loss = binaryCrossEntropy(p, t0);
    loss.backward();
    const { value, grad } = tf.valueAndGrad((q: tf.Tensor) =>
      tf.losses.logLoss(tf.tensor2d(Array.from(t0.data), [2, 5]), q, undefined, 0, tf.Reduction.MEAN),
    )(tf.tensor2d(Array.from(p0.data), [2, 5]));
    expect(loss.item()).toBeCloseTo(value.dataSync()[0], 5);
    expect(Array.from(p.grad!.data)).toBeAllClose(Array.from(grad.dataSync()), { rtol: 1e-4, atol: 1e-6 });
  });
});

describe('errors', () => {
  it('name the op and the bad option or shape', () => {
    const x = tensor([1, 2]);
    expect(() => huberLoss(x, x, { delta: 0 })).toThrow(/huberLoss: delta must be a finite number > 0, got 0/);
    expect(() => smoothL1Loss(x, x, { beta: -1 })).toThrow(/smoothL1Loss: beta must be a finite number >= 0, got -1/);
    expect(() => l1Loss(x, tensor([1, 2, 3]))).toThrow(/l1Loss: input \[2\] and target \[3\] must have the same shape/);
    expect(() => l1Loss(x, x, { reduction: 'avg' as 'mean' })).toThrow(/l1Loss: unknown reduction 'avg'/);
  });
});
