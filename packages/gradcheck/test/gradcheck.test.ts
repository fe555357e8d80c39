// The checker itself: it passes correct rules and FAILS wrong ones, and its report says where and by how much.
import { DTypeError, GradError, type Scalar, type Tensor, scalar, tensor } from '@tapegrad/core';
import { gradcheck, gradgradcheck } from '@tapegrad/gradcheck';
import { squareOp, x0 } from './squares';

/** square with a correct rule and with classic mistakes. */
const square = squareOp('square', (dy, x) => dy.mul(x).mul(2));
const squareForgetsTwo = squareOp('squareForgetsTwo', (dy, x) => dy.mul(x));
const squareForgetsDy = squareOp('squareForgetsDy', (_dy, x) => x.mul(2));
/** Right first derivative, but the rule uses a detached x, so its own derivative (the second one) is lost. */
const squareDetachedRule = squareOp('squareDetachedRule', (dy, x) => dy.mul(x.detach()).mul(2));

describe('gradcheck', () => {
  it('passes a correct rule, for a non-scalar output through the random projection', () => {
    const r = gradcheck((x: Tensor) => square(x), [x0()]);
    expect(r.ok).toBe(true);
    expect(r.inputs).toHaveLength(1);
    expect(r.inputs[0].maxAbsError).toBeLessThan(1e-8);
    expect(r.inputs[0].failures).toEqual([]);
  });

  it('fails a rule that forgets the factor 2, reporting the worst element', () => {
    const x = x0();
    const r = gradcheck((t: Tensor) => squareForgetsTwo(t).sum(), [x]);
    expect(r.ok).toBe(false);
    const { worst, maxAbsError, maxRelError } = r.inputs[0];
    // analytic x, numeric 2x: the worst is the largest |x| (2 at flat index 2), abs error |x| = 2, rel error 1/2.
    expect(worst).toMatchObject({ index: 2, position: [0, 2] });
    expect(worst!.analytic).toBeCloseTo(2, 12);
    expect(worst!.numeric).toBeCloseTo(4, 6);
    expect(maxAbsError).toBeCloseTo(2, 6);
    expect(maxRelError).toBeCloseTo(0.5, 6);
    expect(r.inputs[0].failures).toHaveLength(6);
  });

  it('fails a rule that forgets dy, even though a unit upstream gradient would hide it', () => {
    // Through .sum() the upstream is all ones, so only the random projection of the non-scalar output exposes it.
    expect(gradcheck((t: Tensor) => squareForgetsDy(t).sum(), [x0()]).ok).toBe(true);
    expect(gradcheck((t: Tensor) => squareForgetsDy(t), [x0()]).ok).toBe(false);
    expect(gradcheck((t: Tensor) => squareForgetsDy(t).sum().mul(3), [x0()]).ok).toBe(false);
  });

  it('checks only inputs that require grad, reporting their argument positions', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4]);
    const c = tensor([0.5, 0.25], { requiresGrad: true, name: 'c' });
    const r = gradcheck((p: Tensor, q: Tensor, s: Tensor) => p.mul(q).mul(s), [a, b, c]);
    expect(r.ok).toBe(true);
    expect(r.inputs.map((i) => [i.input, i.label, i.shape])).toEqual([
      [0, a.label, [2]],
      [2, 'c', [2]],
    ]);
  });

  it('works on Scalars and leaves their values and versions unchanged', () => {
    const a = scalar(1.5);
    const b = scalar(-0.5);
    const r = gradcheck((p: Scalar, q: Scalar) => p.mul(q).sin(), [a, b]);
    expect(r.ok).toBe(true);
    expect([a.value, b.value]).toEqual([1.5, -0.5]);
    expect(a.grad).toBe(0);
  });

  it('describes the result in toString: title, tolerances, per-input line, failing elements worst first', () => {
    const r = gradcheck((t: Tensor) => squareForgetsTwo(t).sum(), [x0()], { eps: 1e-6, atol: 1e-5, rtol: 1e-3 });
    const text = r.toString();
    expect(text).toMatch(/^gradcheck: FAILED \(eps 0.000001, atol 0.00001, rtol 0.001\)/);
    expect(text).toMatch(/input 0 %\d+ \[2, 3\]: FAIL {2}max abs error 2(\.0+\d*)?, max rel error 0\.5/);
    const lines = text.split('\n').filter((l) => l.includes('at ['));
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/at \[0, 2\] \(flat 2\): analytic 2 {2}numeric 4(\.0+\d*)? {2}abs error 2/);
    expect(gradcheck((t: Tensor) => square(t), [x0()]).toString()).toMatch(/^gradcheck: passed .*\n {2}input 0 .*: ok/);
  });

  it('refuses float32 inputs with a clear error unless allowFloat32 is set', () => {
    const x = tensor([0.5, 1], { dtype: 'float32', requiresGrad: true });
    const f = (t: Tensor) => t.mul(t).sum();
    expect(() => gradcheck(f, [x])).toThrow(DTypeError);
    expect(() => gradcheck(f, [x])).toThrow(/gradcheck: input 0 .* is float32; float32 central differences are too coarse/);
    expect(gradcheck(f, [x], { allowFloat32: true, eps: 1e-2, atol: 1e-3, rtol: 1e-2 }).ok).toBe(true);
  });

  it('refuses calls with nothing to check, non-nodes, and a non-single output from the function', () => {
    expect(() => gradcheck((t: Tensor) => t.sum(), [tensor([1])])).toThrow(GradError);
    expect(() => gradcheck((t: Tensor) => t.sum(), [tensor([1])])).toThrow(
      'gradcheck: no input requires grad, so there is nothing to check',
    );
    expect(() => gradcheck((t: Tensor) => t, [[1, 2] as never])).toThrow('gradcheck: input 0 is object; pass Scalars or Tensors');
  });

  it('uses the seed option for the projection, and a different seed still passes a correct rule', () => {
    expect(gradcheck((t: Tensor) => square(t).tanh(), [x0()], { seed: 5 }).ok).toBe(true);
  });
});

describe('gradgradcheck', () => {
  it('passes a rule written with differentiable ops', () => {
    expect(gradgradcheck((t: Tensor) => square(t).sum(), [x0()]).ok).toBe(true);
    expect(gradgradcheck((t: Tensor) => t.tanh().mul(t.sin()), [x0()]).ok).toBe(true);
  });

  it('catches a rule whose backward uses a detached value (first derivative right, second wrong)', () => {
    expect(gradcheck((t: Tensor) => squareDetachedRule(t), [x0()]).ok).toBe(true);
    const r = gradgradcheck((t: Tensor) => squareDetachedRule(t), [x0()]);
    expect(r.ok).toBe(false);
    expect(r.toString()).toMatch(/^gradgradcheck: FAILED/);
  });

  it('checks Scalar functions: d2/dx2 of x^3 is 6x', () => {
    expect(gradgradcheck((s: Scalar) => s.pow(3), [scalar(0.7)]).ok).toBe(true);
  });
});
