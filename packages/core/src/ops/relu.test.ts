// relu: derivative [x > 0]; the chosen subgradient relu'(0) = 0.
import { scalar, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';

describeOp('relu');

describe('relu at its kink', () => {
  it("picks relu'(0) = 0 on Tensors and Scalars", () => {
    const x = tensor([-1, 0, 2], { requiresGrad: true });
    x.relu().backward(tensor([3, 3, 3]));
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 3]);
    const s = scalar(0);
    s.relu().backward();
    expect(s.grad).toBe(0);
  });
});

describe('relu of NaN', () => {
  // PyTorch, TensorFlow.js, JAX and tapegrad's own leakyRelu give NaN: a NaN must not come out as a clean 0.
  it('passes NaN through on Tensors of both float dtypes and on Scalars', () => {
    const values = [NaN, -1, 0, 2];
    expect(Array.from(tensor(values).relu().data)).toEqual([NaN, 0, 0, 2]);
    expect(Array.from(tensor(new Float32Array(values)).relu().data)).toEqual([NaN, 0, 0, 2]);
    expect(scalar(NaN).relu().value).toBeNaN();
    expect(tensor(values).leakyRelu(0).data[0]).toBeNaN();
  });
  it('passes NaN through the fused addRelu as through relu(a + b)', () => {
    const y = tensor([NaN, -3, 1]).addRelu(tensor([1, 1, 1]));
    expect(Array.from(y.data)).toEqual([NaN, 0, 2]);
  });
});

describe('relu at the edges of the number line', () => {
  // The loops choose without branching (kernels/unary.ts); their bits must be those of max(x, 0) with NaN passing:
  // relu(-Infinity) = +0 (not 0 * -Infinity = NaN), relu(-0) = +0, subnormals kept or zeroed by their sign.
  const xs = [-Infinity, -1e308, -1.5, -5e-324, -0, 0, 5e-324, 1.5, 1e308, Infinity, NaN];
  const relu = (v: number) => (Number.isNaN(v) ? NaN : v > 0 ? v : 0);

  it.each(['float64', 'float32'] as const)('forward, addRelu and the gradient give those bits in %s', (dtype) => {
    const stored = Array.from(tensor(xs, { dtype }).data);
    const forward = Array.from(tensor(xs, { dtype }).relu().data);
    forward.forEach((v, i) => expect(Object.is(v, relu(stored[i]))).toBe(true));
    const fused = Array.from(tensor(xs, { dtype }).addRelu(tensor(new Array(xs.length).fill(0), { dtype })).data);
    fused.forEach((v, i) => expect(Object.is(v, relu(stored[i] + 0))).toBe(true));
    // dx = dy where x > 0, else 0 * dy (a signed zero, or NaN for an infinite or NaN dy), with every kind of dy.
    const dys = [2, -3, Infinity, NaN, -0, 0.5, -Infinity, 7, -2, 1, 3];
    const x = tensor(xs, { dtype, requiresGrad: true });
    x.relu().backward(tensor(dys, { dtype }));
    const dyStored = Array.from(tensor(dys, { dtype }).data);
    Array.from(x.grad!.data).forEach((g, i) => expect(Object.is(g, stored[i] > 0 ? dyStored[i] : 0 * dyStored[i])).toBe(true));
  });
});
