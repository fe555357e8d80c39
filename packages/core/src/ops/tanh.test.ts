// tanh: derivative 1 - tanh(x)^2.
import { Generator, tensor } from '@tapegrad/core';
import { describeUnary } from '../../test/op-harness';

describeUnary({ name: 'tanh', apply: (x) => x.tanh(), value: Math.tanh, derivative: (x) => 1 - Math.tanh(x) ** 2, domain: [-3, 3], secondOrder: true });

describe('tanh of float32 tensors', () => {
  // The float32 kernel is a rational approximation; its bound is in float32 ulps of the exact Math.tanh value.
  function ulpError(got: number, exact: number): number {
    const magnitude = Math.abs(Math.fround(exact));
    const ulp = magnitude === 0 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(magnitude)) - 23);
    return Math.abs(got - exact) / ulp;
  }

  it('stays within 3 float32 ulps of Math.tanh over eight decades of |x|, both signs', () => {
    const g = new Generator(7);
    const values = Float32Array.from({ length: 200_000 }, () => (g.uniform() < 0.5 ? -1 : 1) * 10 ** (-7 + 8 * g.uniform()));
    const y = tensor(values, { dtype: 'float32' }).tanh();
    let worst = 0;
    for (let i = 0; i < values.length; i++) worst = Math.max(worst, ulpError(y.data[i], Math.tanh(values[i])));
    expect(worst).toBeLessThanOrEqual(3);
  });

  it('is exact at 0, -0, the saturated ends, infinities and NaN', () => {
    const y = tensor(Float32Array.of(0, -0, 12, -30, Infinity, -Infinity, NaN), { dtype: 'float32' }).tanh();
    expect(Array.from(y.data)).toEqual([0, -0, 1, -1, 1, -1, NaN]);
  });

  it('is an odd function, bit for bit', () => {
    const x = tensor(Float32Array.of(0.1, 0.5, 1.5, 3, 7.5), { dtype: 'float32' });
    expect(Array.from(x.neg().tanh().data)).toEqual(Array.from(x.tanh().data, (v) => -v));
  });
});
