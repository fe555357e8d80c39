// Every typed error names the op and the shapes, dtypes or values at fault.
import {
  AnomalyError,
  DTypeError,
  GradError,
  ShapeError,
  concat,
  detectAnomaly,
  noGrad,
  scalar,
  stack,
  tensor,
  where,
  zeros,
  NDArray,
} from '@tapegrad/core';

describe('ShapeError', () => {
  it('names the op and both shapes when broadcasting fails', () => {
    const f = () => tensor([[1, 2, 3]]).add(tensor([1, 2]));
    expect(f).toThrow(ShapeError);
    expect(f).toThrow('add: shapes [1, 3] and [2] cannot be broadcast together');
  });
  it('names matmul inner sizes', () => {
    expect(() => zeros([2, 3]).matmul(zeros([4, 5]))).toThrow('matmul: inner sizes differ: [2, 3] x [4, 5] (3 vs 4)');
  });
  it('names reshape sizes', () => {
    expect(() => zeros([2, 3]).reshape([4, 2])).toThrow('reshape: cannot reshape [2, 3] (6 elements) into [4, 2]');
  });
  it('names an axis out of range', () => {
    expect(() => zeros([2, 3]).sum(2)).toThrow('sum: axis 2 is out of range for a value of rank 2');
  });
  it('names ragged nested arrays', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
  });
  it('names mismatched concat and stack items', () => {
    expect(() => concat([zeros([2, 3]), zeros([2, 4])], 0)).toThrow(/concat: item 1 has shape \[2, 4\]/);
    expect(() => stack([zeros([2]), zeros([3])])).toThrow(/stack: item 1 has shape \[3\]/);
  });
  it('names an index out of range in gather', () => {
    expect(() => zeros([3, 2]).gather([0, 3])).toThrow('gather: index 3 at position 1 is out of range for an axis of size 3');
  });
});

describe('DTypeError', () => {
  it('refuses gradients on int32 tensors', () => {
    expect(() => tensor([1, 2], { dtype: 'int32', requiresGrad: true })).toThrow(DTypeError);
    expect(() => tensor([1, 2], { dtype: 'int32', requiresGrad: true })).toThrow(
      /requiresGrad: only float32\/float64 tensors can require grad; got int32/,
    );
  });
  it('refuses mixing Scalar and Tensor operands', () => {
    expect(() => tensor([1]).add(scalar(1) as never)).toThrow(/add: operands mix Tensor and Scalar/);
  });
  it('refuses an unknown dtype', () => {
    expect(() => tensor([1], { dtype: 'float16' as never })).toThrow(/unknown dtype float16/);
  });
});

describe('GradError for values mutated after being saved', () => {
  it('refuses a backward that would read a tensor changed in place', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const w = tensor([4, 5, 6], { requiresGrad: true });
    const y = x.mul(w).sum();
    noGrad(() => w.assign(tensor([0, 0, 0])));
    expect(() => y.backward()).toThrow(GradError);
    expect(() => y.backward()).toThrow(/^mul: a value it saved for backward was modified in place/);
  });
  it('refuses a backward that would read a Scalar whose value was reassigned', () => {
    const a = scalar(2);
    const y = a.mul(a);
    a.value = 5;
    expect(() => y.backward()).toThrow(/mul: a value it saved for backward was modified in place/);
  });
  it('refuses a backward that reads an output changed in place (exp saves its output)', () => {
    const x = tensor([0, 1], { requiresGrad: true });
    const y = x.exp();
    y.addInPlace(1);
    expect(() => y.sum().backward()).toThrow(/exp: a value it saved for backward was modified in place/);
  });
  it('allows mutation after backward (under noGrad, as an optimiser step)', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    w.square().sum().backward();
    expect(() => noGrad(() => w.addInPlace(w.grad!, -0.1))).not.toThrow();
    expect(Array.from(w.data)).toEqual([1 - 0.2, 2 - 0.4]);
  });
});

describe('anomaly mode', () => {
  it('names the first op whose forward produced a non-finite value', () => {
    const x = tensor([1, 0], { requiresGrad: true });
    expect(() => detectAnomaly(() => x.log().sum())).toThrow(AnomalyError);
    expect(() => detectAnomaly(() => x.log().sum())).toThrow(/^log forward produced -Infinity at flat index 1/);
  });
  it('names the op whose backward produced a non-finite gradient', () => {
    const x = tensor([4, 0], { requiresGrad: true });
    // sqrt(0) is finite, but its derivative 1/(2 sqrt 0) is not.
    const f = () => detectAnomaly(() => x.sqrt().sum().backward());
    expect(f).toThrow(AnomalyError);
    expect(f).toThrow(/^sqrt backward produced Infinity/);
  });
  it('checks Scalar graphs too, in forward and in backward', () => {
    expect(() => detectAnomaly(() => scalar(-1).log())).toThrow(/^log forward produced NaN/);
    const s = scalar(0);
    expect(() => detectAnomaly(() => s.sqrt().backward())).toThrow(/^sqrt backward produced Infinity/);
  });
  it('lets non-finite values through when off', () => {
    expect(tensor([0]).log().item()).toBe(-Infinity);
  });
});

describe('dtypes of results', () => {
  it('gives a plain number in where the dtype of the other branch, not of cond', () => {
    const a = tensor(new Float32Array([1, 2]));
    expect(where(tensor([1, 0]), a, 0.5).dtype).toBe('float32');
  });
  it('gives float results for leakyRelu and fractional clamp bounds on int32, never truncating', () => {
    const x = tensor([-3, 3], { dtype: 'int32' });
    expect(Array.from(x.leakyRelu(0.5).data)).toEqual([-1.5, 3]);
    expect(Array.from(x.clamp(-1.5, 1.5).data)).toEqual([-1.5, 1.5]);
    expect(x.clamp(-2, 2).dtype).toBe('int32');
  });
});

describe('NDArray', () => {
  it('refuses data whose length does not match the shape', () => {
    expect(() => new NDArray(new Float64Array(5), [2, 3])).toThrow('NDArray: shape [2, 3] needs 6 elements, the data has 5');
  });
});
