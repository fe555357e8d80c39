// Conv1d/Conv2d, pools, Flatten, Embedding, LayerNorm, BatchNorm2d, GELU and SiLU as modules: a hand computation on
// a tiny case each, checkLayer (central differences, float64, random upstream) for inputs and parameters, forward
// against TF.js ops, PyTorch's initialisation ranges, state-dict names, train/eval, summary and typed errors.
// conv-layers-pytorch.test.ts checks the same modules against PyTorch's numbers.
import * as tf from '@tensorflow/tfjs';
import { DTypeError, Generator, ShapeError, TapegradError, type Tensor, randn, tensor, zeros } from '@tapegrad/core';
import { checkLayer } from '@tapegrad/gradcheck';
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv1d,
  Conv2d,
  Embedding,
  Flatten,
  GELU,
  LayerNorm,
  Linear,
  MaxPool2d,
  type Module,
  ReLU,
  Sequential,
  SiLU,
  Unflatten,
} from '@tapegrad/nn';
import { erfSeries } from '../../core/test/erf-series';

const g = () => new Generator(11);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * A module as checkLayer's hand-written layer: forward runs the module; backward runs it again with a graph and
 * returns the input's gradient, exposing each parameter `p` and its gradient as `d_p` for the parameter check.
 */
function asLayer(module: Module & Record<string, unknown>, params: readonly string[]) {
  let input: Tensor;
  const layer: Record<string, unknown> & { forward(x: Tensor): Tensor; backward(dout: Tensor): Tensor } = {
    forward(x: Tensor) {
      input = x;
      return module.forward(x);
    },
    backward(dout: Tensor) {
      module.zeroGrad();
      const x = input.detach().clone().setRequiresGrad(true);
      module.forward(x).backward(dout);
      for (const p of params) layer[`d_${p}`] = (module[p] as Tensor).grad;
      return x.grad!;
    },
  };
  for (const p of params) layer[p] = module[p];
  return { layer, options: { params: Object.fromEntries(params.map((p) => [p, `d_${p}`])) } };
}

function expectCheckLayer(module: Module, x: Tensor, params: readonly string[] = []): void {
  const out = module.forward(x);
  const dout = randn(out.shape, { generator: new Generator(5) });
  const { layer, options } = asLayer(module as Module & Record<string, unknown>, params);
  const report = checkLayer(layer, [x], dout, options);
  expect(report.ok).toBe(true);
}

describe('Conv2d', () => {
  it('computes a tiny case by hand: 1 x 3 x 3 input, 2 x 2 kernel, bias', () => {
    const conv = new Conv2d(1, 1, 2);
    conv.loadStateDict({
      weight: tensor([
        [
          [
            [1, 2],
            [3, 4],
          ],
        ],
      ]),
      bias: tensor([0.5]),
    });
    const x = tensor([
      [
        [
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
        ],
      ],
    ]);
    // top-left window 1*1 + 2*2 + 4*3 + 5*4 = 37, then 47; 67, 77; each + 0.5
    expect(conv.forward(x).toArray()).toEqual([
      [
        [
          [37.5, 47.5],
          [67.5, 77.5],
        ],
      ],
    ]);
  });

  it('passes checkLayer for input, weight and bias (stride, padding, dilation, groups)', () => {
    const conv = new Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2, generator: g() });
    expectCheckLayer(conv, randn([2, 4, 6, 5], { generator: g() }), ['weight', 'bias']);
  });

  it('matches TF.js conv2d (+ bias) on the same weights', () => {
    const conv = new Conv2d(3, 5, 3, { padding: 1, stride: 2, generator: g() });
    const x = randn([2, 3, 7, 8], { generator: g() });
    const tx = tf.tensor4d(Array.from(x.data), [2, 3, 7, 8]).transpose<tf.Tensor4D>([0, 2, 3, 1]);
    const tw = tf.tensor4d(Array.from(conv.weight.data), [5, 3, 3, 3]).transpose<tf.Tensor4D>([2, 3, 1, 0]);
    const padded = tf.pad(tx, [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]);
    const ty = tf
      .conv2d(padded, tw, 2, 'valid')
      .add(tf.tensor1d(Array.from(conv.bias!.data)))
      .transpose([0, 3, 1, 2]);
    expect(conv.forward(x)).toBeAllClose(ty.arraySync(), { atol: 1e-5 });
  });

  it("draws PyTorch's default: weight and bias in U(-1/sqrt(fanIn), 1/sqrt(fanIn)), fanIn = in / groups * kh * kw", () => {
    const conv = new Conv2d(8, 16, 3, { groups: 2, generator: g() });
    const bound = 1 / Math.sqrt((8 / 2) * 9);
    const w = Array.from(conv.weight.data, Math.abs);
    expect(Math.max(...w)).toBeLessThanOrEqual(bound);
    expect(Math.max(...w)).toBeGreaterThan(0.95 * bound);
    expect(Math.max(...Array.from(conv.bias!.data, Math.abs))).toBeLessThanOrEqual(bound);
    expect(conv.weight.shape).toEqual([16, 4, 3, 3]);
    expect(Object.keys(conv.stateDict())).toEqual(['weight', 'bias']);
    expect(conv.numParameters()).toBe(16 * 4 * 9 + 16);
  });

  it('is reproducible from its generator and takes float32 and unbatched input', () => {
    const a = new Conv2d(1, 2, 3, { generator: new Generator(4), dtype: 'float32' });
    const b = new Conv2d(1, 2, 3, { generator: new Generator(4), dtype: 'float32' });
    expect(Array.from(a.weight.data)).toEqual(Array.from(b.weight.data));
    const y = a.forward(zeros([1, 5, 5], { dtype: 'float32' }));
    expect(y.shape).toEqual([2, 3, 3]);
    expect(y.dtype).toBe('float32');
  });

  it('rejects bad settings and inputs with typed errors naming the layer and the shapes', () => {
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow(
      new ShapeError('Conv2d: inChannels (3) and outChannels (4) must both be divisible by groups (2)'),
    );
    expect(() => new Conv2d(3, 4, [3, 3, 3])).toThrow(ShapeError);
    expect(() => new Conv2d(3, 4, 0)).toThrow(/kernelSize must be an integer >= 1/);
    expect(() => new Conv2d(3, 4, 3, { stride: 2, padding: 'same' })).toThrow(/'same' needs stride 1/);
    const conv = new Conv2d(3, 4, 3);
    expect(() => conv.forward(zeros([2, 1, 8, 8]))).toThrow(
      new ShapeError('Conv2d(3, 4, kernel_size=(3, 3), stride=(1, 1)): expected input [batch, 3, height, width], got [2, 1, 8, 8]'),
    );
    const model = new Sequential(new Conv2d(1, 2, 3), new ReLU(), new Conv2d(2, 2, 5));
    expect(() => model.forward(zeros([1, 1, 5, 5]))).toThrow(
      /Conv2d\(2, 2, kernel_size=\(5, 5\), stride=\(1, 1\)\) at "2" of Sequential: conv2d: the kernel/,
    );
  });
});

describe('Conv1d', () => {
  it('computes a tiny case by hand and passes checkLayer', () => {
    const conv = new Conv1d(1, 1, 3, { bias: false });
    conv.loadStateDict({ weight: tensor([[[1, 0, -1]]]) });
    expect(conv.forward(tensor([[[1, 4, 9, 16]]])).toArray()).toEqual([[[1 - 9, 4 - 16]]]);
    const wide = new Conv1d(2, 4, 3, { stride: 2, padding: 'valid', dilation: 2, generator: g() });
    expectCheckLayer(wide, randn([3, 2, 9], { generator: g() }), ['weight', 'bias']);
    expect(String(new Conv1d(2, 4, 3, { padding: 'same', bias: false }))).toBe(
      'Conv1d(2, 4, kernel_size=(3,), stride=(1,), padding=same, bias=false)',
    );
  });
});

describe('pools and Flatten', () => {
  const x = tensor([
    [
      [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
        [9, 10, 11, 12],
        [13, 14, 15, 16],
      ],
    ],
  ]);

  it('compute tiny cases by hand', () => {
    expect(new MaxPool2d(2).forward(x).toArray()).toEqual([
      [
        [
          [6, 8],
          [14, 16],
        ],
      ],
    ]);
    expect(new AvgPool2d(2).forward(x).toArray()).toEqual([
      [
        [
          [3.5, 5.5],
          [11.5, 13.5],
        ],
      ],
    ]);
    expect(new AdaptiveAvgPool2d(1).forward(x).toArray()).toEqual([[[[8.5]]]]);
    // 4 -> 3: windows rows [0, 2), [1, 3), [2, 4); the middle cell averages 6, 7, 10, 11
    expect(new AdaptiveAvgPool2d(3).forward(x).slice([0, 0, 1, 1], [1, 1, 1, 1]).item()).toBe(8.5);
    expect(new Flatten().forward(x).shape).toEqual([1, 16]);
    expect(new Flatten(0, 2).forward(x).shape).toEqual([4, 4]);
    const rows = new Unflatten(1, [1, 4, 4]).forward(tensor([Array.from({ length: 16 }, (_, i) => i + 1)]));
    expect(rows.toArray()).toEqual(x.toArray());
    expect(() => new Unflatten(1, [3, 5]).forward(zeros([2, 16]))).toThrow(/cannot split axis 1 of an input \[2, 16\] into \[3, 5\]/);
  });

  it('match TF.js maxPool and avgPool with stride and padding', () => {
    const input = randn([2, 3, 7, 6], { generator: g() });
    const nhwc = tf.tensor4d(Array.from(input.data), [2, 3, 7, 6]).transpose<tf.Tensor4D>([0, 2, 3, 1]);
    const back = (t: tf.Tensor) => t.transpose([0, 3, 1, 2]).arraySync() as number[][][][];
    expect(new MaxPool2d(3, { stride: 2 }).forward(input)).toBeAllClose(back(tf.maxPool(nhwc, 3, 2, 'valid')), { atol: 1e-6 });
    expect(new AvgPool2d([2, 3], { stride: [1, 2] }).forward(input)).toBeAllClose(back(tf.avgPool(nhwc, [2, 3], [1, 2], 'valid')), {
      atol: 1e-6,
    });
  });

  it('pass checkLayer away from ties', () => {
    const input = randn([2, 2, 5, 6], { generator: g() });
    expectCheckLayer(new MaxPool2d(2, { stride: 1, padding: 1 }), input);
    expectCheckLayer(new AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), input);
    expectCheckLayer(new AdaptiveAvgPool2d([3, 4]), input);
    expectCheckLayer(new Flatten(), input);
  });

  it('reject inputs of the wrong rank with errors naming the layer', () => {
    expect(() => new MaxPool2d(2).forward(zeros([4, 4]))).toThrow(
      new ShapeError(
        'MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1): expected input [batch, channels, height, width] or [channels, height, width], got [4, 4]',
      ),
    );
    expect(() => new AdaptiveAvgPool2d(0)).toThrow(ShapeError);
    expect(() => new Flatten(2).forward(zeros([3, 4]))).toThrow(/cannot flatten axes 2..-1 of an input \[3, 4\]/);
  });
});

describe('Embedding', () => {
  it('looks rows up, starts from N(0, 1) with a zero padding row, and passes checkLayer for its weight', () => {
    const emb = new Embedding(4, 3, { paddingIdx: -1, generator: g() });
    expect(emb.paddingIdx).toBe(3);
    expect(Array.from(emb.weight.data.slice(9))).toEqual([0, 0, 0]);
    const ids = tensor(
      [
        [2, 0],
        [3, 2],
      ],
      { dtype: 'int32' },
    );
    const y = emb.forward(ids);
    expect(y.shape).toEqual([2, 2, 3]);
    expect(Array.from(y.data.slice(0, 3))).toEqual(Array.from(emb.weight.data.slice(6, 9)));
    // dL/dW for L = <y, dout>: row 2 gets the sum of its two lookups, row 3 (padding) nothing
    const dout = randn([2, 2, 3], { generator: g() });
    y.backward(dout);
    const grad = emb.weight.grad!.data;
    for (let j = 0; j < 3; j++) expect(grad[6 + j]).toBeCloseTo(dout.data[j] + dout.data[9 + j], 14);
    expect(Array.from(grad.slice(9))).toEqual([0, 0, 0]);
    expect(() => emb.forward(tensor([0.5]))).toThrow(DTypeError);
    expect(() => new Embedding(4, 3, { paddingIdx: 4 })).toThrow(/paddingIdx must be an integer in \[-4, 3\]/);
  });
});

describe('LayerNorm', () => {
  it('computes a tiny case by hand and passes checkLayer for input, weight and bias', () => {
    const norm = new LayerNorm(2, { eps: 0 });
    // [1, 3]: mean 2, biased variance 1 -> [-1, 1]
    expect(norm.forward(tensor([[1, 3]]))).toBeAllClose([[-1, 1]]);
    const affine = new LayerNorm([2, 3]);
    affine.loadStateDict({ weight: randn([2, 3], { generator: g() }), bias: randn([2, 3], { generator: g() }) });
    expectCheckLayer(affine, randn([4, 2, 3], { generator: g() }), ['weight', 'bias']);
    expect(new LayerNorm(4, { elementwiseAffine: false }).parameters()).toHaveLength(0);
    expect(() => affine.forward(zeros([4, 3, 2]))).toThrow(/expected input \[\.\.\., 2, 3\], got \[4, 3, 2\]/);
  });
});

describe('BatchNorm2d', () => {
  it('normalises each channel over batch and positions, tracks statistics and batches, and uses them in eval', () => {
    const bn = new BatchNorm2d(2, { momentum: 0.5 });
    // channel 0 holds 0, 2 (mean 1, biased var 1, unbiased 2); channel 1 holds 4, 4, 4, 8... see below
    const x = tensor([[[[0, 2]], [[4, 8]]]]);
    expect(bn.forward(x)).toBeAllClose([[[[-1, 1]], [[-1, 1]]]], { atol: 1e-5 });
    expect(bn.runningMean).toBeAllClose([0.5, 3]);
    expect(bn.runningVar).toBeAllClose([0.5 + 0.5 * 2, 0.5 + 0.5 * 8]);
    expect(bn.numBatchesTracked).toBe(1);
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    bn.eval();
    expect(bn.forward(tensor([[[[0.5]], [[3]]]]))).toBeAllClose([[[[0]], [[0]]]], { atol: 1e-12 });
    expect(bn.numBatchesTracked).toBe(1);
  });

  it('passes checkLayer in training mode for input, weight and bias', () => {
    const bn = new BatchNorm2d(3);
    bn.loadStateDict({ ...bn.stateDict(), weight: tensor([0.5, 2, -1]), bias: tensor([0.1, -0.2, 0.3]) });
    expectCheckLayer(bn, randn([2, 3, 2, 3], { generator: g() }), ['weight', 'bias']);
  });

  it('rejects wrong channels and one value per channel in training', () => {
    const bn = new BatchNorm2d(3);
    expect(() => bn.forward(zeros([2, 4, 2, 2]))).toThrow(/expected input \[batch, 3, height, width\], got \[2, 4, 2, 2\]/);
    expect(() => bn.forward(zeros([1, 3, 1, 1]))).toThrow(/more than one value per channel/);
  });

  it('takes a float32 input with float64 parameters, promoting to float64 as BatchNorm1d does', () => {
    const bn = new BatchNorm2d(2, { momentum: 0.5 });
    const y = bn.forward(tensor([[[[0, 2]], [[4, 8]]]], { dtype: 'float32' }));
    expect(y.dtype).toBe('float64');
    // channel 0: 0, 2 (mean 1, biased var 1); channel 1: 4, 8 (mean 6, biased var 4); eps 1e-5
    const s = (v: number) => Math.sqrt(v + 1e-5);
    expect(y).toBeAllClose([[[[-1 / s(1), 1 / s(1)]], [[-2 / s(4), 2 / s(4)]]]], { rtol: 1e-12 });
    expect(bn.runningMean).toBeAllClose([0.5, 3]);
  });
});

describe('BatchNorm1d and BatchNorm2d options', () => {
  it.each([
    ['BatchNorm1d', (o: { eps?: number; momentum?: number }) => new BatchNorm1d(2, o)],
    ['BatchNorm2d', (o: { eps?: number; momentum?: number }) => new BatchNorm2d(2, o)],
  ])('%s refuses a negative eps or a momentum outside [0, 1] when made', (name, make) => {
    expect(() => make({ momentum: 1.5 })).toThrow(
      new RegExp(`${name}: eps must be >= 0 and momentum in \\[0, 1\\], got eps undefined and momentum 1.5`),
    );
    expect(() => make({ eps: -1 })).toThrow(new RegExp(`${name}: eps must be >= 0`));
    expect(() => make({ momentum: NaN })).toThrow(TapegradError);
  });
});

describe('GELU and SiLU', () => {
  it('compute their closed forms and pass checkLayer', () => {
    const x = tensor([-1.5, -0.3, 0.7, 2.2]);
    const phi = (v: number) => 0.5 * (1 + erfSeries(v / Math.SQRT2));
    expect(new GELU().forward(x)).toBeAllClose(
      [-1.5, -0.3, 0.7, 2.2].map((v) => v * phi(v)),
      { atol: 1e-7 },
    );
    expect(new SiLU().forward(x)).toBeAllClose([-1.5, -0.3, 0.7, 2.2].map((v) => v / (1 + Math.exp(-v))));
    expectCheckLayer(new GELU({ approximate: 'tanh' }), randn([3, 4], { generator: g() }));
    expectCheckLayer(new SiLU(), randn([3, 4], { generator: g() }));
    expect(() => new GELU({ approximate: 'fast' as 'tanh' })).toThrow(/approximate must be 'none' or 'tanh'/);
  });
});

describe('a LeNet-style model', () => {
  it('summarises output shapes and parameters per layer, and counts them', () => {
    const model = new Sequential(
      new Conv2d(1, 6, 5, { padding: 2 }),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d(6, 16, 5),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(400, 120),
      new Linear(120, 10),
    );
    const summary = model.summary([2, 1, 28, 28]);
    expect(summary).toMatch(/├─0: Conv2d +\[2, 6, 28, 28\] +156\n/);
    expect(summary).toMatch(/├─2: MaxPool2d +\[2, 6, 14, 14\] +--\n/);
    expect(summary).toMatch(/├─3: Conv2d +\[2, 16, 10, 10\] +2,416\n/);
    expect(summary).toMatch(/├─6: Flatten +\[2, 400\] +--\n/);
    // 156 + 2,416 + 48,120 + 1,210 (LeNet-5's conv layers as in PyTorch's tutorial)
    expect(model.numParameters()).toBe(156 + 2416 + 48120 + 1210);
    expect(summary).toContain('Total params: 51,902');
  });
});
