// conv2d and conv1d: values against a direct loop over the definition (no im2col) for every combination of
// stride, padding (numbers, per-axis, 'same' with odd and even kernels), dilation and groups; values and both
// gradients against TF.js's conv2d / conv1d (NHWC, transposed in the test); gradcheck and gradgradcheck of the three
// convolution ops; the patch buffer's chunking; and a typed error for each bad input.
import * as tf from '@tensorflow/tfjs';
import { type ConvOptions, DTypeError, ShapeError, type Tensor, conv1d, conv2d, randn, tensor, zeros } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import { expectGradients, uniform } from '../../test/op-harness';
import { convLimits } from '../ndarray/kernels/conv';
import { expectSameAsTf, toFilter, toNchw, toNhwc, useTfCpu } from '../../test/tfjs-oracle';

describeOp('conv2d');
describeOp('conv2dInputGrad');
describeOp('conv2dWeightGrad');

beforeAll(useTfCpu);

interface Spec {
  stride?: [number, number];
  dilation?: [number, number];
  groups?: number;
  /** [top, bottom, left, right] zeros. */
  pad: [number, number, number, number];
}

/** conv2d straight from its definition: every output sums its window, reading 0 outside the input. */
function directConv(x: Tensor, w: Tensor, s: Spec): { shape: number[]; data: number[] } {
  const [n, c, h, wd] = x.shape;
  const [o, cg, kh, kw] = w.shape;
  const [sh, sw] = s.stride ?? [1, 1];
  const [dh, dw] = s.dilation ?? [1, 1];
  const groups = s.groups ?? 1;
  const [pt, pb, pl, pr] = s.pad;
  const oh = Math.floor((h + pt + pb - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((wd + pl + pr - dw * (kw - 1) - 1) / sw) + 1;
  const data: number[] = [];
  for (let b = 0; b < n; b++)
    for (let oc = 0; oc < o; oc++) {
      const group = Math.floor(oc / (o / groups));
      for (let y = 0; y < oh; y++)
        for (let xo = 0; xo < ow; xo++) {
          let acc = 0;
          for (let ci = 0; ci < cg; ci++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const iy = y * sh - pt + i * dh;
                const ix = xo * sw - pl + j * dw;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                const xv = x.data[((b * c + group * cg + ci) * h + iy) * wd + ix];
                acc += xv * w.data[((oc * cg + ci) * kh + i) * kw + j];
              }
          data.push(acc);
        }
    }
  return { shape: [n, o, oh, ow], data };
}

describe('conv2d against its definition', () => {
  const cases: Array<[string, number[], number[], ConvOptions, Spec]> = [
    ['3x3, no padding', [2, 3, 6, 7], [4, 3, 3, 3], {}, { pad: [0, 0, 0, 0] }],
    ['padding 1', [1, 2, 5, 5], [3, 2, 3, 3], { padding: 1 }, { pad: [1, 1, 1, 1] }],
    ['per-axis padding and stride', [2, 2, 7, 6], [2, 2, 3, 2], { padding: [2, 1], stride: [2, 3] }, { stride: [2, 3], pad: [2, 2, 1, 1] }],
    ["'same' with an odd kernel", [1, 2, 5, 6], [2, 2, 3, 5], { padding: 'same' }, { pad: [1, 1, 2, 2] }],
    [
      "'same' with even kernels: the extra row and column at the end",
      [1, 1, 5, 6],
      [2, 1, 2, 4],
      { padding: 'same' },
      { pad: [0, 1, 1, 2] },
    ],
    [
      "'same' with dilation 2 and an even kernel",
      [1, 1, 7, 7],
      [1, 1, 2, 2],
      { padding: 'same', dilation: 2 },
      { dilation: [2, 2], pad: [1, 1, 1, 1] },
    ],
    ['dilation 2x3', [1, 2, 9, 10], [2, 2, 3, 2], { dilation: [2, 3] }, { dilation: [2, 3], pad: [0, 0, 0, 0] }],
    [
      'dilation with stride and padding',
      [2, 1, 9, 8],
      [2, 1, 3, 3],
      { dilation: 2, stride: 2, padding: 1 },
      { dilation: [2, 2], stride: [2, 2], pad: [1, 1, 1, 1] },
    ],
    ['groups 2', [2, 4, 5, 5], [6, 2, 3, 3], { groups: 2, padding: 1 }, { groups: 2, pad: [1, 1, 1, 1] }],
    [
      'depthwise (groups = channels, multiplier 2)',
      [1, 3, 5, 4],
      [6, 1, 3, 3],
      { groups: 3, stride: 2 },
      { groups: 3, stride: [2, 2], pad: [0, 0, 0, 0] },
    ],
    ['1x1 kernel', [3, 5, 4, 4], [7, 5, 1, 1], {}, { pad: [0, 0, 0, 0] }],
    ['padding larger than the kernel', [1, 1, 3, 3], [2, 1, 2, 2], { padding: 3 }, { pad: [3, 3, 3, 3] }],
    ['kernel as large as the input', [2, 2, 4, 3], [3, 2, 4, 3], {}, { pad: [0, 0, 0, 0] }],
    ['stride larger than the kernel', [1, 2, 9, 9], [2, 2, 2, 2], { stride: 4 }, { stride: [4, 4], pad: [0, 0, 0, 0] }],
  ];
  it.each(cases)('%s', (_name, xs, ws, options, spec) => {
    const x = uniform(xs, -1, 1, { seed: 1 });
    const w = uniform(ws, -1, 1, { seed: 2 });
    const expected = directConv(x, w, spec);
    const y = conv2d(x, w, options);
    expect(y.shape).toEqual(expected.shape);
    expect(Array.from(y.data)).toBeAllClose(expected.data, { rtol: 1e-12, atol: 1e-13 });
  });

  it.each(cases.slice(1, 10))('passes gradcheck: %s', (_name, xs, ws, options) => {
    expectGradients((x, w) => conv2d(x, w, options), [uniform(xs, -1, 1, { seed: 3 }), uniform(ws, -1, 1, { seed: 4 })]);
  });

  it('is differentiable twice (gradgradcheck with stride, padding, dilation and groups)', () => {
    const x = uniform([1, 4, 5, 4], -1, 1, { seed: 5 });
    const w = uniform([2, 2, 2, 3], -1, 1, { seed: 6 });
    expectGradients((a, b) => conv2d(a, b, { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 }).tanh(), [x, w], {
      secondOrder: true,
    });
  });

  it('keeps float32 in float32', () => {
    const x = uniform([1, 2, 4, 4], -1, 1, { seed: 7, dtype: 'float32' });
    const w = uniform([3, 2, 3, 3], -1, 1, { seed: 8, dtype: 'float32' });
    const y = conv2d(x, w, { padding: 1 });
    expect(y.dtype).toBe('float32');
    y.sum().backward();
    expect(w.grad!.dtype).toBe('float32');
    expect(x.grad!.dtype).toBe('float32');
  });

  it('takes an empty batch: an empty output, and empty / zero gradients', () => {
    const x = zeros([0, 2, 5, 5], { requiresGrad: true });
    const w = uniform([3, 2, 3, 3], -1, 1, { seed: 9 });
    const y = conv2d(x, w, { padding: 1 });
    expect(y.shape).toEqual([0, 3, 5, 5]);
    y.sum().backward();
    expect(x.grad!.shape).toEqual([0, 2, 5, 5]);
    expect(Array.from(w.grad!.data)).toEqual(new Array(54).fill(0));
  });

  // Stride 1 with 'same' padding takes the straight-copy path of the patches (consecutive output rows read consecutive
  // input rows); the strided case copies row by row.
  it.each([
    ['one output row, strided', 1, { stride: [2, 1], padding: 1, groups: 2 }],
    ['three output rows, so chunks straddle images, strided', 3 * 36 * 5, { stride: [2, 1], padding: 1, groups: 2 }],
    ['one output row, stride 1 and same padding', 1, { padding: 'same', groups: 2 }],
    ['four output rows, so chunks straddle images, stride 1 and same padding', 4 * 36 * 5, { padding: 'same', groups: 2 }],
  ] as Array<[string, number, ConvOptions]>)('gives the same values and gradients with patch chunks of %s', (_name, elements, options) => {
    const x = uniform([3, 4, 6, 5], -1, 1, { seed: 12 });
    const w = uniform([6, 2, 3, 3], -1, 1, { seed: 13 });
    const dy = uniform(conv2d(x, w, options).shape, -1, 1, { seed: 14, requiresGrad: false });
    const run = () => {
      x.zeroGrad();
      w.zeroGrad();
      const y = conv2d(x, w, options);
      y.backward(dy);
      return [y.data, x.grad!.data, w.grad!.data].map((d) => Array.from(d));
    };
    const whole = run();
    const saved = convLimits.colElements;
    convLimits.colElements = elements;
    try {
      const chunked = run();
      chunked.forEach((values, i) => expect(values).toBeAllClose(whole[i], { rtol: 1e-14, atol: 1e-14 }));
    } finally {
      convLimits.colElements = saved;
    }
  });
});

describe('conv2d keeps its patches for the weight gradient', () => {
  // With the weight requiring grad, the forward keeps its patch matrix and dW reads it: the gradient must be the one
  // rebuilt from X (patches chunked, so built again by the weight-gradient kernel), on a second sweep of a retained
  // graph too (the kept matrix is read, never overwritten), and a gradient of the gradient still differentiates X.
  const options: ConvOptions = { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 };
  const x = uniform([3, 4, 6, 5], -1, 1, { seed: 15 });
  const w = uniform([6, 2, 3, 2], -1, 1, { seed: 16 });
  const dy = uniform(conv2d(x, w, options).shape, -1, 1, { seed: 17, requiresGrad: false });

  /** conv2d's dW after one backward with the given limits (restored after). */
  function weightGrad(limits: Partial<typeof convLimits>, between: Partial<typeof convLimits> = {}): number[] {
    const saved = { ...convLimits };
    Object.assign(convLimits, limits);
    try {
      w.zeroGrad();
      const y = conv2d(x, w, options);
      Object.assign(convLimits, between);
      y.backward(dy);
      return Array.from(w.grad!.data);
    } finally {
      Object.assign(convLimits, saved);
    }
  }

  it("gives the rebuilt patches' gradient, on each sweep of a retained graph", () => {
    const rebuilt = weightGrad({ keptElements: 0 });
    w.zeroGrad();
    x.zeroGrad();
    const y = conv2d(x, w, options);
    for (let sweep = 0; sweep < 2; sweep++) {
      w.zeroGrad();
      y.backward(dy, { retainGraph: true });
      expect(Array.from(w.grad!.data)).toBeAllClose(rebuilt, { rtol: 1e-14, atol: 1e-14 });
    }
  });

  it('keeps them chunk by chunk, and rebuilds them when the chunks changed between forward and backward', () => {
    // Two output rows of 24 x 7 patch entries per chunk, three rows an image: chunks straddle images. The same chunks
    // kept or rebuilt, so the same bits; one chunk in backward reads no kept chunk (their layout differs) but rebuilds.
    const chunked = weightGrad({ colElements: 2 * 24 * 7, keptElements: 0 });
    expect(weightGrad({ colElements: 2 * 24 * 7 })).toEqual(chunked);
    expect(weightGrad({ colElements: 2 * 24 * 7 }, { colElements: 1 << 21 })).toBeAllClose(chunked, { rtol: 1e-14, atol: 1e-14 });
  });

  it('differentiates dW in X when the graph is recorded (createGraph)', () => {
    x.zeroGrad();
    w.zeroGrad();
    conv2d(x, w, options).backward(dy, { createGraph: true });
    const h = uniform(w.shape, -1, 1, { seed: 18, requiresGrad: false });
    x.zeroGrad();
    w.grad!.mul(h).sum().backward();
    const second = Array.from(x.grad!.data);
    // <dW(X, dY), H> = <dY, conv2d(X, H)> (dW is conv2d's adjoint in W), so its gradient in X is that of the right side.
    x.zeroGrad();
    conv2d(x, h, options).mul(dy).sum().backward();
    expect(second).toBeAllClose(Array.from(x.grad!.data), { rtol: 1e-13, atol: 1e-13 });
  });
});

describe('conv2d and conv1d against TF.js (values and both gradients)', () => {
  it.each([
    ['valid, stride 1', [2, 3, 7, 6], [4, 3, 3, 3], {}, 1, 'valid', 1],
    [
      'stride 2 with explicit padding',
      [2, 2, 8, 7],
      [3, 2, 3, 3],
      { stride: 2, padding: 1 },
      2,
      [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ],
      1,
    ],
    ["'same' with a 4x2 kernel (extra padding at the end)", [1, 2, 6, 5], [3, 2, 4, 2], { padding: 'same' }, 1, 'same', 1],
    ['dilation 2', [1, 2, 9, 8], [2, 2, 3, 3], { dilation: 2 }, 1, 'valid', 2],
    ['1x1 convolution', [2, 6, 3, 4], [5, 6, 1, 1], {}, 1, 'valid', 1],
  ] as Array<[string, number[], number[], ConvOptions, number, 'valid' | 'same' | number[][], number]>)(
    '%s',
    (_name, xs, ws, options, stride, pad, dilation) => {
      expectSameAsTf(
        [xs, ws],
        (x, w) => conv2d(x, w, options),
        (x, w) => toNchw(tf.conv2d(toNhwc(x), toFilter(w), stride, pad as 'valid', 'NHWC', dilation)),
        // TF.js has no gradient for dilated convolutions: gradcheck covers those.
        { valuesOnly: dilation > 1 },
      );
    },
  );

  it('matches tf.depthwiseConv2d for groups = channels', () => {
    // TF.js's depthwise filter is [kh, kw, in, multiplier]; PyTorch's grouped weight is [in * multiplier, 1, kh, kw].
    expectSameAsTf(
      [
        [2, 3, 6, 6],
        [6, 1, 3, 3],
      ],
      (x, w) => conv2d(x, w, { groups: 3, padding: 1 }),
      (x, w) => toNchw(tf.depthwiseConv2d(toNhwc(x), tf.transpose<tf.Tensor4D>(tf.reshape(w, [3, 2, 3, 3]), [2, 3, 0, 1]), 1, 'same')),
    );
  });

  it.each([
    ['valid', [2, 3, 11], [4, 3, 3], {}, 1, 'valid', 1],
    ["'same' with an even kernel", [1, 2, 9], [3, 2, 4], { padding: 'same' }, 1, 'same', 1],
    ['stride 2', [2, 2, 10], [2, 2, 3], { stride: 2 }, 2, 'valid', 1],
    ['dilation 3', [1, 2, 12], [2, 2, 3], { dilation: 3 }, 1, 'valid', 3],
  ] as Array<[string, number[], number[], ConvOptions, number, 'valid' | 'same', number]>)(
    'conv1d, %s',
    (_name, xs, ws, options, stride, pad, dilation) => {
      expectSameAsTf(
        [xs, ws],
        (x, w) => conv1d(x, w, options),
        (x, w) =>
          tf.transpose(
            tf.conv1d(tf.transpose(x, [0, 2, 1]) as tf.Tensor3D, tf.transpose(w, [2, 1, 0]) as tf.Tensor3D, stride, pad, 'NWC', dilation),
            [0, 2, 1],
          ),
        { valuesOnly: dilation > 1 },
      );
    },
  );

  it('conv1d passes gradcheck with padding, groups and dilation', () => {
    expectGradients(
      (x, w) => conv1d(x, w, { padding: [2], groups: 2, dilation: 2 }),
      [uniform([2, 4, 7], -1, 1, { seed: 10 }), uniform([4, 2, 3], -1, 1, { seed: 11 })],
    );
  });
});

describe('conv2d and conv1d refuse bad input with typed errors', () => {
  const x = randn([2, 4, 5, 5]);
  const w = randn([6, 2, 3, 3]);
  it.each([
    [
      'channels not divisible into groups',
      () => conv2d(x, randn([6, 3, 3, 3]), { groups: 2 }),
      ShapeError,
      /input \[2, 4, 5, 5\] has 4 channels, but weight \[6, 3, 3, 3\] with groups = 2 expects 6/,
    ],
    [
      'output channels not divisible by groups',
      () => conv2d(x, randn([5, 2, 3, 3]), { groups: 2 }),
      ShapeError,
      /weight \[5, 2, 3, 3\] has 5 output channels, not divisible by groups = 2/,
    ],
    ['channel mismatch', () => conv2d(x, w), ShapeError, /has 4 channels, but weight \[6, 2, 3, 3\] with groups = 1 expects 2/],
    [
      'a kernel larger than the padded input',
      () => conv2d(randn([1, 2, 3, 3]), randn([1, 2, 5, 5])),
      ShapeError,
      /conv2d: the kernel \(5 x 5 with dilation\) is larger than the padded input \(3 x 3\)/,
    ],
    [
      'a dilated kernel larger than the input',
      () => conv2d(randn([1, 1, 5, 5]), randn([1, 1, 3, 3]), { dilation: 3 }),
      ShapeError,
      /kernel \(7 x 7 with dilation\)/,
    ],
    [
      'an input of the wrong rank',
      () => conv2d(randn([4, 5, 5]), w),
      ShapeError,
      /conv2d: input must have rank 4 .* got shape \[4, 5, 5\]/,
    ],
    ['a weight of the wrong rank', () => conv2d(x, randn([6, 2, 3])), ShapeError, /conv2d: weight must have rank 4/],
    ['conv1d given 4-D input', () => conv1d(x, randn([6, 4, 3])), ShapeError, /conv1d: input must have rank 3/],
    ["'same' with stride 2", () => conv2d(x, w, { padding: 'same', stride: 2, groups: 2 }), ShapeError, /padding 'same' needs stride 1/],
    ['stride 0', () => conv2d(x, w, { stride: 0, groups: 2 }), ShapeError, /conv2d: stride must be positive integers; got 0/],
    [
      'a fractional dilation',
      () => conv2d(x, w, { dilation: [1, 1.5], groups: 2 }),
      ShapeError,
      /dilation must be positive integers; got \[1, 1.5\]/,
    ],
    ['negative padding', () => conv2d(x, w, { padding: -1, groups: 2 }), ShapeError, /padding .* must be non-negative integers; got -1/],
    [
      'a padding list of the wrong length',
      () => conv2d(x, w, { padding: [1, 1, 1], groups: 2 }),
      ShapeError,
      /list of 2 numbers; got \[1, 1, 1\]/,
    ],
    ['an unknown padding word', () => conv2d(x, w, { padding: 'full' as 'same', groups: 2 }), ShapeError, /got "full"/],
    ['groups 0', () => conv2d(x, w, { groups: 0 }), ShapeError, /groups must be a positive integer; got 0/],
    [
      'mixed dtypes',
      () => conv2d(x, randn([6, 2, 3, 3], { dtype: 'float32' }), { groups: 2 }),
      DTypeError,
      /input and weight must have the same dtype; got float64 \[2, 4, 5, 5\] and float32 \[6, 2, 3, 3\]/,
    ],
    [
      'an int32 input',
      () => conv2d(tensor([[[[1]]]], { dtype: 'int32' }), randn([1, 1, 1, 1])),
      DTypeError,
      /conv2d: input must be float32 or float64; got int32/,
    ],
    [
      'an array instead of a Tensor',
      () => conv2d([[1]] as unknown as Tensor, w),
      DTypeError,
      /conv2d: input must be a Tensor; got an array/,
    ],
    ['an empty kernel', () => conv2d(x, zeros([6, 2, 0, 3]), { groups: 2 }), ShapeError, /has an empty kernel/],
  ] as Array<[string, () => unknown, typeof ShapeError, RegExp]>)('%s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});
