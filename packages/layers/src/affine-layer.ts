/**
 * AffineLayer: out = x . W + b. Its gradients come from the core `matmul` and `add` rules:
 * dx = dout . W^T, dW = x^T . dout, db = sum of dout over the batch (the broadcast reduction of `add`).
 */
import { DTypeError, ShapeError, Tensor } from '@tapegrad/core';
import { LocalGraph } from './local-graph.js';

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

/**
 * The book's fully connected layer. `W` (in x out) and `b` (out) are held by reference, so updating them in
 * place (`W.addInPlace(dW, -lr)`) changes the next forward. A batch of any rank is flattened to (N, in), as in
 * the book, and dx comes back in the batch's own shape; a single example of shape (in) is accepted too.
 * @example
 * const affine = new AffineLayer(tensor([[1, 2], [3, 4]]), tensor([0.5, -0.5]));
 * affine.forward(tensor([[1, 1]]));          // [[4.5, 5.5]]
 * const dx = affine.backward(tensor([[1, 0]]));   // [[1, 3]]; affine.dW = [[1, 0], [1, 0]], affine.db = [1, 0]
 */
export class AffineLayer {
  private readonly graph = new LocalGraph('AffineLayer');
  /** dL/dW after backward. */
  dW: Tensor | null = null;
  /** dL/db after backward. */
  db: Tensor | null = null;

  /**
   * @param W - the weight, (in, out), as in the book (x . W + b)
   * @param b - the bias, (out)
   */
  constructor(
    public W: Tensor,
    public b: Tensor,
  ) {
    if (!(W instanceof Tensor) || !(b instanceof Tensor)) throw new DTypeError('AffineLayer: W and b must be Tensors');
    if (W.rank !== 2 || b.rank !== 1 || b.shape[0] !== W.shape[1]) {
      throw new ShapeError(`AffineLayer: W must be (in, out) and b (out); got W ${shapeText(W.shape)} and b ${shapeText(b.shape)}`);
    }
  }

  /** x . W + b for a batch x of shape (N, in), or a single row (in); a higher-rank x is flattened per row, as in the book. */
  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new DTypeError(`AffineLayer.forward: x must be a Tensor, got ${typeof x}`);
    const [inSize, outSize] = this.W.shape;
    const single = x.rank === 1;
    const rows = single ? 1 : x.shape[0];
    if (x.rank === 0 || x.size !== rows * inSize) {
      throw new ShapeError(
        `AffineLayer.forward: x of shape ${shapeText(x.shape)} does not flatten to (N, ${inSize}) for W ${shapeText(this.W.shape)}`,
      );
    }
    const out = this.graph.forward([x, this.W, this.b], (xs: Tensor, W: Tensor, b: Tensor) => {
      const y = xs.reshape([rows, inSize]).matmul(W).add(b);
      return single ? y.reshape([outSize]) : y;
    });
    return (out as Tensor).detach();
  }

  /** Returns dx (shaped like the forward's x) and sets `dW` and `db`. */
  backward(dout: Tensor | number): Tensor {
    const [dx, dW, db] = this.graph.backward(dout) as Tensor[];
    this.dW = dW;
    this.db = db;
    return dx;
  }
}
