// The forward-mode checks themselves: the duality check, gradcheck in forward mode and gradcheck's fast mode pass
// right rules and FAIL wrong ones (a tangent rule that disagrees with its gradient rule, a wrong gradient).
import { DTypeError, GradError, type Scalar, type Tensor, defineOp, scalar, tensor } from '@tapegrad/core';
import { checkDuality, gradcheck } from '@tapegrad/gradcheck';
import { squareOp, x0 } from './squares';

/** x^2 with a right gradient and a tangent rule that is right, forgets the 2, or forgets the tangent. */
const square = (tangent: (tx: Tensor, x: Tensor) => Tensor) => squareOp('square', (dy, x) => dy.mul(x).mul(2), tangent);
const right = square((tx, x) => tx.mul(x).mul(2));
const forgetsTwo = square((tx, x) => tx.mul(x));
const forgetsTangent = square((_tx, x) => x.mul(2));

describe('checkDuality', () => {
  it('passes a tangent rule that is the transpose of the gradient rule, to relative 1e-12', () => {
    const r = checkDuality((x: Tensor) => right(x).tanh(), [x0()]);
    expect(r.ok).toBe(true);
    expect(r.inputs[0].relError).toBeLessThan(1e-14);
    expect(r.inputs[0].forward).not.toBe(0);
  });

  it('fails a tangent rule that forgets a factor, and says which input and by how much', () => {
    const r = checkDuality((x: Tensor) => forgetsTwo(x).tanh(), [x0()]);
    expect(r.ok).toBe(false);
    expect(r.toString()).toMatch(/^checkDuality: FAILED/);
    expect(r.toString()).toMatch(/input 0 .* \(J\): FAIL {2}forward <v, J u> = .* reverse <J\^T v, u> = /);
    expect(r.inputs[0].forward / r.inputs[0].reverse).not.toBeCloseTo(1, 3);
  });

  it('fails a tangent rule that ignores the tangent (a rule that forgets dx, which a unit tangent hides)', () => {
    expect(checkDuality((x: Tensor) => forgetsTangent(x), [x0()]).ok).toBe(false);
  });

  it('checks each input on its own, holding the others still, with list outputs and Scalars', () => {
    const a = tensor([0.3, -0.4], { requiresGrad: true });
    const b = tensor([1.2, 0.7], { requiresGrad: false });
    const s = scalar(0.9);
    const r = checkDuality((x: Tensor, y: Tensor, z: Scalar) => [x.mul(y).exp(), [x.sum().tanh(), z.sin().mul(z)]], [a, b, s]);
    expect(r.inputs.map((e) => e.input)).toEqual([0, 2]);
    expect(r.ok).toBe(true);
  });

  it('checks second order too: forward over reverse against reverse over reverse', () => {
    const r = checkDuality((x: Tensor) => right(x).sin().sum(), [x0()], { secondOrder: true });
    expect(r.inputs.map((e) => e.map)).toEqual(['J', 'H']);
    expect(r.ok).toBe(true);
  });

  it('refuses float32 inputs and inputs that need no gradient', () => {
    const x32 = tensor(new Float32Array([1, 2]), { requiresGrad: true });
    expect(() => checkDuality((x: Tensor) => x.exp(), [x32])).toThrow(DTypeError);
    expect(() => checkDuality((x: Tensor) => x.exp(), [tensor([1])])).toThrow(GradError);
  });
});

describe('gradcheck in forward mode', () => {
  it('passes a right tangent rule against central differences, one jvp per element', () => {
    const r = gradcheck((x: Tensor) => right(x).tanh(), [x0()], { mode: 'forward' });
    expect(r.toString()).toMatch(/^gradcheck \(forward mode\): passed/);
  });

  it('fails a wrong tangent rule, element by element', () => {
    const r = gradcheck((x: Tensor) => forgetsTwo(x).tanh(), [x0()], { mode: 'forward' });
    expect(r.ok).toBe(false);
    expect(r.inputs[0].failures.length).toBeGreaterThan(0);
    // ...which reverse mode does not see: the gradient rule is right.
    expect(gradcheck((x: Tensor) => forgetsTwo(x).tanh(), [x0()]).ok).toBe(true);
  });
});

describe('gradcheck in fast mode', () => {
  it('checks one random direction per input, by reverse and by forward mode, on a large input', () => {
    const big = tensor(
      Float64Array.from({ length: 4000 }, (_, i) => Math.sin(i)),
      { requiresGrad: true },
    );
    const w = tensor(
      Float64Array.from({ length: 4000 }, (_, i) => Math.cos(3 * i)),
      { requiresGrad: true },
    );
    const r = gradcheck((x: Tensor, y: Tensor) => x.mul(y).tanh().sum(), [big, w], { fast: true });
    expect(r.toString()).toMatch(/^gradcheck \(fast: one random direction per input\): passed/);
    expect(r.inputs[0].worst).not.toBeNull();
  });

  it('fails a wrong gradient rule and a wrong tangent rule, naming which mode disagrees', () => {
    const wrongGradient = defineOp({
      name: 'wrongGradient',
      forward: (_ctx, x: Tensor) => x.mul(3),
      backward: (_ctx, dy: Tensor) => [dy.mul(2)],
      tangent: (_m, _ctx, tx) => tx!.mul(3),
    });
    const r = gradcheck((x: Tensor) => wrongGradient(x).sum(), [x0()], { fast: true });
    expect(r.ok).toBe(false);
    expect(r.toString()).toMatch(/reverse mode <grad, u>: analytic/);
    expect(r.toString()).not.toMatch(/forward mode J u: analytic/);
    const t = gradcheck((x: Tensor) => forgetsTwo(x).sum(), [x0()], { fast: true });
    expect(t.toString()).toMatch(/forward mode J u: analytic/);
  });

  it('works on Scalars and restores every input exactly', () => {
    const a = scalar(0.4);
    const b = scalar(-1.1);
    const r = gradcheck((s: Scalar, t: Scalar) => s.exp().mul(t.sin()), [a, b], { fast: true });
    expect(r.ok).toBe(true);
    expect([a.value, b.value]).toEqual([0.4, -1.1]);
    const x = x0();
    const before = Array.from(x.data);
    expect(gradcheck((t: Tensor) => t.exp().sum(), [x], { fast: true }).ok).toBe(true);
    expect(Array.from(x.data)).toEqual(before);
  });
});
