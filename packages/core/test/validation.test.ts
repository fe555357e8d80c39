// Bad input is refused with a typed error that names the op the user called, never coerced or left to a raw
// RangeError/TypeError from deeper down (issue 12).
import {
  DTypeError,
  NDArray,
  ShapeError,
  arange,
  concat,
  eye,
  full,
  ones,
  onesLike,
  rand,
  randn,
  stack,
  tensor,
  zeros,
  zerosLike,
} from '@tapegrad/core';
import { errorOf } from './error-of';

describe('shapes', () => {
  it('refuses negative and fractional sizes even when their product matches the data', () => {
    for (const shape of [
      [-2, -2],
      [2, 1.5, 4 / 3],
    ]) {
      const nested = errorOf(() => tensor([1, 2, 3, 4], { shape }));
      expect(nested).toBeInstanceOf(ShapeError);
      expect(nested.message).toMatch(/^tensor: invalid shape/);
      expect(errorOf(() => tensor(new Float64Array(4), { shape }))).toBeInstanceOf(ShapeError);
      expect(errorOf(() => new NDArray(new Float64Array(4), shape))).toBeInstanceOf(ShapeError);
    }
  });
  it('refuses a shape that is not a list', () => {
    const e = errorOf(() => zeros(3 as never));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toBe('zeros: a shape is a list of sizes such as [2, 3]; got 3');
  });
  it('turns a size too large to allocate into a ShapeError naming the function called', () => {
    const cases: Array<[string, () => unknown]> = [
      ['zeros', () => zeros([1e12])],
      ['ones', () => ones([1e6, 1e6])],
      ['full', () => full([1e12], 2)],
      ['rand', () => rand([1e12])],
      ['randn', () => randn([1e12])],
      ['eye', () => eye(1e6)],
      ['arange', () => arange(1e12)],
    ];
    for (const [op, fn] of cases) {
      const e = errorOf(fn);
      expect(e).toBeInstanceOf(ShapeError);
      expect(e.message).toMatch(new RegExp(`^${op}: cannot allocate a float64 array of shape \\[`));
    }
    const big = errorOf(() => zeros([1]).broadcastTo([1e6, 1e6]));
    expect(big).toBeInstanceOf(ShapeError);
    expect(big.message).toMatch(/^broadcastTo: cannot compute a result this large/);
  });
  it('names zerosLike and onesLike, and refuses a non-Tensor', () => {
    expect(errorOf(() => zerosLike([1, 2] as never)).message).toBe('zerosLike: takes a Tensor; got an array');
    expect(errorOf(() => onesLike(null as never))).toBeInstanceOf(DTypeError);
    expect(Array.from(onesLike(zeros([2])).data)).toEqual([1, 1]);
  });
  it('refuses a non-finite arange bound or a non-number fill value', () => {
    expect(errorOf(() => arange(NaN))).toBeInstanceOf(ShapeError);
    expect(errorOf(() => full([2], 'x' as never)).message).toBe('full: the fill value must be a number; got "x"');
  });
});

describe('indices', () => {
  it('refuses NaN, fractional and out-of-int32 indices in gather instead of coercing them', () => {
    const x = tensor([10, 20, 30]);
    for (const [bad, text] of [
      [NaN, 'NaN'],
      [1.5, '1.5'],
      [-0.5, '-0.5'],
    ] as const) {
      const e = errorOf(() => x.gather([0, bad]));
      expect(e).toBeInstanceOf(DTypeError);
      expect(e.message).toBe(`gather: index ${text} at position 1 is not an integer`);
    }
    // 2 ** 32 would wrap to 0 in an Int32Array.
    expect(errorOf(() => x.gather([2 ** 32])).message).toBe('gather: index 4294967296 at position 0 is out of range for an axis of size 3');
    expect(Array.from(x.gather([2, -1]).data)).toEqual([30, 30]);
  });
  it('refuses takeAlongAxis indices that are not an int32 Tensor', () => {
    const x = tensor([[1, 2, 3]]);
    const list = errorOf(() => x.takeAlongAxis([[0.5]] as never));
    expect(list).toBeInstanceOf(DTypeError);
    expect(list.message).toMatch(/^takeAlongAxis: indices must be an int32 Tensor; got an array/);
    expect(errorOf(() => x.takeAlongAxis(tensor([[0.5]])))).toBeInstanceOf(DTypeError);
  });
});

describe('operands and axes', () => {
  it('refuses an array as an operand (as PyTorch refuses a list in mul), naming the op', () => {
    const t = tensor([1, 2]);
    for (const [op, fn] of [
      ['mul', () => t.mul([1, 2] as never)],
      ['add', () => t.add([1, 2] as never)],
      ['pow', () => t.pow(new Float64Array(2) as never)],
      ['maximum', () => t.maximum([0] as never)],
    ] as const) {
      const e = errorOf(fn);
      expect(e).toBeInstanceOf(DTypeError);
      expect(e.message).toMatch(new RegExp(`^${op}: operand 1 is an? \\w+, expected a Tensor or a number \\(wrap an array with tensor`));
    }
  });
  it('refuses a plain object where an operand belongs, instead of taking it for attributes', () => {
    const e = errorOf(() => tensor([1, 2]).mul({} as never));
    expect(e).toBeInstanceOf(DTypeError);
    expect(e.message).toBe('mul: operand 1 is a plain object, expected a Tensor or a number');
    expect(Array.from(tensor([1, 2]).sum(0, true).data)).toEqual([3]); // attributes still reach ops that take them
  });
  it('refuses axes of the wrong type with a ShapeError naming the op', () => {
    const t = zeros([2, 3]);
    const cases: Array<[string, () => unknown]> = [
      ['sum', () => t.sum('0' as never)],
      ['max', () => t.max('x' as never)],
      ['mean', () => t.mean(['x'] as never)],
      ['argmax', () => t.argmax('x' as never)],
      ['transpose', () => t.transpose(['a', 'b'] as never)],
      ['squeeze', () => t.squeeze(null as never)],
      ['logSumExp', () => t.logSumExp({} as never)],
    ];
    for (const [op, fn] of cases) {
      const e = errorOf(fn);
      expect(e).toBeInstanceOf(ShapeError);
      expect(e.message.startsWith(`${op}: `)).toBe(true);
    }
  });
});

describe('arguments of the wrong type', () => {
  it('are typed errors naming the op: lists for concat/stack, shapes and perms, slopes and bounds', () => {
    const cases: Array<[string, () => unknown, typeof DTypeError | typeof ShapeError]> = [
      ['stack: item 1 is 3, not a Tensor', () => stack([zeros([2]), 3 as never]), DTypeError],
      ['concat: takes a list of Tensors; got Tensor', () => concat(zeros([2]) as never), DTypeError],
      ['reshape: a shape is a list of sizes such as [2, 3]; got "ab"', () => zeros([2]).reshape('ab' as never), ShapeError],
      ['transpose: perm is a list of axes such as [1, 0]; got 1', () => zeros([2, 3]).transpose(1 as never), ShapeError],
      ['matmul: the other operand must be a Tensor, got an array', () => zeros([2, 2]).matmul([[1, 2]] as never), DTypeError],
      ['leakyRelu: slope must be a number; got "a"', () => zeros([2]).leakyRelu('a' as never), DTypeError],
      ['clamp: min and max must be numbers (or undefined); got "a" and Infinity', () => zeros([2]).clamp('a' as never), DTypeError],
    ];
    for (const [message, fn, type] of cases) {
      const e = errorOf(fn);
      expect(e).toBeInstanceOf(type);
      expect(e.message).toBe(message);
    }
  });
});

describe('errors name the op the user called, not the one it is built from', () => {
  it('addInPlace (was broadcastTo)', () => {
    const e = errorOf(() => zeros([2, 2]).addInPlace(tensor([1, 2, 3])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toBe('addInPlace: an operand of shape [3] cannot be added into shape [2, 2]');
  });
  it('the grad setter, which refuses a wrong-shaped gradient before a backward adds into it (was add)', () => {
    const x = tensor([1, 2], { requiresGrad: true, name: 'x' });
    const e = errorOf(() => (x.grad = zeros([3])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toBe(
      'grad: the gradient of x ([2], float64) cannot be a tensor of shape [3], float64; it must match in shape and dtype',
    );
    expect(errorOf(() => (x.grad = zeros([2], { dtype: 'float32' })))).toBeInstanceOf(ShapeError);
    expect(errorOf(() => (x.grad = [1, 2] as never))).toBeInstanceOf(DTypeError);
    x.grad = tensor([1, 1]);
    x.mul(3).sum().backward();
    expect(Array.from(x.grad.data)).toEqual([4, 4]);
  });
});
