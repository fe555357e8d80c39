// conv2d with a bias (the conv2dBias op): gradcheck, gradgradcheck, forward mode and vmap through the op harness;
// values the composite's bits (conv2d, then the bias as a broadcast add) and gradients the composite's within
// rounding, in float32 and float64, on the WebAssembly path and the TypeScript one; conv1d's bias; typed errors.
import { DTypeError, ShapeError, type Tensor, conv1d, conv2d, grad, jvp, tensor, vmap } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import { uniform } from '../../test/op-harness';
import { convLimits } from '../ndarray/kernels/conv';

describeOp('conv2dBias');

const options = { stride: [2, 1] as [number, number], padding: [1, 2] as [number, number], dilation: [1, 2] as [number, number] };

/** y, dx, dw and db of sum(y * dy) for conv2d(x, w, { bias: b }) or the composite. */
function run(x: Tensor, w: Tensor, b: Tensor, dy: Tensor, fused: boolean): number[][] {
  for (const t of [x, w, b]) t.zeroGrad();
  const y = fused ? conv2d(x, w, { ...options, bias: b }) : conv2d(x, w, options).add(b.reshape([b.shape[0], 1, 1]));
  y.backward(dy);
  return [y, x.grad!, w.grad!, b.grad!].map((t) => Array.from(t.data));
}

describe('conv2d with a bias against conv2d then a broadcast add', () => {
  describe.each([
    ['float32', 'WebAssembly path', true, 1e-5],
    ['float32', 'TypeScript path', false, 1e-5],
    ['float64', 'TypeScript path', true, 1e-13],
  ] as const)('%s, %s', (dtype, _path, wasm, tolerance) => {
    it('the same values bit for bit, and the same gradients within rounding', () => {
      const x = uniform([3, 4, 6, 5], -1, 1, { seed: 31, dtype });
      const w = uniform([5, 4, 3, 2], -1, 1, { seed: 32, dtype });
      const b = uniform([5], -1, 1, { seed: 33, dtype });
      const dy = uniform(conv2d(x, w, options).shape, -1, 1, { seed: 34, dtype, requiresGrad: false });
      const saved = convLimits.wasm;
      convLimits.wasm = wasm;
      try {
        const [fused, composite] = [run(x, w, b, dy, true), run(x, w, b, dy, false)];
        expect(fused[0]).toEqual(composite[0]);
        for (let i = 1; i < 4; i++) expect(fused[i]).toBeAllClose(composite[i], { rtol: tolerance, atol: tolerance });
        // db is the sum of dY over the images and positions of each channel.
        const perChannel = Array.from({ length: 5 }, (_, o) => {
          let s = 0;
          for (let n = 0; n < 3; n++) for (let i = 0; i < dy.size / 15; i++) s += dy.data[(n * 5 + o) * (dy.size / 15) + i];
          return s;
        });
        expect(fused[3]).toBeAllClose(perChannel, { rtol: tolerance, atol: tolerance });
      } finally {
        convLimits.wasm = saved;
      }
    });
  });

  it('in forward mode and under vmap (a batch of images; a batch of weights and biases)', () => {
    const x = uniform([2, 2, 4, 4], -1, 1, { seed: 35 });
    const w = uniform([3, 2, 2, 2], -1, 1, { seed: 36 });
    const b = uniform([3], -1, 1, { seed: 37 });
    const [tx, tw, tb] = [x, w, b].map((t, i) => uniform(t.shape, -1, 1, { seed: 40 + i }));
    const f = (xs: Tensor, ws: Tensor, bs: Tensor) => conv2d(xs, ws, { padding: 1, bias: bs });
    const g = (xs: Tensor, ws: Tensor, bs: Tensor) => conv2d(xs, ws, { padding: 1 }).add(bs.reshape([3, 1, 1]));
    const [, fused] = jvp(f, [x, w, b], [tx, tw, tb]);
    const [, composite] = jvp(g, [x, w, b], [tx, tw, tb]);
    expect(Array.from(fused.data)).toBeAllClose(Array.from(composite.data), { rtol: 1e-13, atol: 1e-13 });
    const images = uniform([4, 2, 2, 4, 4], -1, 1, { seed: 45 });
    expect(Array.from(vmap((xs: Tensor) => f(xs, w, b))(images).data)).toBeAllClose(
      Array.from(vmap((xs: Tensor) => g(xs, w, b))(images).data),
      {
        rtol: 1e-13,
        atol: 1e-13,
      },
    );
    const weights = uniform([4, 3, 2, 2, 2], -1, 1, { seed: 46 });
    const biases = uniform([4, 3], -1, 1, { seed: 47 });
    expect(Array.from(vmap((ws: Tensor, bs: Tensor) => f(x, ws, bs))(weights, biases).data)).toBeAllClose(
      Array.from(vmap((ws: Tensor, bs: Tensor) => g(x, ws, bs))(weights, biases).data),
      { rtol: 1e-13, atol: 1e-13 },
    );
    // The bias's gradient through grad: the sum of the upstream gradient per channel.
    const db = grad((bs: Tensor) => f(x, w, bs).sum())(b);
    expect(Array.from(db.data)).toBeAllClose([50, 50, 50], { rtol: 1e-14, atol: 0 });
  });

  it('conv1d takes a bias as well', () => {
    const x = uniform([2, 3, 9], -1, 1, { seed: 48 });
    const w = uniform([4, 3, 3], -1, 1, { seed: 49 });
    const b = uniform([4], -1, 1, { seed: 50 });
    const expected = conv1d(x, w, { padding: 'same' }).add(b.reshape([4, 1]));
    expect(Array.from(conv1d(x, w, { padding: 'same', bias: b }).data)).toEqual(Array.from(expected.data));
  });

  it('refuses a bias of the wrong length, rank or dtype, naming the call', () => {
    const x = uniform([1, 2, 4, 4], -1, 1, { seed: 51 });
    const w = uniform([3, 2, 2, 2], -1, 1, { seed: 52 });
    expect(() => conv2d(x, w, { bias: tensor([1, 2]) })).toThrow(
      new ShapeError('conv2d: bias [2] must have one entry per output channel (3)'),
    );
    expect(() => conv2d(x, w, { bias: tensor([[1, 2, 3]]) })).toThrow(ShapeError);
    expect(() => conv2d(x, w, { bias: tensor([1, 2, 3], { dtype: 'float32' }) })).toThrow(DTypeError);
    expect(() => conv1d(uniform([1, 2, 4], -1, 1, { seed: 53 }), uniform([3, 2, 2], -1, 1, { seed: 54 }), { bias: tensor([1]) })).toThrow(
      /^conv1d: bias \[1\] must have one entry per output channel \(3\)$/,
    );
  });
});
