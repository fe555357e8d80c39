// takeAlongAxis (torch.gather, np.take_along_axis) and its adjoint scatterAlongAxis: values against explicit index
// arithmetic on every axis; the gradient worked out by hand (picked twice: both gradients; never picked: 0);
// against TF.js's tf.gather at the flat positions (values and gradient); gradcheck and gradgradcheck through the op
// cases; typed errors for float indices, indices out of range and shapes that differ off the axis.
import * as tf from '@tensorflow/tfjs';
import { DTypeError, ShapeError, type Tensor, takeAlongAxis, tensor } from '@tapegrad/core';
import { lcg } from '../../test/lcg';
import { describeOp } from '../../test/op-cases';
import { type Shape, expectGradients, ravel, sizeOf, uniform, unravel } from '../../test/op-harness';
import { expectSameAsTf, useTfCpu } from '../../test/tfjs-oracle';

describeOp('takeAlongAxis');
describeOp('scatterAlongAxis');

beforeAll(useTfCpu);

/** Seeded int32 indices in [0, n) of `shape`. */
function indicesOf(shape: Shape, n: number, seed: number): Tensor {
  const next = lcg(seed);
  return tensor(
    Int32Array.from({ length: sizeOf(shape) }, () => next() % n),
    { shape },
  );
}

describe('takeAlongAxis', () => {
  it.each([
    [[4], 0, 6],
    [[3, 5], 0, 2],
    [[3, 5], 1, 7],
    [[2, 3, 4], 0, 3],
    [[2, 3, 4], 1, 1],
    [[2, 3, 4], -1, 5],
  ] as Array<[number[], number, number]>)(
    'picks x[..., indices[..., j, ...], ...] from x of shape %j along axis %i (%i picks)',
    (shape, axis, m) => {
      const x = uniform(shape, -2, 2, { seed: 3 });
      const a = axis < 0 ? axis + shape.length : axis;
      const idxShape = shape.map((d, i) => (i === a ? m : d));
      const indices = indicesOf(idxShape, shape[a], 11);
      const y = takeAlongAxis(x, indices, axis);
      expect(y.shape).toEqual(idxShape);
      const expected = Array.from({ length: sizeOf(idxShape) }, (_, t) => {
        const at = unravel(t, idxShape);
        at[a] = indices.data[t];
        return x.data[ravel(at, shape)];
      });
      expect(Array.from(y.data)).toEqual(expected);
    },
  );

  it('sends each gradient to the element picked: both gradients where picked twice, 0 where never picked', () => {
    const x = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    const indices = tensor(
      [
        [2, 2],
        [0, 1],
      ],
      { dtype: 'int32' },
    );
    takeAlongAxis(x, indices, 1).backward(
      tensor([
        [0.5, 0.25],
        [-1, 3],
      ]),
    );
    expect(x.grad!.toArray()).toEqual([
      [0, 0, 0.75],
      [-1, 3, 0],
    ]);
  });

  it('agrees with TF.js tf.gather on the flattened x (values and gradient)', () => {
    // TF.js's gather with batch dimensions has no working gradient; its plain gather at the flat positions
    // (line * 5 + index) is the same selection.
    const indices = indicesOf([3, 4, 6], 5, 5);
    const flat = Array.from(indices.data, (v, t) => Math.floor(t / 6) * 5 + v);
    expectSameAsTf(
      [[3, 4, 5]],
      (x) => takeAlongAxis(x, indices, 2),
      (x) => tf.reshape(tf.gather(tf.reshape(x, [60]), tf.tensor1d(flat, 'int32')), [3, 4, 6]),
    );
  });

  it('passes gradcheck along the first axis, on int32 picks of every row', () => {
    expectGradients(
      (x) => takeAlongAxis(x, indicesOf([5, 3], 4, 9), 0).mul(x.slice([0, 0], [1, 3])),
      [uniform([4, 3], -1, 1, { seed: 8 })],
      {
        secondOrder: true,
      },
    );
  });

  it('refuses float indices, out-of-range indices, mismatched shapes and 0-d x, naming the op', () => {
    const x = uniform([2, 3], -1, 1);
    expect(() => takeAlongAxis(x, tensor([[0], [1]]), 1)).toThrow(DTypeError);
    expect(() => takeAlongAxis(x, tensor([[0], [1]]), 1)).toThrow(/takeAlongAxis: indices must be int32; got float64/);
    expect(() => takeAlongAxis(x, tensor([[0], [3]], { dtype: 'int32' }), 1)).toThrow(
      /takeAlongAxis: index 3 at position 1 is out of range/,
    );
    expect(() => takeAlongAxis(x, tensor([[0], [-1]], { dtype: 'int32' }), 1)).toThrow(ShapeError);
    expect(() => takeAlongAxis(x, tensor([[0, 1]], { dtype: 'int32' }), 1)).toThrow(
      /indices \[1, 2\] must have the shape of x \[2, 3\] except along axis 1/,
    );
    expect(() => takeAlongAxis(x, tensor([0, 1], { dtype: 'int32' }), 1)).toThrow(ShapeError);
    expect(() => takeAlongAxis(x, tensor([[0], [1]], { dtype: 'int32' }), 2)).toThrow(/takeAlongAxis: axis 2 is out of range/);
    expect(() => takeAlongAxis(tensor(1), tensor(0, { dtype: 'int32' }), 0)).toThrow(/takeAlongAxis: x must have at least one axis/);
  });
});
