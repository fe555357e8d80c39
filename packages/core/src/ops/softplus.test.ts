// softplus: value log(1 + e^x), derivative sigmoid(x); softplus'(0) = 1/2 exactly (a fused op, not max + log1p).
import { scalar, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';

describeOp('softplus');

describe('softplus at 0', () => {
  it('is log 2 with slope exactly 1/2 on both node kinds', () => {
    const s = scalar(0);
    const y = s.softplus();
    y.backward();
    expect(y.value).toBeCloseTo(Math.LN2, 15);
    expect(s.grad).toBe(0.5);
    const t = tensor([0], { requiresGrad: true });
    t.softplus().sum().backward();
    expect(Array.from(t.grad!.data)).toEqual([0.5]);
  });
});
