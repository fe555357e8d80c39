// Creation: tensor from nested arrays, typed arrays and shapes; constant fills, ranges, identity; seeded
// random draws that are reproducible bit for bit; dtypes and the errors for bad input.
import {
  DTypeError,
  Generator,
  ShapeError,
  arange,
  eye,
  full,
  ones,
  onesLike,
  rand,
  randn,
  seed,
  tensor,
  zeros,
  zerosLike,
} from '@tapegrad/core';

const bits = (data: Float64Array | Float32Array | Int32Array) => Array.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));

describe('tensor', () => {
  it('reads nested arrays in row-major order, float64 by default', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(x.shape).toEqual([2, 3]);
    expect(x.dtype).toBe('float64');
    expect(x.data).toBeInstanceOf(Float64Array);
    expect(Array.from(x.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(x.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(x.requiresGrad).toBe(false);
  });
  it('makes 0-d tensors from a number and empty tensors from []', () => {
    expect(tensor(3.5).shape).toEqual([]);
    expect(tensor(3.5).item()).toBe(3.5);
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
  });
  it('takes a typed array with a shape, adopting its dtype and copying the data', () => {
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    const x = tensor(data, { shape: [3, 2] });
    expect([x.dtype, x.shape]).toEqual(['float32', [3, 2]]);
    data[0] = 99;
    expect(x.data[0]).toBe(1);
    expect(tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    expect(tensor(new Float64Array([1, 2])).shape).toEqual([2]);
  });
  it('converts to the requested dtype (float32 rounds, int32 truncates)', () => {
    expect(Array.from(tensor([0.1], { dtype: 'float32' }).data)).toEqual([Math.fround(0.1)]);
    expect(tensor(new Float64Array([1.5, -2.5]), { dtype: 'int32' }).dtype).toBe('int32');
    expect(Array.from(tensor([1.9, -1.9], { dtype: 'int32' }).data)).toEqual([1, -1]);
  });
  it('reshapes nested data to an explicit shape of the same size', () => {
    expect(tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
  it('marks leaves that require grad and names them', () => {
    const x = tensor([1], { requiresGrad: true, name: 'w' });
    expect([x.requiresGrad, x.isLeaf, x.label]).toEqual([true, true, 'w']);
  });
  it.each([
    [() => tensor([[1, 2], [3]]), ShapeError, /tensor: ragged nested array/],
    [() => tensor([1, [2]] as never), ShapeError, /tensor: /],
    [() => tensor(new Float64Array(5), { shape: [2, 3] }), ShapeError, 'tensor: shape [2, 3] needs 6 elements, the data has 5'],
    [() => tensor([1, 2, 3], { shape: [2, 2] }), ShapeError, 'tensor: shape [2, 2] needs 4 elements, the data has 3'],
    [() => tensor(new Float64Array(2), { shape: [-1, -2] }), ShapeError, 'tensor: invalid shape [-1, -2]'],
    [() => tensor([1], { dtype: 'float16' as never }), DTypeError, 'tensor: unknown dtype float16; expected float64, float32 or int32'],
    [() => tensor([1], { dtype: 'int32', requiresGrad: true }), DTypeError, /only float32\/float64 tensors can require grad; got int32/],
  ] as Array<[() => unknown, new (...a: never[]) => Error, string | RegExp]>)('refuses bad input %#', (make, type, message) => {
    expect(make).toThrow(type);
    expect(make).toThrow(message);
  });
});

describe('constant fills, ranges and identity', () => {
  it('zeros, ones and full fill a shape in the requested dtype', () => {
    expect(zeros([2, 3]).toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(ones([2], { dtype: 'float32' }).data).toEqual(new Float32Array([1, 1]));
    expect(full([2, 2], -1.5).toArray()).toEqual([
      [-1.5, -1.5],
      [-1.5, -1.5],
    ]);
    expect(full([3], 7, { dtype: 'int32' }).data).toEqual(new Int32Array([7, 7, 7]));
    expect(zeros([]).shape).toEqual([]);
    expect(zeros([3, 0]).size).toBe(0);
    expect(ones([2], { requiresGrad: true }).requiresGrad).toBe(true);
  });
  it('zerosLike and onesLike copy shape and dtype', () => {
    const t = tensor(new Float32Array(6), { shape: [2, 3] });
    const z = zerosLike(t);
    const o = onesLike(t, { dtype: 'float64' });
    expect([z.shape, z.dtype, o.dtype, o.data[5]]).toEqual([[2, 3], 'float32', 'float64', 1]);
  });
  it.each([
    [[5], [0, 1, 2, 3, 4]],
    [
      [2, 5],
      [2, 3, 4],
    ],
    [
      [0, 1, 0.25],
      [0, 0.25, 0.5, 0.75],
    ],
    [
      [5, 0, -2],
      [5, 3, 1],
    ],
    [[3, 3], []],
    [[3, 1], []],
  ])('arange(%j) = %j (NumPy semantics)', (args, expected) => {
    const [a, b, c] = args as [number, number?, number?];
    expect(Array.from(arange(a, b, c).data)).toEqual(expected);
  });
  it('arange takes a dtype and refuses a zero or infinite step', () => {
    expect(arange(3, undefined, 1, { dtype: 'int32' }).dtype).toBe('int32');
    expect(() => arange(0, 3, 0)).toThrow(ShapeError);
    expect(() => arange(0, 3, 0)).toThrow('arange: step must be a non-zero finite number, got 0');
    expect(() => arange(0, 3, Infinity)).toThrow(ShapeError);
  });
  it('eye(n) and eye(n, m) put ones on the diagonal', () => {
    expect(eye(3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(eye(2, 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(eye(3, 2, { dtype: 'int32' }).data).toEqual(new Int32Array([1, 0, 0, 1, 0, 0]));
    expect(() => eye(-1)).toThrow('eye: invalid shape [-1, -1]');
  });
  it('refuses invalid shapes and dtypes, naming the function', () => {
    expect(() => zeros([2.5])).toThrow('zeros: invalid shape [2.5]'); // zeros, the function called, not the full it uses
    expect(() => ones([2], { dtype: 'bool' as never })).toThrow(DTypeError);
    expect(() => rand([-1])).toThrow('rand: invalid shape [-1]');
    expect(() => randn([2], { dtype: 'x' as never })).toThrow('randn: unknown dtype x; expected float64, float32 or int32');
  });
});

describe('seeded random draws', () => {
  it.each([
    ['rand', rand],
    ['randn', randn],
  ] as const)('%s: the same seed gives identical bits, a different seed different ones', (_name, draw) => {
    seed(42);
    const a = draw([4, 5]);
    const a2 = draw([4, 5]);
    seed(42);
    const b = draw([4, 5]);
    const b2 = draw([4, 5]);
    seed(43);
    const c = draw([4, 5]);
    expect(bits(b.data)).toEqual(bits(a.data));
    expect(bits(b2.data)).toEqual(bits(a2.data));
    expect(bits(a2.data)).not.toEqual(bits(a.data));
    expect(bits(c.data)).not.toEqual(bits(a.data));
  });
  it('draws from a given generator without touching the global one', () => {
    seed(7);
    const expected = rand([3]);
    seed(7);
    const own = randn([3], { generator: new Generator(1) });
    expect(bits(rand([3]).data)).toEqual(bits(expected.data));
    expect(bits(randn([3], { generator: new Generator(1) }).data)).toEqual(bits(own.data));
  });
  it('rand stays in [low, high) and randn has about the requested mean and std', () => {
    seed(1);
    const u = rand([10000], { low: -2, high: 3 });
    expect(Math.min(...u.data)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...u.data)).toBeLessThan(3);
    const n = randn([20000], { mean: 5, std: 2 });
    const values = Array.from(n.data);
    const mean = values.reduce((s, v) => s + v, 0) / n.size;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / n.size);
    // Standard errors: 2/sqrt(2e4) = 0.014 for the mean, about 0.01 for the std.
    expect(Math.abs(mean - 5)).toBeLessThan(0.06);
    expect(Math.abs(sd - 2)).toBeLessThan(0.05);
  });
  it('honours dtype and requiresGrad', () => {
    const x = randn([2, 2], { dtype: 'float32', requiresGrad: true });
    expect([x.dtype, x.requiresGrad, x.data instanceof Float32Array]).toEqual(['float32', true, true]);
  });
});
