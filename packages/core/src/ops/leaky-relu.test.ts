// leakyRelu: y = x > 0 ? x : slope x; derivative 1 or slope; the chosen subgradient at 0 is the slope.
import { scalar, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';

describeOp('leakyRelu');

describe('leakyRelu', () => {
  it('defaults to slope 0.01', () => {
    const x = tensor([-2, 3], { requiresGrad: true });
    const y = x.leakyRelu();
    expect(Array.from(y.data)).toEqual([-0.02, 3]);
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0.01, 1]);
  });
  it("picks leakyRelu'(0) = slope on Tensors and Scalars", () => {
    const x = tensor([0], { requiresGrad: true });
    x.leakyRelu(0.2).sum().backward();
    expect(x.grad!.data[0]).toBeCloseTo(0.2, 15);
    const s = scalar(0);
    s.leakyRelu(0.3).backward({ seed: 2 });
    expect(s.grad).toBeCloseTo(0.6, 15);
  });
});
