// erf: float64 values against Python's math.erf (which uses the C library's erf), the closed-form derivative
// 2/sqrt(pi) e^(-x^2), and the standard proof of op-cases.ts (a Maclaurin-series oracle, gradcheck, Scalars).
import { scalar, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';

describeOp('erf');

// Generated with Python 3.11 (math.erf, glibc 2.36), printed with repr:
//   python3 -c "import math; [print([x, math.erf(x)]) for x in XS]"
// for XS the first column: both sides of every boundary of the kernel's three rational forms (0.46875 and 4), tiny
// and subnormal-adjacent arguments, and the saturated ends.
const PYTHON_ERF: ReadonlyArray<readonly [number, number]> = [
  [-27, -1.0],
  [-6, -1.0],
  [-4.5, -0.9999999998033839],
  [-4, -0.9999999845827421],
  [-3.2, -0.9999939742388483],
  [-2, -0.9953222650189527],
  [-1.3, -0.9340079449406524],
  [-0.75, -0.7111556336535151],
  [-0.46875, -0.49261347321793797],
  [-0.3, -0.3286267594591274],
  [-1e-8, -1.1283791670955126e-8],
  [1e-300, 1.1283791670955126e-300],
  [1e-17, 1.1283791670955127e-17],
  [2.5e-9, 2.8209479177387815e-9],
  [0.001, 0.0011283787909692365],
  [0.05, 0.05637197779701663],
  [0.2, 0.22270258921047847],
  [0.46875, 0.49261347321793797],
  [0.46876, 0.4926225311068465],
  [0.5, 0.5204998778130465],
  [0.8, 0.7421009647076605],
  [1, 0.8427007929497149],
  [1.5, 0.9661051464753108],
  [2, 0.9953222650189527],
  [2.5, 0.999593047982555],
  [3, 0.9999779095030014],
  [3.5, 0.9999992569016276],
  [3.99, 0.9999999832607886],
  [4, 0.9999999845827421],
  [4.01, 0.9999999858030606],
  [4.5, 0.9999999998033839],
  [5, 0.9999999999984626],
  [5.5, 0.9999999999999927],
  [5.9, 0.9999999999999999],
  [6, 1.0],
  [10, 1.0],
  [26.5, 1.0],
  [30, 1.0],
];

describe('erf in float64', () => {
  it("is within 4e-16 relative error of Python's math.erf (about 2 ulps), across the kernel's three ranges", () => {
    const y = tensor(PYTHON_ERF.map(([x]) => x)).erf();
    PYTHON_ERF.forEach(([x, expected], i) => {
      const error = Math.abs(y.data[i] - expected) / Math.abs(expected);
      if (!(error <= 4e-16)) throw new Error(`erf(${x}) = ${y.data[i]}, Python gives ${expected} (relative error ${error})`);
    });
  });

  it('is odd, exact at 0 and -0, +-1 at the infinities and NaN at NaN, on Scalars as on Tensors', () => {
    const y = tensor([0, -0, Infinity, -Infinity, NaN]).erf();
    expect(Array.from(y.data)).toEqual([0, -0, 1, -1, NaN]);
    for (const x of [0.1, 0.46875, 0.9, 3.7, 4.2]) expect(scalar(-x).erf().value).toBe(-scalar(x).erf().value);
  });

  it('has the derivative 2/sqrt(pi) e^(-x^2), times a random upstream gradient', () => {
    const xs = [-3.1, -0.9, -0.2, 0.4, 1.7, 4.6];
    const dy = [0.7, -1.3, 2.1, -0.4, 1.1, 3.3];
    const x = tensor(xs, { requiresGrad: true });
    x.erf().backward(tensor(dy));
    const expected = xs.map((v, i) => ((dy[i] * 2) / Math.sqrt(Math.PI)) * Math.exp(-v * v));
    expect(Array.from(x.grad!.data)).toBeAllClose(expected, { rtol: 1e-15, atol: 0 });
  });
});
