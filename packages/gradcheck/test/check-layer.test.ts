// checkLayer verifies hand-written forward/backward layers (textbook style) against central differences.
import { DTypeError, type Tensor, tensor } from '@tapegrad/core';
import { checkLayer } from '@tapegrad/gradcheck';

/** The book's MulLayer on numbers: out = x y; dx = dout y, dy = dout x. */
class MulLayer {
  private x = 0;
  private y = 0;
  constructor(private readonly wrong = false) {}
  forward(x: number, y: number): number {
    this.x = x;
    this.y = y;
    return x * y;
  }
  backward(dout: number): [number, number] {
    return [dout * this.y, this.wrong ? this.x : dout * this.x];
  }
}

/** Affine: out = x W + b; dx = dout W^T, dW = x^T dout, db = sum over rows of dout. */
class Affine {
  dW: Tensor | null = null;
  db: Tensor | null = null;
  private x: Tensor | null = null;
  constructor(
    public W: Tensor,
    public b: Tensor,
    private readonly bug: 'none' | 'db' | 'dx' = 'none',
  ) {}
  forward(x: Tensor): Tensor {
    this.x = x;
    return x.matmul(this.W).add(this.b);
  }
  backward(dout: Tensor): Tensor {
    this.dW = this.x!.transpose().matmul(dout);
    this.db = this.bug === 'db' ? dout.mean(0) : dout.sum(0);
    return this.bug === 'dx' ? dout.matmul(this.W.transpose()).mul(0.5) : dout.matmul(this.W.transpose());
  }
}

const affine = (bug: 'none' | 'db' | 'dx' = 'none') =>
  new Affine(
    tensor([
      [0.2, -0.5, 1],
      [0.7, 0.1, -0.3],
    ]),
    tensor([0.1, -0.2, 0.3]),
    bug,
  );
const x = () =>
  tensor([
    [1, 2],
    [-0.5, 0.25],
    [3, -1],
  ]);
const dout = tensor([
  [0.3, -1, 0.5],
  [2, 0.1, -0.4],
  [-0.6, 0.7, 1.2],
]);

describe('checkLayer', () => {
  it('passes a correct layer on numbers', () => {
    const r = checkLayer(new MulLayer(), [100, 2], 1.1);
    expect(r.ok).toBe(true);
    expect(r.title).toBe('checkLayer');
  });
  it('fails a number layer whose backward forgets dout, naming the input', () => {
    const r = checkLayer(new MulLayer(true), [100, 2], 1.1);
    expect(r.ok).toBe(false);
    expect(r.inputs.map((i) => i.ok)).toEqual([true, false]);
    // analytic x = 100, numeric dout x = 110
    expect(r.inputs[1].worst!.analytic).toBe(100);
    expect(r.inputs[1].worst!.numeric).toBeCloseTo(110, 5);
    expect(r.toString()).toMatch(/checkLayer: FAILED[\s\S]*input 1 input 1 \[\]: FAIL/);
  });
  it('passes a correct tensor layer, parameters included', () => {
    const r = checkLayer(affine(), [x()], dout, { params: { W: 'dW', b: 'db' } });
    expect(r.ok).toBe(true);
    expect(r.inputs.map((i) => [i.label, i.shape])).toEqual([
      ['input 0', [3, 2]],
      ['W', [2, 3]],
      ['b', [3]],
    ]);
  });
  it.each([
    ['db', [true, true, false]],
    ['dx', [false, true, true]],
  ] as const)('fails a tensor layer with a wrong %s, pointing at it', (bug, oks) => {
    const r = checkLayer(affine(bug), [x()], dout, { params: { W: 'dW', b: 'db' } });
    expect(r.ok).toBe(false);
    expect(r.inputs.map((i) => i.ok)).toEqual(oks);
  });
  it('does not check parameters unless asked', () => {
    expect(checkLayer(affine('db'), [x()], dout).ok).toBe(true);
  });
  it('refuses float32 inputs and parameters that are not tensors after backward', () => {
    expect(() => checkLayer(affine(), [tensor([[1, 2]], { dtype: 'float32' })], dout)).toThrow(DTypeError);
    expect(() => checkLayer(affine(), [x()], dout, { params: { W: 'dMissing' } })).toThrow(
      'checkLayer: layer.W and layer.dMissing must both be Tensors after backward',
    );
  });
});
