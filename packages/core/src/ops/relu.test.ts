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
