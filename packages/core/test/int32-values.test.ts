// Values with no int32 value (NaN, ±Infinity, magnitudes past int32's range) are refused wherever a number becomes
// int32; typed-array conversion would silently make them 0 or wrap them modulo 2^32 (3e10 became -64771072).
// Fractions keep PyTorch's, NumPy's and TF.js's truncation toward zero (docs/decisions.md, "int32 conversion").
import { DTypeError, arange, full, tensor, zeros } from '@tapegrad/core';
import { errorOf } from './error-of';

const range = '(an integer in [-2^31, 2^31 - 1] after truncation toward zero)';

describe('numbers that become int32', () => {
  it('keep truncation toward zero for fractions, up to the ends of the range', () => {
    expect(Array.from(tensor([1.9, -1.9, 2147483647.5, -2147483648.5], { dtype: 'int32' }).data)).toEqual([1, -1, 2147483647, -2147483648]);
    expect(Array.from(tensor(new Float64Array([2.5, -0.5]), { dtype: 'int32' }).data)).toEqual([2, 0]);
    expect(Array.from(tensor([[2147483647.9, -7.2]]).cast('int32').data)).toEqual([2147483647, -7]);
    expect(Array.from(full([2], -3.7, { dtype: 'int32' }).data)).toEqual([-3, -3]);
    expect(Array.from(arange(2147483645, 2147483648, 1, { dtype: 'int32' }).data)).toEqual([2147483645, 2147483646, 2147483647]);
  });

  it.each([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['30000000000', 3e10],
    ['2147483648', 2147483648],
    ['-2147483649', -2147483649],
  ])('refuse %s in tensor(nested, { dtype: int32 }), naming the index', (text, value) => {
    const e = errorOf(() =>
      tensor(
        [
          [1, 2],
          [3, value],
        ],
        { dtype: 'int32' },
      ),
    );
    expect(e).toBeInstanceOf(DTypeError);
    expect(e.message).toBe(`tensor: ${text} at index [1, 1] has no int32 value ${range}`);
  });

  it('refuse them from a float typed array, at their index in the given shape', () => {
    const e = errorOf(() => tensor(new Float64Array([0, 1, 2, NaN, 4, 5]), { dtype: 'int32', shape: [2, 3] }));
    expect(e).toBeInstanceOf(DTypeError);
    expect(e.message).toBe(`tensor: NaN at index [1, 0] has no int32 value ${range}`);
    expect(() => tensor(new Float32Array([Infinity]), { dtype: 'int32' })).toThrow(DTypeError);
  });

  it('refuse them in cast, naming the tensor', () => {
    const e = errorOf(() =>
      tensor(
        [
          [0, 1],
          [5e9, 2],
        ],
        { name: 'counts' },
      ).cast('int32'),
    );
    expect(e).toBeInstanceOf(DTypeError);
    expect(e.message).toBe(`cast: 5000000000 at index [1, 0] of counts has no int32 value ${range}`);
    expect(() =>
      zeros([3])
        .div(zeros([3]))
        .cast('int32'),
    ).toThrow(/^cast: NaN at index \[0\] of/);
  });

  it('refuse them as a fill value or an arange end', () => {
    expect(errorOf(() => full([2], NaN, { dtype: 'int32' })).message).toBe(`full: NaN as the fill value has no int32 value ${range}`);
    expect(errorOf(() => arange(2147483646, 2147483650, 1, { dtype: 'int32' })).message).toBe(
      `arange: 2147483649 as the last value has no int32 value ${range}`,
    );
    expect(() => arange(-3e9, -3e9 + 2, 1, { dtype: 'int32' })).toThrow(DTypeError);
  });

  it('refuse them when written in place into an int32 tensor; a float result is refused as PyTorch refuses it', () => {
    const counts = () => tensor([1, 2], { dtype: 'int32', name: 'counts' });
    // assign truncates toward zero, as copy_ does; integers add and multiply in place.
    expect(Array.from(counts().assign(tensor([1.9, -2.9])).data)).toEqual([1, -2]);
    expect(Array.from(counts().assign(7.5).data)).toEqual([7, 7]);
    expect(Array.from(counts().addInPlace(tensor([3, 4], { dtype: 'int32' }), -2).data)).toEqual([-5, -6]);
    expect(Array.from(counts().mulInPlace(-3).data)).toEqual([-3, -6]);
    const cases: Array<[() => unknown, string]> = [
      [() => counts().assign(tensor([NaN, 1])), `assign: NaN at index [0] of %`],
      [() => counts().assign(Infinity), 'assign: the operand Infinity is not an int32 integer, so int32 counts cannot hold the result'],
      [() => counts().addInPlace(0.5), 'addInPlace: the operand 0.5 is not an int32 integer, so int32 counts cannot hold the result'],
      [
        () => counts().addInPlace(tensor([1, 1])),
        'addInPlace: a float64 operand would make a float result, which int32 counts cannot hold; cast one of them',
      ],
      [() => counts().addInPlace(1, 0.5), 'addInPlace: alpha 0.5 is not an int32 integer, so int32 counts cannot hold the result'],
      [() => counts().mulInPlace(3e9), 'mulInPlace: factor 3000000000 is not an int32 integer, so int32 counts cannot hold the result'],
      [() => counts().mulInPlace(NaN), 'mulInPlace: factor NaN is not an int32 integer, so int32 counts cannot hold the result'],
    ];
    for (const [fn, message] of cases) {
      const e = errorOf(fn);
      expect(e).toBeInstanceOf(DTypeError);
      if (message.endsWith('%')) expect(e.message.startsWith(message.slice(0, -1))).toBe(true);
      else expect(e.message).toBe(message);
    }
    const unchanged = counts();
    expect(() => unchanged.mulInPlace(0.5)).toThrow(DTypeError);
    expect(Array.from(unchanged.data)).toEqual([1, 2]);
  });
});
