// pow: da = dy b a^(b-1), db = dy a^b ln a (a > 0).
import { scalar, tensor } from '@tapegrad/core';
import { expectGradients } from '../../test/op-harness';
import { describeOp } from '../../test/op-cases';

describeOp('pow');

describe('pow with a negative base and a constant integer exponent', () => {
  it('differentiates x^3 for x < 0 (no log of a negative number is taken)', () => {
    const x = tensor([-2, -0.5, 1.5], { requiresGrad: true });
    const y = x.pow(3);
    expect(Array.from(y.data)).toEqual([-8, -0.125, 3.375]);
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([12, 0.75, 6.75]);
    expectGradients((t) => t.pow(3), [tensor([-2, -0.5, 1.5], { requiresGrad: true })], { secondOrder: true });
  });
});

describe('pow at a zero base', () => {
  it('gives d(0^b)/db = 0 for b > 0 (not 0 * log 0 = NaN), on Tensors and Scalars', () => {
    const a = tensor([0, 2], { requiresGrad: true });
    const b = tensor([2, 3], { requiresGrad: true });
    a.pow(b).sum().backward();
    expect(Array.from(a.grad!.data)).toEqual([0, 12]);
    expect(b.grad!.data[0]).toBe(0);
    expect(b.grad!.data[1]).toBeCloseTo(8 * Math.log(2), 14);
    const [sa, sb] = [scalar(0), scalar(1.5)];
    sa.pow(sb).backward();
    expect([sa.grad, sb.grad]).toEqual([0, 0]);
  });
});

describe('pow with a zero exponent', () => {
  it('gives d(a^0)/da = 0 everywhere, including a = 0 (not 0 * 0^-1 = NaN)', () => {
    const a = tensor([0, 2, -3], { requiresGrad: true });
    const y = a.pow(0);
    expect(Array.from(y.data)).toEqual([1, 1, 1]);
    y.sum().backward();
    expect(Array.from(a.grad!.data)).toEqual([0, 0, 0]);
  });
});
