// clamp(x, lo, hi): derivative [lo <= x <= hi]; the bounds themselves pass the gradient (PyTorch's choice).
import { ShapeError, scalar, tensor } from '@tapegrad/core';
import { describeUnary } from '../../test/op-harness';
import { describeOp } from '../../test/op-cases';

describeOp('clamp');
describeUnary({
  name: 'clamp(min only)',
  apply: (x) => x.clamp(0.25),
  value: (x) => Math.max(x, 0.25),
  derivative: (x) => (x >= 0.25 ? 1 : 0),
  kinks: [0.25],
});
describeUnary({
  name: 'clamp(max only)',
  apply: (x) => x.clamp(undefined, 0.25),
  value: (x) => Math.min(x, 0.25),
  derivative: (x) => (x <= 0.25 ? 1 : 0),
  kinks: [0.25],
});

describe('clamp at its bounds', () => {
  it('passes the gradient at exactly lo and hi, on Tensors and Scalars', () => {
    const x = tensor([-2, -1, 0, 1, 2], { requiresGrad: true });
    x.clamp(-1, 1).backward(tensor([2, 2, 2, 2, 2]));
    expect(Array.from(x.grad!.data)).toEqual([0, 2, 2, 2, 0]);
    for (const v of [-1, 1]) {
      const s = scalar(v);
      s.clamp(-1, 1).backward({ seed: 3 });
      expect(s.grad).toBe(3);
    }
  });
  it('refuses min > max with an error naming clamp and both bounds', () => {
    expect(() => tensor([1]).clamp(2, 1)).toThrow(ShapeError);
    expect(() => tensor([1]).clamp(2, 1)).toThrow('clamp: min 2 is greater than max 1');
  });
});
