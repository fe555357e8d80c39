// sigmoid: value 1 / (1 + e^-x), derivative s(1 - s).
import { scalar } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';

describeOp('sigmoid');

describe('sigmoid at 0', () => {
  it('is 1/2 with slope 1/4', () => {
    const x = scalar(0);
    const y = x.sigmoid();
    y.backward();
    expect(y.value).toBe(0.5);
    expect(x.grad).toBe(0.25);
  });
});
