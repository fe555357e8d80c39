// embedding: rows looked up exactly; the weight's gradient as a scatter-add worked out by hand (repeated indices
// accumulate, the padding row gets nothing, also with a negative paddingIdx); against TF.js's tf.gather (values and
// gradient); gradcheck and gradgradcheck; typed errors for float indices, indices out of range and bad weights.
import * as tf from '@tensorflow/tfjs';
import type { Tensor } from '@tapegrad/core';
import { DTypeError, ShapeError, concat, embedding, jvp, randn, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import { expectGradients, uniform } from '../../test/op-harness';
import { expectSameAsTf, useTfCpu } from '../../test/tfjs-oracle';

describeOp('embedding');

beforeAll(useTfCpu);

const ids = (rows: number[][]) => tensor(rows, { dtype: 'int32' });

describe('embedding', () => {
  const weight = () =>
    tensor(
      [
        [1, 2],
        [3, 4],
        [5, 6],
        [7, 8],
      ],
      { requiresGrad: true },
    );

  it('looks rows up, giving [...indices.shape, dim]', () => {
    const y = embedding(ids([[3, 0, 3]]), weight());
    expect(y.toArray()).toEqual([
      [
        [7, 8],
        [1, 2],
        [7, 8],
      ],
    ]);
  });

  it('sums the gradients of repeated indices into their row (scatter-add), by hand', () => {
    const w = weight();
    embedding(
      ids([
        [3, 0],
        [3, 1],
      ]),
      w,
    ).backward(
      tensor([
        [
          [0.5, 1],
          [2, 3],
        ],
        [
          [10, 20],
          [-1, 4],
        ],
      ]),
    );
    expect(w.grad!.toArray()).toEqual([
      [2, 3],
      [-1, 4],
      [0, 0],
      [10.5, 21],
    ]);
  });

  it.each([2, -2])('gives the padding row (paddingIdx %d) no gradient, though its lookups still return it', (paddingIdx) => {
    const w = weight();
    const y = embedding(ids([[2, 1, 2]]), w, { paddingIdx });
    expect(y.toArray()).toEqual([
      [
        [5, 6],
        [3, 4],
        [5, 6],
      ],
    ]);
    y.backward(
      tensor([
        [
          [1, 1],
          [2, 2],
          [3, 3],
        ],
      ]),
    );
    expect(w.grad!.toArray()).toEqual([
      [0, 0],
      [2, 2],
      [0, 0],
      [0, 0],
    ]);
  });

  it("carries the padding row's tangent in forward mode (PyTorch's rule: only the reverse rule leaves that row out)", () => {
    const w = weight();
    const tw = tensor([
      [0.1, 0.2],
      [0.3, 0.4],
      [0.5, 0.6],
      [0.7, 0.8],
    ]);
    const [, t] = jvp((x: Tensor) => embedding(ids([[2, 0]]), x, { paddingIdx: 2 }), [w], [tw]);
    expect(t.toArray()).toEqual([
      [
        [0.5, 0.6],
        [0.1, 0.2],
      ],
    ]);
  });

  it('passes gradcheck and gradgradcheck for the rows other than the padding row', () => {
    // The padding row is a constant: its gradient is 0 by design (tested above), not the derivative gradcheck measures.
    const padRow = tensor([[0.5, -0.5, 0.25]]);
    const lookup = ids([
      [1, 1, 0],
      [2, 3, 1],
    ]);
    expectGradients(
      (w: Tensor) => embedding(lookup, concat([w.slice([0, 0], [1, 3]), padRow, w.slice([1, 0], [2, 3])]), { paddingIdx: 1 }).square(),
      [uniform([3, 3], -1, 1, { seed: 1 })],
      { secondOrder: true },
    );
  });

  it('matches TF.js (tf.gather on axis 0), values and gradient', () => {
    const indices = [
      [4, 1, 1],
      [0, 4, 2],
    ];
    expectSameAsTf(
      [[5, 3]],
      (w) => embedding(ids(indices), w),
      (w) => tf.gather(w, tf.tensor2d(indices, [2, 3], 'int32')),
    );
  });

  it('takes 0-d and empty index tensors', () => {
    expect(embedding(tensor(2, { dtype: 'int32' }), weight()).toArray()).toEqual([5, 6]);
    expect(embedding(tensor([], { dtype: 'int32' }), weight()).shape).toEqual([0, 2]);
  });
});

describe('embedding refuses bad input with typed errors', () => {
  const w = randn([4, 2]);
  it.each([
    ['float indices', () => embedding(tensor([0, 1]), w), DTypeError, /embedding: indices must be int32; got float64 of shape \[2\]/],
    ['an array of indices', () => embedding([0, 1] as unknown as Tensor, w), DTypeError, /indices must be an int32 Tensor; got an array/],
    [
      'an index past the end',
      () => embedding(ids([[0, 4]]), w),
      ShapeError,
      /index 4 at position 1 is out of range for weight \[4, 2\] \(rows 0 to 3\)/,
    ],
    ['a negative index', () => embedding(ids([[-1]]), w), ShapeError, /index -1 at position 0 is out of range/],
    ['a 1-D weight', () => embedding(ids([[0]]), randn([4])), ShapeError, /weight must be \[rows, dim\]; got shape \[4\]/],
    [
      'a paddingIdx outside the rows',
      () => embedding(ids([[0]]), w, { paddingIdx: 4 }),
      ShapeError,
      /paddingIdx 4 is not a row of weight \[4, 2\]/,
    ],
  ] as Array<[string, () => unknown, typeof ShapeError, RegExp]>)('%s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});
