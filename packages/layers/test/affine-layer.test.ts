import { ShapeError, randn, seed, tensor } from '@tapegrad/core';
import { checkLayer } from '@tapegrad/gradcheck';
import { AffineLayer } from '@tapegrad/layers';

describe('AffineLayer', () => {
  it('computes x.W + b and the closed forms dx = dout.W^T, dW = x^T.dout, db = column sums of dout', () => {
    const W = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = tensor([0.5, -1, 2]);
    const affine = new AffineLayer(W, b);
    const x = tensor([
      [1, 0],
      [2, -1],
    ]);
    expect(affine.forward(x).toArray()).toEqual([
      [1.5, 1, 5],
      [-1.5, -2, 2],
    ]);
    const dout = tensor([
      [1, 0, -1],
      [2, 1, 0],
    ]);
    expect(affine.backward(dout).toArray()).toEqual([
      [1 - 3, 4 - 6],
      [2 + 2, 8 + 5],
    ]);
    expect(affine.dW!.toArray()).toEqual([
      [1 + 4, 0 + 2, -1 + 0],
      [0 - 2, 0 - 1, 0],
    ]);
    expect(affine.db!.toArray()).toEqual([3, 1, -1]);
  });

  it('matches central differences for x, W and b', () => {
    seed(3);
    const affine = new AffineLayer(randn([4, 3]), randn([3]));
    const r = checkLayer(affine, [randn([5, 4])], randn([5, 3]), { params: { W: 'dW', b: 'db' } });
    expect(r.ok).toBe(true);
    expect(r.inputs).toHaveLength(3);
  });

  it('flattens a batch of images to (N, in) and returns dx in the batch shape', () => {
    seed(5);
    const affine = new AffineLayer(randn([6, 2]), randn([2]));
    const x = randn([3, 2, 3]);
    expect(affine.forward(x).shape).toEqual([3, 2]);
    const dx = affine.backward(randn([3, 2]));
    expect(dx.shape).toEqual([3, 2, 3]);
    expect(checkLayer(affine, [x], randn([3, 2]), { params: { W: 'dW', b: 'db' } }).ok).toBe(true);
  });

  it('sees in-place updates of W (the layer holds W by reference, as in the book)', () => {
    const W = tensor([[1], [1]]);
    const affine = new AffineLayer(W, tensor([0]));
    W.addInPlace(tensor([[1], [2]]));
    expect(affine.forward(tensor([[1, 1]])).toArray()).toEqual([[5]]);
  });

  it('refuses mismatched shapes with a ShapeError naming the layer and the shapes', () => {
    expect(() => new AffineLayer(tensor([[1, 2]]), tensor([1, 2, 3]))).toThrow(ShapeError);
    const affine = new AffineLayer(
      tensor([
        [1, 2],
        [3, 4],
      ]),
      tensor([0, 0]),
    );
    expect(() => affine.forward(tensor([[1, 2, 3]]))).toThrow(
      'AffineLayer.forward: x of shape [1, 3] does not flatten to (N, 2) for W [2, 2]',
    );
    expect(() => affine.backward(tensor([1]))).toThrow(/call forward first/);
  });

  it('accepts a single example of shape (in)', () => {
    const affine = new AffineLayer(
      tensor([
        [1, 2],
        [3, 4],
      ]),
      tensor([1, 1]),
    );
    const y = affine.forward(tensor([1, 1]));
    expect(y.toArray()).toEqual([5, 7]);
    expect(affine.backward(tensor([1, 0])).toArray()).toEqual([1, 3]);
  });
});
