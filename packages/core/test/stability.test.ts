// logSumExp, softmax, logSoftmax, softplus and sigmoid stay finite, value and gradient, for logits of
// magnitude 1e4 (where a naive exp overflows to Infinity), and reach the right limits.
import { type Scalar, type Tensor, scalar, tensor } from '@tapegrad/core';

const BIG = 1e4;

function valueAndGrad(f: (x: Tensor) => Tensor, values: number[], dy?: number[]): { y: number[]; dx: number[] } {
  const x = tensor(values, { requiresGrad: true });
  const y = f(x);
  y.backward(dy === undefined ? undefined : tensor(dy));
  return { y: Array.from(y.data), dx: Array.from(x.grad!.data) };
}

function allFinite(...lists: number[][]): boolean {
  return lists.every((l) => l.every(Number.isFinite));
}

describe('logSumExp for logits of magnitude 1e4', () => {
  it.each([
    [[BIG, BIG], BIG + Math.LN2, [0.5, 0.5]],
    [[-BIG, -BIG], -BIG + Math.LN2, [0.5, 0.5]],
    [[BIG, 0], BIG, [1, 0]],
    [[BIG, -BIG], BIG, [1, 0]],
    [[-BIG, 0, BIG], BIG, [0, 0, 1]],
  ])('logSumExp(%j) = %p with gradient softmax = %j', (values, value, grad) => {
    const { y, dx } = valueAndGrad((x) => x.logSumExp(), values);
    expect(allFinite(y, dx)).toBe(true);
    expect(y[0]).toBeCloseTo(value, 9);
    expect(dx).toBeAllClose(grad, { atol: 1e-300 });
  });
  it('is finite over an axis of a mixed ±1e4 matrix', () => {
    const { y, dx } = valueAndGrad((x) => x.reshape([2, 2]).logSumExp(1), [BIG, -BIG, -BIG, -BIG], [2, -1]);
    expect(y[0]).toBe(BIG);
    expect(y[1]).toBeCloseTo(-BIG + Math.LN2, 9);
    expect(dx).toBeAllClose([2, 0, -0.5, -0.5]);
  });
});

describe('softmax and logSoftmax for logits of magnitude 1e4', () => {
  it('softmax([1e4, 0]) = [1, 0] with finite gradients', () => {
    const { y, dx } = valueAndGrad((x) => x.softmax(), [BIG, 0], [0.3, -0.8]);
    expect(y).toEqual([1, 0]);
    // dx = p * (dy - <p, dy>) = [1 * (0.3 - 0.3), 0] = [0, 0]
    expect(allFinite(dx)).toBe(true);
    expect(dx).toBeAllClose([0, 0], { atol: 1e-300 });
  });
  it('softmax([1e4, 1e4, -1e4]) = [1/2, 1/2, 0], with gradient p (dy - <p, dy>)', () => {
    const dy = [1, -1, 2];
    const { y, dx } = valueAndGrad((x) => x.softmax(), [BIG, BIG, -BIG], dy);
    expect(y).toBeAllClose([0.5, 0.5, 0], { atol: 1e-300 });
    // <p, dy> = 0; dx = [0.5 * 1, 0.5 * -1, 0]
    expect(dx).toBeAllClose([0.5, -0.5, 0], { rtol: 1e-12, atol: 1e-300 });
  });
  it('logSoftmax([1e4, 0, -1e4]) = [0, -1e4, -2e4], with gradient dy - softmax sum(dy)', () => {
    const dy = [0.5, 1, -2];
    const { y, dx } = valueAndGrad((x) => x.logSoftmax(), [BIG, 0, -BIG], dy);
    expect(y).toEqual([0, -BIG, -2 * BIG]);
    // softmax = [1, 0, 0], sum(dy) = -0.5
    expect(dx).toBeAllClose([0.5 + 0.5, 1, -2], { rtol: 1e-12 });
  });
  it('cross-entropy of a confidently wrong 1e4 logit is 1e4, not Infinity', () => {
    const logits = tensor([[BIG, -BIG]], { requiresGrad: true });
    const loss = logits
      .logSoftmax()
      .takeAlongAxis(tensor([[1]], { dtype: 'int32' }), 1)
      .neg()
      .sum();
    expect(loss.item()).toBe(2 * BIG);
    loss.backward();
    expect(logits.grad!.toArray()).toEqual([[1, -1]]);
  });
});

describe('softplus and sigmoid for |x| = 1e4', () => {
  it.each([
    // x, softplus(x), softplus'(x) = sigmoid(x), sigmoid'(x)
    [BIG, BIG, 1, 0],
    [-BIG, 0, 0, 0],
    [800, 800, 1, 0],
    [-800, 0, 0, 0],
  ])("at x = %p: softplus = %p, sigmoid = %p, sigmoid' = %p (Tensor and Scalar)", (v, sp, s, ds) => {
    const a = valueAndGrad((x) => x.softplus(), [v]);
    const b = valueAndGrad((x) => x.sigmoid(), [v]);
    expect(allFinite(a.y, a.dx, b.y, b.dx)).toBe(true);
    expect(a.y[0]).toBe(sp);
    expect(a.dx[0]).toBe(s);
    expect(b.y[0]).toBe(s);
    expect(b.dx[0]).toBe(ds);
    const sx = scalar(v);
    const sy: Scalar = sx.softplus().add(sx.sigmoid());
    sy.backward();
    expect(sy.value).toBe(sp + s);
    expect(sx.grad).toBe(s + ds);
  });
  it('keeps the tails accurate: softplus(-30) = e^-30 and sigmoid(-30) = e^-30 / (1 + e^-30)', () => {
    const x = tensor([-30]);
    expect(x.softplus().item()).toBeCloseTo(Math.log1p(Math.exp(-30)), 25);
    expect(x.sigmoid().item() / Math.exp(-30)).toBeCloseTo(1 / (1 + Math.exp(-30)), 14);
  });
  it('stays finite in float32, where exp overflows already at 89', () => {
    const x = tensor([BIG, -BIG, 100, -100], { dtype: 'float32', requiresGrad: true });
    const y = x
      .softplus()
      .add(x.sigmoid())
      .add(x.reshape([2, 2]).logSoftmax().reshape([4]));
    y.sum().backward();
    expect(allFinite(Array.from(y.data), Array.from(x.grad!.data))).toBe(true);
  });
});
