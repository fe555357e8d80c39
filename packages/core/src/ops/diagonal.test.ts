// diagonal: values against index arithmetic for every offset sign and axis order; the adjoint places values back;
// against TF.js's tf.linalg.bandPart-free diagonal (a gather of flat indices); gradcheck and gradgradcheck of both
// ops through op-cases; typed errors.
import { DTypeError, ShapeError, type Tensor, diagonal, jvp, randn, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import { expectGradients, uniform } from '../../test/op-harness';

describeOp('diagonal');
describeOp('diagonalAdjoint');

describe('diagonal', () => {
  it('takes the main diagonal, and those above and below it', () => {
    const m = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(diagonal(m).toArray()).toEqual([1, 5]);
    expect(diagonal(m, { offset: 1 }).toArray()).toEqual([2, 6]);
    expect(diagonal(m, { offset: 2 }).toArray()).toEqual([3]);
    expect(diagonal(m, { offset: -1 }).toArray()).toEqual([4]);
    expect(diagonal(m, { offset: 5 }).shape).toEqual([0]);
    expect(diagonal(m, { axis1: 1, axis2: 0 }).toArray()).toEqual([1, 5]);
    expect(diagonal(m, { axis1: 1, axis2: 0, offset: 1 }).toArray()).toEqual([4]);
  });

  it('moves the diagonal of two middle axes to the end, as torch.diagonal', () => {
    const x = uniform([2, 3, 4, 3], -1, 1, { seed: 1 });
    const y = diagonal(x, { axis1: 1, axis2: -1 });
    expect(y.shape).toEqual([2, 4, 3]);
    for (let a = 0; a < 2; a++)
      for (let b = 0; b < 4; b++)
        for (let k = 0; k < 3; k++) expect(y.data[(a * 4 + b) * 3 + k]).toBe(x.data[((a * 3 + k) * 4 + b) * 3 + k]);
  });

  it('gives the diagonal dy back on the diagonal, zeros elsewhere, to every order and in forward mode', () => {
    const x = uniform([3, 3], -1, 1, { seed: 2 });
    diagonal(x, { offset: -1 }).backward(tensor([7, 8]));
    expect(x.grad!.toArray()).toEqual([
      [0, 0, 0],
      [7, 0, 0],
      [0, 8, 0],
    ]);
    expectGradients((t: Tensor) => diagonal(t, { axis1: 2, axis2: 1, offset: 1 }).square(), [uniform([2, 3, 4], -1, 1, { seed: 3 })], {
      secondOrder: true,
    });
    const [, t] = jvp(
      (a: Tensor) => diagonal(a),
      [x],
      [
        tensor([
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
        ]),
      ],
    );
    expect(t.toArray()).toEqual([1, 5, 9]);
  });

  it.each([
    ['a 1-D tensor', () => diagonal(randn([3])), ShapeError, /diagonal: x needs at least 2 axes; got shape \[3\]/],
    ['the same axis twice', () => diagonal(randn([3, 3]), { axis1: 1, axis2: -1 }), ShapeError, /axis1 and axis2 must differ; both are 1/],
    ['an axis out of range', () => diagonal(randn([3, 3]), { axis2: 2 }), ShapeError, /axis 2 is out of range/],
    ['a fractional offset', () => diagonal(randn([3, 3]), { offset: 0.5 }), ShapeError, /offset must be an integer/],
    ['an array', () => diagonal([[1]] as unknown as Tensor), DTypeError, /x must be a Tensor/],
  ] as Array<[string, () => unknown, typeof ShapeError, RegExp]>)('refuses %s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});
