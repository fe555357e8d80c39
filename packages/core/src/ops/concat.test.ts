// concat along an axis (and stack along a new one): dx_i = the slice of dy that x_i occupies.
import { DTypeError, ShapeError, type Tensor, concat, stack, tensor, zeros } from '@tapegrad/core';
import { expectGradients, uniform } from '../../test/op-harness';
import { describeOp } from '../../test/op-cases';

describeOp('concat');

const CASES: Array<[number[][], number]> = [
  [
    [
      [2, 3],
      [1, 3],
    ],
    0,
  ],
  [
    [
      [2, 3],
      [2, 1],
      [2, 2],
    ],
    1,
  ],
  [
    [
      [2, 3],
      [2, 2],
    ],
    -1,
  ],
  [
    [
      [2, 1, 2],
      [2, 3, 2],
    ],
    1,
  ],
  [[[3], [2]], 0],
];

describe('concat', () => {
  it.each(CASES)('joins %j along axis %p', (shapes, axis) => {
    const xs = shapes.map((s, i) => uniform(s, -1, 1, { seed: i + 1 }));
    const y = concat(xs, axis);
    const a = axis < 0 ? axis + shapes[0].length : axis;
    const expectedShape = shapes[0].map((d, k) => (k === a ? shapes.reduce((n, s) => n + s[a], 0) : d));
    expect(y.shape).toEqual(expectedShape);
    // Element by element: offsets along `axis` pick the source tensor.
    const back = xs.map((x, i) =>
      y.slice(
        expectedShape.map((_, k) => (k === a ? shapes.slice(0, i).reduce((n, s) => n + s[a], 0) : 0)),
        x.shape,
      ),
    );
    back.forEach((b, i) => expect(Array.from(b.data)).toEqual(Array.from(xs[i].data)));
  });
  it.each(CASES)('passes gradcheck joining %j along axis %p', (shapes, axis) => {
    expectGradients(
      (...xs: Tensor[]) => concat(xs, axis),
      shapes.map((s, i) => uniform(s, -1, 1, { seed: i + 5 })),
    );
  });
  it('joins known values and gives each input its part of dy', () => {
    const a = tensor([[1, 2]], { requiresGrad: true });
    const b = tensor(
      [
        [3, 4],
        [5, 6],
      ],
      { requiresGrad: true },
    );
    const y = concat([a, b], 0);
    expect(y.toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    y.backward(
      tensor([
        [0.5, 1],
        [2, 3],
        [4, 5],
      ]),
    );
    expect(a.grad!.toArray()).toEqual([[0.5, 1]]);
    expect(b.grad!.toArray()).toEqual([
      [2, 3],
      [4, 5],
    ]);
  });
  it('promotes dtypes and passes gradients back in each input dtype', () => {
    const a = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const b = tensor([3], { requiresGrad: true });
    const y = concat([a, b]);
    expect(y.dtype).toBe('float64');
    y.mul(2).sum().backward();
    expect(a.grad!.dtype).toBe('float32');
    expect(Array.from(a.grad!.data)).toEqual([2, 2]);
  });
  it('refuses mismatched shapes, an empty list and non-tensors, naming the item', () => {
    expect(() => concat([zeros([2, 3]), zeros([3, 3])], 1)).toThrow(ShapeError);
    expect(() => concat([zeros([2, 3]), zeros([3, 3])], 1)).toThrow(
      'concat: item 1 has shape [3, 3], which does not match [2, 3] outside axis 1',
    );
    expect(() => concat([])).toThrow('concat: needs at least one tensor');
    expect(() => concat([zeros([2]), [1, 2] as never])).toThrow(DTypeError);
  });
});

describe('stack', () => {
  const SHAPES: Array<[number[], number]> = [
    [[2, 3], 0],
    [[2, 3], 1],
    [[2, 3], -1],
    [[], 0],
    [[3], 1],
  ];
  it.each(SHAPES)('stacks three %j tensors along new axis %p', (shape, axis) => {
    const xs = [1, 2, 3].map((s) => uniform(shape, -1, 1, { seed: s }));
    const y = stack(xs, axis);
    const a = axis < 0 ? axis + shape.length + 1 : axis;
    const expectedShape = [...shape.slice(0, a), 3, ...shape.slice(a)];
    expect(y.shape).toEqual(expectedShape);
    xs.forEach((x, i) => {
      const part = y.slice(
        expectedShape.map((_, k) => (k === a ? i : 0)),
        expectedShape.map((d, k) => (k === a ? 1 : d)),
      );
      expect(Array.from(part.data)).toEqual(Array.from(x.data));
    });
    expectGradients((...ts: Tensor[]) => stack(ts, axis), xs);
  });
  it('refuses different shapes', () => {
    expect(() => stack([zeros([2]), zeros([3])])).toThrow('stack: item 1 has shape [3], item 0 has [2]');
  });
});
