// pad: values and gradients against TF.js's tf.pad (positive widths, any value); negative widths (cropping, as
// PyTorch's F.pad) against slice; mixed pad-and-crop on one axis; int32; typed errors for bad widths.
import * as tf from '@tensorflow/tfjs';
import { DTypeError, ShapeError, type Tensor, pad, randn, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import { expectGradients, uniform } from '../../test/op-harness';
import { expectSameAsTf, useTfCpu } from '../../test/tfjs-oracle';

describeOp('pad');

beforeAll(useTfCpu);

describe('pad against TF.js (values and gradient)', () => {
  it.each([
    ['one axis', [5], [[2, 3]], 0],
    [
      '2-D, with a value',
      [2, 3],
      [
        [1, 0],
        [2, 2],
      ],
      -1.5,
    ],
    [
      'NCHW spatial padding',
      [2, 3, 4, 4],
      [
        [0, 0],
        [0, 0],
        [1, 2],
        [3, 1],
      ],
      0,
    ],
    [
      'a middle axis only',
      [2, 3, 2],
      [
        [0, 0],
        [4, 1],
        [0, 0],
      ],
      7,
    ],
  ] as Array<[string, number[], Array<[number, number]>, number]>)('%s', (_name, shape, widths, value) => {
    expectSameAsTf(
      [shape],
      (x) => pad(x, widths, { value }),
      (x) => tf.pad(x, widths, value),
    );
  });
});

describe('pad with negative widths crops, as PyTorch does', () => {
  it('crops both ends like a slice', () => {
    const x = uniform([4, 5], -1, 1, { seed: 1 });
    expect(
      pad(x, [
        [-1, -2],
        [0, -3],
      ]).toArray(),
    ).toEqual(x.slice([1, 0], [1, 2]).toArray());
  });

  it('pads one end and crops the other, with the gradient landing back in place', () => {
    const x = tensor([[1, 2, 3]], { requiresGrad: true });
    const y = pad(
      x,
      [
        [0, 1],
        [-2, 1],
      ],
      { value: 5 },
    );
    expect(y.toArray()).toEqual([
      [3, 5],
      [5, 5],
    ]);
    y.backward(
      tensor([
        [10, 20],
        [30, 40],
      ]),
    );
    expect(x.grad!.toArray()).toEqual([[0, 0, 10]]);
    expectGradients(
      (t) =>
        pad(
          t,
          [
            [1, -1],
            [-2, 2],
          ],
          { value: 0.5 },
        ),
      [uniform([3, 4], -1, 1, { seed: 2 })],
      { secondOrder: true },
    );
  });

  it('crops an axis to nothing', () => {
    expect(
      pad(randn([2, 3]), [
        [0, 0],
        [-3, 0],
      ]).shape,
    ).toEqual([2, 0]);
  });
});

describe('pad on other values', () => {
  it('keeps int32 and float32', () => {
    const i = pad(tensor([1, 2], { dtype: 'int32' }), [[1, 1]], { value: -1 });
    expect(i.dtype).toBe('int32');
    expect(i.toArray()).toEqual([-1, 1, 2, -1]);
    expect(pad(randn([2], { dtype: 'float32' }), [[1, 0]]).dtype).toBe('float32');
  });

  it('pads with -Infinity and NaN', () => {
    expect(pad(tensor([1]), [[1, 0]], { value: -Infinity }).toArray()).toEqual([-Infinity, 1]);
    expect(pad(tensor([1]), [[0, 1]], { value: NaN }).data[1]).toBeNaN();
  });

  it('returns x itself for zero widths, and takes a 0-d tensor with no widths', () => {
    const x = randn([2]);
    expect(pad(x, [[0, 0]])).toBe(x);
    expect(pad(tensor(3), []).item()).toBe(3);
  });
});

describe('pad refuses bad widths with typed errors', () => {
  const x = randn([2, 3]);
  it.each([
    [
      'too few pairs',
      () => pad(x, [[1, 1]]),
      ShapeError,
      /pad: widths must be one \[before, after\] pair per axis of x \[2, 3\] \(2 pairs\); got \[\[1, 1\]\]/,
    ],
    [
      'a pair of three',
      () =>
        pad(x, [
          [1, 1],
          [1, 1, 1],
        ] as unknown as Array<[number, number]>),
      ShapeError,
      /pair per axis/,
    ],
    [
      'a fractional width',
      () =>
        pad(x, [
          [0.5, 0],
          [0, 0],
        ]),
      ShapeError,
      /widths must be integers; got \[\[0.5, 0\], \[0, 0\]\]/,
    ],
    [
      'a crop larger than the axis',
      () =>
        pad(x, [
          [0, 0],
          [-2, -2],
        ]),
      ShapeError,
      /widths \[-2, -2\] crop more than the 3 elements of axis 1 of \[2, 3\]/,
    ],
    [
      'a fractional value on int32',
      () => pad(tensor([1], { dtype: 'int32' }), [[1, 0]], { value: 0.5 }),
      DTypeError,
      /value 0.5 is not an integer, and x is int32/,
    ],
    [
      'a value that is not a number',
      () =>
        pad(
          x,
          [
            [0, 1],
            [0, 0],
          ],
          { value: '1' as unknown as number },
        ),
      DTypeError,
      /value must be a number/,
    ],
    ['an array instead of a Tensor', () => pad([1, 2] as unknown as Tensor, [[1, 1]]), DTypeError, /pad: x must be a Tensor; got an array/],
  ] as Array<[string, () => unknown, typeof ShapeError, RegExp]>)('%s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});
