// Printing, PyTorch's way: the values part of each expected string is what PyTorch 2.x prints for the same data
// (torch/_tensor_str.py: a common format, rows aligned under the first, 80 columns, the first and last three
// entries of each axis beyond 1000 elements); tapegrad's suffixes follow (shape, dtype, gradFn or requiresGrad).
import { inspect } from 'node:util';
import { NDArray, arange, scalar, tensor } from '@tapegrad/core';

describe('Tensor printing', () => {
  it('prints a leaf as tensor(values, shape, dtype, requiresGrad), rows aligned as PyTorch', () => {
    const x = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    );
    expect(String(x)).toBe('tensor([[1., 2.],\n        [3., 4.]], shape=[2, 2], dtype=float64, requiresGrad=true)');
  });

  it("names the creator's gradient function as PyTorch's grad_fn", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(String(x.mul(2))).toBe('tensor([2., 4.], shape=[2], dtype=float64, gradFn=<MulBackward>)');
    expect(String(x.logSumExp())).toMatch(/gradFn=<LogSumExpBackward>\)$/);
    expect(String(tensor([1, 2], { name: 'w' }))).toBe("tensor([1., 2.], shape=[2], dtype=float64, name='w')");
  });

  it('picks one number format for the whole tensor: fixed with 4 decimals, or scientific across 1000x', () => {
    expect(String(tensor([0.5, -1.25]))).toBe('tensor([ 0.5000, -1.2500], shape=[2], dtype=float64)');
    expect(String(tensor([1e-5, 1]))).toBe('tensor([1.0000e-05, 1.0000e+00], shape=[2], dtype=float64)');
    expect(String(tensor([3, 1e9]))).toBe('tensor([3.0000e+00, 1.0000e+09], shape=[2], dtype=float64)');
    expect(String(tensor([NaN, Infinity, -1.5]))).toBe('tensor([     NaN, Infinity,  -1.5000], shape=[3], dtype=float64)');
    expect(String(tensor([7, -8], { dtype: 'int32' }))).toBe('tensor([ 7, -8], shape=[2], dtype=int32)');
    expect(String(tensor(2.5))).toBe('tensor(2.5000, shape=[], dtype=float64)');
  });

  it('wraps a long row at 80 columns as PyTorch does (14 entries of width 3 per line)', () => {
    expect(String(arange(30))).toBe(
      'tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n' +
        '        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n' +
        '        28., 29.], shape=[30], dtype=float64)',
    );
  });

  it('shortens more than 1000 elements to the first and last 3 of each axis', () => {
    expect(String(arange(2000, undefined, 1, { dtype: 'int32' }))).toBe(
      'tensor([   0,    1,    2,  ..., 1997, 1998, 1999], shape=[2000], dtype=int32)',
    );
    expect(String(arange(10000, undefined, 1, { dtype: 'int32' }).reshape([100, 100]))).toBe(
      [
        'tensor([[   0,    1,    2,  ...,   97,   98,   99],',
        '        [ 100,  101,  102,  ...,  197,  198,  199],',
        '        [ 200,  201,  202,  ...,  297,  298,  299],',
        '        ...,',
        '        [9700, 9701, 9702,  ..., 9797, 9798, 9799],',
        '        [9800, 9801, 9802,  ..., 9897, 9898, 9899],',
        '        [9900, 9901, 9902,  ..., 9997, 9998, 9999]], shape=[100, 100],',
        '       dtype=int32)',
      ].join('\n'),
    );
  });

  it('separates the blocks of a 3-D tensor with a blank line', () => {
    expect(String(arange(8).reshape([2, 2, 2]))).toBe(
      'tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]], shape=[2, 2, 2], dtype=float64)',
    );
  });

  it('is what console.log and util.inspect show, with no internal fields', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x);
    expect(inspect(y)).toBe(String(y));
    const nested = inspect({ y });
    expect(nested).toContain('tensor([1., 4.]');
    expect(nested).not.toMatch(/_array|_creator|_inlineOp|_in0|_version|_pending/);
    expect(inspect(y.raw)).toBe('ndarray([1., 4.], shape=[2], dtype=float64)');
  });
});

describe('Scalar printing', () => {
  it('prints value and grad as micrograd, with the gradient function and the name', () => {
    const a = scalar(3, { name: 'a' });
    const b = a.mul(2);
    expect(String(b)).toBe('Scalar(value=6, grad=0, gradFn=<MulBackward>)');
    b.backward();
    expect(String(a)).toBe("Scalar(value=3, grad=2, name='a')");
    expect(String(scalar(1, { requiresGrad: false }))).toBe('Scalar(value=1, grad=0, requiresGrad=false)');
    expect(inspect(b)).toBe(String(b));
    expect(inspect([a])).not.toMatch(/_value|_inlineOp|_gradValue/);
  });
});

describe('NDArray printing', () => {
  it('prints the values, shape and dtype', () => {
    expect(String(new NDArray(new Float32Array([1.5, 2]), [2, 1]))).toBe(
      'ndarray([[1.5000],\n         [2.0000]], shape=[2, 1], dtype=float32)',
    );
  });
});
