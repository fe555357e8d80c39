// maxPool2d: values and gradients against a direct loop over the definition and against TF.js's maxPool; PyTorch's
// tie rule (the first maximum in row-major window order gets the gradient) and its NaN rule tested exactly; padding
// that reads as -Infinity; typed errors for bad input.
import * as tf from '@tensorflow/tfjs';
import { DTypeError, type MaxPool2dOptions, ShapeError, type Tensor, maxPool2d, randn, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import { distinct, expectGradients, uniform } from '../../test/op-harness';
import { POOL_WINDOWS, expectSameAsTf, tfPoolNchw, useTfCpu } from '../../test/tfjs-oracle';

describeOp('maxPool2d');

beforeAll(useTfCpu);

/** Max pooling from its definition: each window's largest in-range value and the flat index of its first occurrence. */
function directMaxPool(x: Tensor, k: [number, number], s: [number, number], p: [number, number], d: [number, number] = [1, 1]) {
  const [n, c, h, w] = x.shape;
  const oh = Math.floor((h + 2 * p[0] - d[0] * (k[0] - 1) - 1) / s[0]) + 1;
  const ow = Math.floor((w + 2 * p[1] - d[1] * (k[1] - 1) - 1) / s[1]) + 1;
  const values: number[] = [];
  const where: number[] = [];
  for (let plane = 0; plane < n * c; plane++)
    for (let y = 0; y < oh; y++)
      for (let xo = 0; xo < ow; xo++) {
        let best = -Infinity;
        let at = -1;
        for (let i = 0; i < k[0]; i++)
          for (let j = 0; j < k[1]; j++) {
            const iy = y * s[0] - p[0] + i * d[0];
            const ix = xo * s[1] - p[1] + j * d[1];
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            const flat = (plane * h + iy) * w + ix;
            if (at === -1 || x.data[flat] > best) [best, at] = [x.data[flat], flat];
          }
        values.push(best);
        where.push(at);
      }
  return { shape: [n, c, oh, ow], values, where };
}

describe('maxPool2d against its definition', () => {
  it.each([
    ['2 x 2, stride 2', [2, 3, 6, 6], [2, 2], {}, [2, 2], [0, 0], [1, 1]],
    ['3 x 3, stride 2, padding 1', [1, 2, 7, 6], [3, 3], { stride: 2, padding: 1 }, [2, 2], [1, 1], [1, 1]],
    ['overlapping 3 x 2 windows, stride 1', [2, 1, 5, 5], [3, 2], { stride: 1 }, [1, 1], [0, 0], [1, 1]],
    ['per-axis stride and padding', [1, 2, 8, 7], [4, 3], { stride: [3, 2], padding: [2, 1] }, [3, 2], [2, 1], [1, 1]],
    ['dilation 2', [1, 2, 9, 8], [3, 2], { stride: 1, dilation: 2, padding: 1 }, [1, 1], [1, 1], [2, 2]],
    ['window larger than the stride, odd sizes', [3, 1, 7, 5], [3, 3], { stride: 2 }, [2, 2], [0, 0], [1, 1]],
  ] as Array<[string, number[], [number, number], MaxPool2dOptions, [number, number], [number, number], [number, number]]>)(
    '%s: values, and each window gradient on its maximum',
    (_name, shape, k, options, s, p, d) => {
      const x = distinct(shape, 3);
      const expected = directMaxPool(x, k, s, p, d);
      const y = maxPool2d(x, k, options);
      expect(y.shape).toEqual(expected.shape);
      expect(Array.from(y.data)).toEqual(expected.values);
      const dy = uniform(expected.shape, -1, 1, { seed: 4, requiresGrad: false });
      y.backward(dy);
      const dx = new Array<number>(x.size).fill(0);
      expected.where.forEach((at, i) => (dx[at] += dy.data[i]));
      expect(Array.from(x.grad!.data)).toBeAllClose(dx, { rtol: 1e-15, atol: 0 });
      expectGradients((t) => maxPool2d(t, k, options), [distinct(shape, 5)]);
    },
  );

  it('gives a tie to the first maximum in row-major window order (PyTorch), also across overlapping windows', () => {
    // All equal: each 2 x 2 window, stride 1, picks its top-left element.
    const x = tensor(
      [
        [
          [
            [5, 5, 5],
            [5, 5, 5],
            [5, 5, 5],
          ],
        ],
      ],
      { requiresGrad: true },
    );
    maxPool2d(x, 2, { stride: 1 }).backward(
      tensor([
        [
          [
            [1, 2],
            [3, 4],
          ],
        ],
      ]),
    );
    expect(x.grad!.toArray()).toEqual([
      [
        [
          [1, 2, 0],
          [3, 4, 0],
          [0, 0, 0],
        ],
      ],
    ]);
    // A tie inside one window, after a smaller first element: the earlier of the two maxima.
    const z = tensor(
      [
        [
          [
            [1, 7],
            [7, 2],
          ],
        ],
      ],
      { requiresGrad: true },
    );
    maxPool2d(z, 2).backward(tensor([[[[3]]]]));
    expect(z.grad!.toArray()).toEqual([
      [
        [
          [0, 3],
          [0, 0],
        ],
      ],
    ]);
  });

  it('follows the rule on every 2 x 2 window of -Infinity, -1, -0, 0, 1 and NaN (the branch-free 2 x 2 path)', () => {
    // The rule: start at the window's first element; each later one (row-major) takes over when v > max or v is NaN.
    const pool = [-Infinity, -1, -0, 0, 1, NaN];
    const windows: number[][] = [];
    for (let i = 0; i < pool.length ** 4; i++) windows.push([0, 1, 2, 3].map((d) => pool[Math.floor(i / pool.length ** d) % pool.length]));
    const top = windows.flatMap((w) => [w[0], w[1]]);
    const bottom = windows.flatMap((w) => [w[2], w[3]]);
    const x = tensor([[top, bottom]], { requiresGrad: true }).reshape([1, 1, 2, 2 * windows.length]);
    const y = maxPool2d(x, 2);
    const upstream = windows.map((_w, i) => i + 1);
    y.backward(tensor(upstream).reshape(y.shape));
    const grad = x.grad!.data;
    windows.forEach((w, i) => {
      let at = 0;
      for (let t = 1; t < 4; t++) if (w[t] > w[at] || Number.isNaN(w[t])) at = t;
      expect(Object.is(y.data[i], w[at])).toBe(true);
      const flat = (at >> 1) * 2 * windows.length + 2 * i + (at & 1);
      expect(grad[flat]).toBe(i + 1);
    });
    expect(Array.from(grad).reduce((a, b) => a + b, 0)).toBe(upstream.reduce((a, b) => a + b, 0));
  });

  it('lets a NaN win its window, as PyTorch does (the last NaN in window order)', () => {
    const x = tensor(
      [
        [
          [
            [1, NaN],
            [NaN, 4],
          ],
        ],
      ],
      { requiresGrad: true },
    );
    const y = maxPool2d(x, 2);
    expect(y.data[0]).toBeNaN();
    y.backward(tensor([[[[1]]]]));
    expect(x.grad!.toArray()).toEqual([
      [
        [
          [0, 0],
          [1, 0],
        ],
      ],
    ]);
  });

  it('reads padding as -Infinity, never as 0 (all-negative input)', () => {
    const x = tensor(
      [
        [
          [
            [-3, -1],
            [-2, -4],
          ],
        ],
      ],
      { requiresGrad: true },
    );
    const y = maxPool2d(x, 3, { stride: 1, padding: 1 });
    expect(y.toArray()).toEqual([
      [
        [
          [-1, -1],
          [-1, -1],
        ],
      ],
    ]);
  });

  it('takes an unbatched [channels, h, w] input, and float32 stays float32', () => {
    const x = uniform([2, 4, 4], -1, 1, { seed: 6, dtype: 'float32' });
    const y = maxPool2d(x, 2);
    expect(y.shape).toEqual([2, 2, 2]);
    expect(y.dtype).toBe('float32');
    expect(Array.from(y.data)).toEqual(Array.from(maxPool2d(x.unsqueeze(0), 2).data));
  });
});

describe('maxPool2d against TF.js (values and gradient)', () => {
  it.each(POOL_WINDOWS)('%s', (_name, shape, k, stride, padding) => {
    expectSameAsTf(
      [shape],
      (x) => maxPool2d(x, k, { stride, padding }),
      (x) => tfPoolNchw(tf.maxPool, x, k, stride, padding),
    );
  });
});

describe('maxPool2d refuses bad input with typed errors', () => {
  const x = randn([1, 2, 6, 6]);
  it.each([
    [
      'padding over half the kernel',
      () => maxPool2d(x, 2, { padding: 2 }),
      ShapeError,
      /padding \[2, 2\] must be at most half the kernel size \[2, 2\]/,
    ],
    [
      'a window larger than the input',
      () => maxPool2d(x, 7),
      ShapeError,
      /maxPool2d: the window \[7, 7\] .*does not fit the input \[1, 2, 6, 6\]/,
    ],
    ['a dilated window larger than the input', () => maxPool2d(x, 3, { dilation: 3 }), ShapeError, /dilation \[3, 3\]/],
    [
      'a 2-D input',
      () => maxPool2d(randn([6, 6]), 2),
      ShapeError,
      /maxPool2d: input must have rank 4 .* got shape \[1, 6, 6\]|input must have rank 4/,
    ],
    ['a zero kernel', () => maxPool2d(x, 0), ShapeError, /kernelSize must be positive integers; got 0/],
    ['stride 0', () => maxPool2d(x, 2, { stride: [1, 0] }), ShapeError, /stride must be positive integers; got \[1, 0\]/],
    [
      'an int32 input',
      () =>
        maxPool2d(
          tensor(
            [
              [
                [
                  [1, 2],
                  [3, 4],
                ],
              ],
            ],
            { dtype: 'int32' },
          ),
          2,
        ),
      DTypeError,
      /must be float32 or float64; got int32/,
    ],
    ['options that are not an object', () => maxPool2d(x, 2, 2 as unknown as MaxPool2dOptions), DTypeError, /options must be an object/],
  ] as Array<[string, () => unknown, typeof ShapeError, RegExp]>)('%s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});
