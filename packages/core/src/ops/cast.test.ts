// cast between dtypes: values converted; between float dtypes dx = dy converted back to the input dtype.
import { DTypeError, type Tensor, tensor } from '@tapegrad/core';
import { gradcheck } from '@tapegrad/gradcheck';
import { expectGradients, uniform } from '../../test/op-harness';
import { describeOp } from '../../test/op-cases';

describeOp('cast');

describe('cast', () => {
  it('rounds float64 to the nearest float32 and widens float32 exactly', () => {
    const x = tensor([0.1, 1 / 3, 1e40]);
    const y = x.cast('float32');
    expect(y.dtype).toBe('float32');
    expect(Array.from(y.data)).toEqual([Math.fround(0.1), Math.fround(1 / 3), Infinity]);
    const back = y.cast('float64');
    expect(back.dtype).toBe('float64');
    expect(Array.from(back.data)).toEqual([Math.fround(0.1), Math.fround(1 / 3), Infinity]);
  });
  it('truncates toward zero when casting to int32', () => {
    expect(Array.from(tensor([1.7, -1.7, 2]).cast('int32').data)).toEqual([1, -1, 2]);
  });
  it('returns float64 gradients through a float32 detour (float64 -> float32 -> float64)', () => {
    const x = tensor([0.5, -1.25, 2], { requiresGrad: true });
    x.cast('float32').mul(3).cast('float64').sum().backward();
    expect(x.grad!.dtype).toBe('float64');
    expect(Array.from(x.grad!.data)).toEqual([3, 3, 3]);
  });
  it('returns float32 gradients to a float32 input cast up to float64', () => {
    const x = tensor([0.5, -1.25, 2], { dtype: 'float32', requiresGrad: true });
    x.cast('float64')
      .square()
      .backward(tensor([1, 2, 3]));
    expect(x.grad!.dtype).toBe('float32');
    expect(Array.from(x.grad!.data)).toEqual([1, -5, 12]);
  });
  it('passes gradcheck through float64 -> float32 -> float64 with a step float32 can resolve', () => {
    expectGradients((t) => t.cast('float32').mul(2.5).cast('float64'), [uniform([2, 3], -1, 1)], { eps: 1e-2, atol: 1e-4 });
  });
  it('passes gradcheck for a float32 input (allowFloat32)', () => {
    const x = uniform([4], -1, 1, { dtype: 'float32' });
    const report = gradcheck((t: Tensor) => t.cast('float64').mul(-1.5).sum(), [x], { allowFloat32: true, eps: 1e-2, atol: 1e-4 });
    expect(report.ok).toBe(true);
  });
  it('refuses unknown dtypes and int32 casts of tensors that require grad', () => {
    expect(() => tensor([1]).cast('int8' as never)).toThrow(DTypeError);
    expect(() => tensor([1]).cast('int8' as never)).toThrow('cast: unknown dtype int8');
    expect(() => tensor([1], { requiresGrad: true }).cast('int32')).toThrow(/cast: cannot cast .*, which requires grad, to int32/);
  });
});
