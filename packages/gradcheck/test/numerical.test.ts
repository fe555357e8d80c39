// numericalGradient: central differences in float64, against closed-form derivatives.
import { GradError, type Scalar, type Tensor, scalar, tensor } from '@tapegrad/core';
import { numericalGradient } from '@tapegrad/gradcheck';

describe('numericalGradient', () => {
  it('gives d/dx sum(x^2) = 2x', () => {
    const g = numericalGradient((x: Tensor) => x.square().sum(), tensor([1, -2, 3.5]));
    expect(g.shape).toEqual([3]);
    expect(Array.from(g.data)).toBeAllClose([2, -4, 7], { rtol: 1e-8 });
  });
  it('gives d/dx sin(x) = cos(x) on a Scalar, as a number', () => {
    const g = numericalGradient((x: Scalar) => x.sin(), scalar(0.7));
    expect(typeof g).toBe('number');
    expect(g).toBeCloseTo(Math.cos(0.7), 9);
  });
  it('keeps the input shape and restores the input exactly', () => {
    const x = tensor([
      [0.1, 0.2],
      [0.3, 0.4],
    ]);
    const before = Array.from(x.data);
    const g = numericalGradient(
      (t: Tensor) =>
        t
          .exp()
          .mul(
            tensor([
              [1, 2],
              [3, 4],
            ]),
          )
          .sum(),
      x,
    );
    expect(g.shape).toEqual([2, 2]);
    expect(Array.from(g.data)).toBeAllClose(
      before.map((v, i) => (i + 1) * Math.exp(v)),
      { rtol: 1e-8 },
    );
    expect(Array.from(x.data)).toEqual(before);
  });
  it('accepts plain-number results and an eps, whose truncation error is O(eps^2)', () => {
    const x = tensor([1]);
    const coarse = numericalGradient((t: Tensor) => Math.exp(t.data[0]), x, { eps: 1e-2 });
    // (e^(1+h) - e^(1-h)) / 2h = e sinh(h) / h = e (1 + h^2/6 + ...)
    expect(coarse.data[0]).toBeCloseTo((Math.E * Math.sinh(1e-2)) / 1e-2, 10);
  });
  it('refuses a non-positive eps and a function with more than one output value', () => {
    expect(() => numericalGradient((t: Tensor) => t.sum(), tensor([1]), { eps: 0 })).toThrow(GradError);
    expect(() => numericalGradient((t: Tensor) => t.sum(), tensor([1]), { eps: 0 })).toThrow(
      'numericalGradient: eps must be positive, got 0',
    );
    expect(() => numericalGradient((t: Tensor) => t, tensor([1, 2]))).toThrow(
      /numericalGradient: the function must return a single value, got 2 elements/,
    );
  });
});
