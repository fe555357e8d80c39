// The Jest matchers registered by @tapegrad/gradcheck/jest (through the root jest.setup.ts).
import { type Tensor, scalar, tensor } from '@tapegrad/core';
import { allClose } from '@tapegrad/gradcheck';
import { squareOp } from './squares';

const halfSquare = squareOp('wrongSquare', (dy, x) => dy.mul(x));

describe('toPassGradcheck', () => {
  it('passes a correct function and fails a wrong rule with the report in the message', () => {
    const x = tensor([0.5, -1, 2], { requiresGrad: true });
    expect((t: Tensor) => t.tanh().mul(t)).toPassGradcheck([x]);
    expect((t: Tensor) => halfSquare(t)).not.toPassGradcheck([x]);
    const failing = () => expect((t: Tensor) => halfSquare(t)).toPassGradcheck([x]);
    expect(failing).toThrow(/gradcheck: FAILED/);
    expect(failing).toThrow(/input 0 %\d+ \[3\]: FAIL/);
    expect(failing).toThrow(/at \[\d\] \(flat \d\): analytic -?[\d.e-]+ {2}numeric -?[\d.e-]+ {2}abs error [\d.e-]+ {2}rel error/);
  });
  it('passes options through (float32 needs allowFloat32)', () => {
    const x = tensor([0.5, 1], { dtype: 'float32', requiresGrad: true });
    expect(() => expect((t: Tensor) => t.sum()).toPassGradcheck([x])).toThrow(/float32/);
    expect((t: Tensor) => t.mul(3).sum()).toPassGradcheck([x], { allowFloat32: true, eps: 1e-2, atol: 1e-3 });
  });
  it('works on Scalars', () => {
    expect((a: ReturnType<typeof scalar>, b: ReturnType<typeof scalar>) => a.mul(b).exp()).toPassGradcheck([scalar(0.3), scalar(-0.4)]);
  });
});

describe('toBeAllClose', () => {
  it('compares elementwise with |a - e| <= atol + rtol |e|', () => {
    expect([1, 2, 3]).toBeAllClose([1, 2, 3 + 1e-10], { rtol: 1e-9 });
    expect([1, 2, 3]).not.toBeAllClose([1, 2, 3.1], { rtol: 1e-3 });
    expect([0]).toBeAllClose([1e-9], { atol: 1e-8 });
    expect([0]).not.toBeAllClose([1e-9]);
  });
  it('takes numbers, Scalars, Tensors, typed arrays and nested arrays, checking shapes', () => {
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ]),
    ).toBeAllClose([
      [1, 2],
      [3, 4],
    ]);
    expect(scalar(2)).toBeAllClose(2);
    expect(new Float32Array([0.5])).toBeAllClose([0.5]);
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ]),
    ).not.toBeAllClose([[1, 2, 3, 4]]);
    expect(allClose([1, 2], [1, 2, 3]).message).toBe('shapes differ: received [2], expected [3]');
  });
  it('never equals NaN, and an infinity only equals itself', () => {
    expect([NaN]).not.toBeAllClose([NaN]);
    expect([1]).not.toBeAllClose([NaN], { atol: Infinity });
    expect([Infinity, -Infinity]).toBeAllClose([Infinity, -Infinity]);
    expect([Infinity]).not.toBeAllClose([-Infinity]);
    expect([Infinity]).not.toBeAllClose([1e308], { rtol: 1 });
    expect([1e308]).not.toBeAllClose([Infinity], { atol: Infinity });
  });
  it('reports the differing elements worst first in its failure message', () => {
    const fail = () => expect([1, 2, 3]).toBeAllClose([1, 2.5, 5]);
    expect(fail).toThrow(
      /2 of 3 elements differ beyond atol 0 \+ rtol 1e-7 \(worst first\):\n {2}at flat index 2: received 3, expected 5, abs error 2\n {2}at flat index 1/,
    );
    expect(() => expect([1]).not.toBeAllClose([1])).toThrow(/expected values not to be all close/);
  });
});
