// abs: derivative sign(x) away from 0; the chosen subgradient |x|'(0) = 0.
import { scalar, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';

describeOp('abs');

describe('abs at its kink', () => {
  it("picks |x|'(0) = 0 on Tensors and Scalars", () => {
    const x = tensor([-2, 0, 3], { requiresGrad: true });
    x.abs().backward(tensor([1.5, 1.5, 1.5]));
    expect(Array.from(x.grad!.data)).toEqual([-1.5, 0, 1.5]);
    const s = scalar(0);
    s.abs().backward({ seed: 2 });
    expect(s.grad).toBe(0);
  });
});
