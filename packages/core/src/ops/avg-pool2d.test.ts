// avgPool2d: values and gradients against a direct loop over the definition, with padding counted in the divisor and
// not; against TF.js's avgPool (whose divisor leaves padding out); gradcheck of the pool and its adjoint; typed errors.
import * as tf from '@tensorflow/tfjs';
import { type AvgPool2dOptions, DTypeError, ShapeError, type Tensor, avgPool2d, randn } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import { expectGradients, uniform } from '../../test/op-harness';
import { POOL_WINDOWS, expectSameAsTf, tfPoolNchw, useTfCpu } from '../../test/tfjs-oracle';

describeOp('avgPool2d');
describeOp('avgPool2dAdjoint');

beforeAll(useTfCpu);

/** Average pooling from its definition, as the explicit linear map: output i = sum of weights[i][j] x[j]. */
function directAvgPool(x: Tensor, k: [number, number], s: [number, number], p: [number, number], includePad: boolean) {
  const [n, c, h, w] = x.shape;
  const oh = Math.floor((h + 2 * p[0] - k[0]) / s[0]) + 1;
  const ow = Math.floor((w + 2 * p[1] - k[1]) / s[1]) + 1;
  const rows: Array<Array<[number, number]>> = [];
  for (let plane = 0; plane < n * c; plane++)
    for (let y = 0; y < oh; y++)
      for (let xo = 0; xo < ow; xo++) {
        const inside: number[] = [];
        for (let i = 0; i < k[0]; i++)
          for (let j = 0; j < k[1]; j++) {
            const iy = y * s[0] - p[0] + i;
            const ix = xo * s[1] - p[1] + j;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) inside.push((plane * h + iy) * w + ix);
          }
        const divisor = includePad ? k[0] * k[1] : inside.length;
        rows.push(inside.map((at) => [at, 1 / divisor]));
      }
  return { shape: [n, c, oh, ow], rows };
}

describe('avgPool2d against its definition', () => {
  it.each([
    ['2 x 2, stride 2', [2, 2, 6, 6], [2, 2], {}, [2, 2], [0, 0], true],
    ['3 x 3, stride 1, padding 1, padding counted', [1, 2, 5, 4], [3, 3], { stride: 1, padding: 1 }, [1, 1], [1, 1], true],
    [
      '3 x 3, stride 1, padding 1, padding not counted',
      [1, 2, 5, 4],
      [3, 3],
      { stride: 1, padding: 1, countIncludePad: false },
      [1, 1],
      [1, 1],
      false,
    ],
    [
      'per-axis kernel, stride and padding, not counted',
      [2, 1, 7, 8],
      [3, 4],
      { stride: [2, 3], padding: [1, 2], countIncludePad: false },
      [2, 3],
      [1, 2],
      false,
    ],
  ] as Array<[string, number[], [number, number], AvgPool2dOptions, [number, number], [number, number], boolean]>)(
    '%s: values and gradient',
    (_name, shape, k, options, s, p, includePad) => {
      const x = uniform(shape, -2, 2, { seed: 1 });
      const { shape: outShape, rows } = directAvgPool(x, k, s, p, includePad);
      const y = avgPool2d(x, k, options);
      expect(y.shape).toEqual(outShape);
      expect(Array.from(y.data)).toBeAllClose(
        rows.map((row) => row.reduce((acc, [at, weight]) => acc + weight * x.data[at], 0)),
        { rtol: 1e-14, atol: 1e-15 },
      );
      const dy = uniform(outShape, -1, 1, { seed: 2, requiresGrad: false });
      y.backward(dy);
      const dx = new Array<number>(x.size).fill(0);
      rows.forEach((row, i) => row.forEach(([at, weight]) => (dx[at] += weight * dy.data[i])));
      expect(Array.from(x.grad!.data)).toBeAllClose(dx, { rtol: 1e-14, atol: 1e-15 });
      expectGradients((t) => avgPool2d(t, k, options), [uniform(shape, -2, 2, { seed: 3 })], { secondOrder: true });
    },
  );

  it('takes an unbatched input and keeps float32', () => {
    const x = uniform([3, 4, 4], -1, 1, { seed: 4, dtype: 'float32' });
    const y = avgPool2d(x, 2);
    expect(y.shape).toEqual([3, 2, 2]);
    expect(y.dtype).toBe('float32');
  });
});

// TF.js divides by the elements inside the input (countIncludePad false), but its gradient divides by kh * kw whatever
// the padding, disagreeing with its own forward: with padding, values only (the definition and gradcheck cover the rest).
describe('avgPool2d against TF.js (values and gradient; values only with padding, which is not counted)', () => {
  it.each(POOL_WINDOWS)('%s', (_name, shape, k, stride, padding) => {
    expectSameAsTf(
      [shape],
      (x) => avgPool2d(x, k, { stride, padding, countIncludePad: false }),
      (x) => tfPoolNchw(tf.avgPool, x, k, stride, padding),
      { valuesOnly: padding > 0 },
    );
  });
});

describe('avgPool2d refuses bad input with typed errors', () => {
  const x = randn([1, 2, 6, 6]);
  it.each([
    ['padding over half the kernel', () => avgPool2d(x, 3, { padding: 2 }), ShapeError, /avgPool2d: padding \[2, 2\] must be at most half/],
    ['a window larger than the input', () => avgPool2d(x, [2, 7]), ShapeError, /avgPool2d: the window \[2, 7\] does not fit/],
    [
      'countIncludePad not a boolean',
      () => avgPool2d(x, 2, { countIncludePad: 1 as unknown as boolean }),
      DTypeError,
      /countIncludePad must be true or false/,
    ],
    ['a kernel list of three', () => avgPool2d(x, [2, 2, 2]), ShapeError, /kernelSize is a number or a list of 2 numbers/],
  ] as Array<[string, () => unknown, typeof ShapeError, RegExp]>)('%s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});
