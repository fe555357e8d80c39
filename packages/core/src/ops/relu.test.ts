// relu: derivative [x > 0]; the chosen subgradient relu'(0) = 0.
import { scalar, tensor } from '@tapegrad/core';
import { describeUnary } from '../../test/op-harness';

describeUnary({ name: 'relu', apply: (x) => x.relu(), value: (x) => Math.max(x, 0), derivative: (x) => (x > 0 ? 1 : 0), kinks: [0] });

describe('relu at its kink', () => {
  it("picks relu'(0) = 0 on Tensors and Scalars", () => {
    const x = tensor([-1, 0, 2], { requiresGrad: true });
    x.relu().backward(tensor([3, 3, 3]));
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 3]);
    const s = scalar(0);
    s.relu().backward();
    expect(s.grad).toBe(0);
  });
});
