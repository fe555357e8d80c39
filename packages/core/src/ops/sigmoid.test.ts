// sigmoid: value 1 / (1 + e^-x), derivative s(1 - s).
import { scalar } from '@tapegrad/core';
import { describeUnary } from '../../test/op-harness';

const logistic = (x: number) => 1 / (1 + Math.exp(-x));
describeUnary({
  name: 'sigmoid',
  apply: (x) => x.sigmoid(),
  value: logistic,
  derivative: (x) => logistic(x) * (1 - logistic(x)),
  domain: [-5, 5],
  secondOrder: true,
});

describe('sigmoid at 0', () => {
  it('is 1/2 with slope 1/4', () => {
    const x = scalar(0);
    const y = x.sigmoid();
    y.backward();
    expect(y.value).toBe(0.5);
    expect(x.grad).toBe(0.25);
  });
});
