/** @jest-environment ./packages/onnx/test/ort-environment.ts */
/**
 * The convolutional and normalisation modules exported and run in ONNX Runtime (onnxruntime-node) on seeded inputs
 * of several batch sizes agree with tapegrad's eval-mode forward to 1e-5, and the official ONNX checker (when
 * Debian's python3-onnx is there) accepts each file. Modules or settings ONNX cannot express give an
 * OnnxExportError naming the module.
 */
import { Generator, noGrad, randn } from '@tapegrad/core';
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  Flatten,
  GELU,
  LayerNorm,
  Linear,
  MaxPool2d,
  type Module,
  ReLU,
  Sequential,
  SiLU,
} from '@tapegrad/nn';
import { OnnxExportError, exportOnnx } from '@tapegrad/onnx';
import { checkModels, checkerAvailable } from './checker';
import { maxAbsDifference, seededInput } from './ort';

interface Case {
  readonly name: string;
  readonly build: () => Module;
  readonly sample: readonly number[];
}

/** Running statistics away from 0 and 1 and a non-trivial affine, as training leaves them. */
function trained(model: Module, sample: readonly number[], g: Generator): Module {
  noGrad(() => {
    for (const [, m] of model.namedModules()) {
      if (!(m instanceof BatchNorm2d || m instanceof LayerNorm)) continue;
      if (m.weight) m.weight.assign(randn(m.weight.shape, { generator: g, mean: 1, std: 0.3, dtype: m.weight.dtype }));
      if (m.bias) m.bias.assign(randn(m.bias.shape, { generator: g, std: 0.5, dtype: m.bias.dtype }));
    }
    model.train();
    for (let k = 0; k < 4; k++) model.forward(randn([8, ...sample], { generator: g, mean: 0.3, std: 1.5, dtype: 'float32' }));
  });
  return model.eval();
}

const f32 = (g: Generator) => ({ dtype: 'float32', generator: g }) as const;

const CASES: readonly Case[] = [
  {
    name: 'a LeNet-style CNN: Conv2d, BatchNorm2d, ReLU, MaxPool2d, AvgPool2d, Flatten, Linear (float32)',
    build: () => {
      const g = new Generator(21);
      const model = new Sequential(
        new Conv2d(1, 6, 5, { padding: 2, ...f32(g) }),
        new BatchNorm2d(6, { dtype: 'float32' }),
        new ReLU(),
        new MaxPool2d(2),
        new Conv2d(6, 16, 5, f32(g)),
        new BatchNorm2d(16, { dtype: 'float32', affine: false, eps: 1e-3 }),
        new ReLU(),
        new AvgPool2d(2),
        new Flatten(),
        new Linear(400, 10, f32(g)),
      );
      return trained(model, [1, 28, 28], g);
    },
    sample: [1, 28, 28],
  },
  {
    name: "convolutions with stride, dilation, groups and 'same' padding (even kernel), pools with padding",
    build: () => {
      const g = new Generator(22);
      return new Sequential(
        new Conv2d(4, 6, [2, 4], { padding: 'same', bias: false, ...f32(g) }),
        new Conv2d(6, 6, 3, { stride: [2, 1], dilation: [1, 2], groups: 3, padding: [1, 2], ...f32(g) }),
        new MaxPool2d(3, { stride: 2, padding: 1, dilation: 1 }),
        new AvgPool2d(2, { stride: 1, padding: 1, countIncludePad: false }),
        new AvgPool2d([2, 1], { padding: [1, 0] }),
        new AdaptiveAvgPool2d(1),
        new Flatten(),
      );
    },
    sample: [4, 11, 13],
  },
  {
    name: 'LayerNorm over one and two axes, GELU (exact and tanh), SiLU, float64 weights',
    build: () => {
      const g = new Generator(23);
      const model = new Sequential(
        new Linear(12, 12, { generator: g }),
        new LayerNorm([5, 12], { eps: 1e-3 }),
        new GELU(),
        new LayerNorm(12, { elementwiseAffine: false }),
        new GELU({ approximate: 'tanh' }),
        new SiLU(),
        new LayerNorm(12, { bias: false }),
      );
      noGrad(() => {
        for (const [, m] of model.namedModules())
          if (m instanceof LayerNorm && m.weight) m.weight.assign(randn(m.weight.shape, { generator: g, mean: 1, std: 0.3 }));
      });
      return model;
    },
    sample: [5, 12],
  },
  {
    name: 'AdaptiveAvgPool2d to 2 x 3 where the sizes divide',
    build: () => new AdaptiveAvgPool2d([2, 3]),
    sample: [3, 8, 9],
  },
];

describe.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  const model = c.build();
  const bytes = exportOnnx(model, { inputShape: [null, ...c.sample] });
  test.each([1, 3, 16])('matches tapegrad within 1e-5 for a batch of %i', async (batch) => {
    const difference = await maxAbsDifference(model, bytes, seededInput([batch, ...c.sample], 200 + batch));
    expect(difference).toBeLessThanOrEqual(1e-5);
  });
});

test('what ONNX cannot express is an OnnxExportError naming the module', () => {
  expect(() => exportOnnx(new Sequential(new ReLU(), new AdaptiveAvgPool2d(3)), { inputShape: [null, 2, 7, 7] })).toThrow(
    new OnnxExportError(
      "exportOnnx: AdaptiveAvgPool2d at '1' pools 7 x 7 to 3 x 3 with overlapping windows, which no single ONNX operator computes",
    ),
  );
  expect(() => exportOnnx(new Conv2d(3, 4, 3), { inputShape: [null, 2, 8, 8] })).toThrow(
    /Conv2d at '\(root\)' takes \[batch, 3, height, width\] with known sizes; its input there has shape \[batch, 2, 8, 8\]/,
  );
  expect(() => exportOnnx(new Flatten(2), { inputShape: [null, 2, 3, 4] })).toThrow(/only Flatten\(1, -1\) is exported/);
});

(checkerAvailable() ? test : test.skip)('onnx.checker.check_model(full_check=True) accepts each exported model', () => {
  const models = CASES.map((c, i) => ({ name: `conv-${i}`, bytes: exportOnnx(c.build(), { inputShape: [null, ...c.sample] }) }));
  expect(checkModels(models)).toEqual(models.map((m) => m.name));
});
