/** What exportOnnx refuses, and that each refusal is an OnnxExportError naming what is at fault. */
import { type Tensor, TapegradError } from '@tapegrad/core';
import { BatchNorm1d, LayerNorm, Linear, MLP, Module, ReLU, Sequential, TransformerBlock } from '@tapegrad/nn';
import { OnnxExportError, exportOnnx } from '@tapegrad/onnx';

class Doubler extends Module {
  forward(x: Tensor): Tensor {
    return x.mul(2);
  }
}

function exportError(module: Module, options: Parameters<typeof exportOnnx>[1]): OnnxExportError {
  try {
    exportOnnx(module, options);
  } catch (e) {
    expect(e).toBeInstanceOf(OnnxExportError);
    expect(e).toBeInstanceOf(TapegradError);
    return e as OnnxExportError;
  }
  throw new Error('exportOnnx did not throw');
}

describe('attention modules', () => {
  test('a causal block needs a fixed sequence length (its mask is a constant), and inputs of the right width', () => {
    const block = new TransformerBlock(8, 2, { dimFeedforward: 8, causal: true, dtype: 'float32' });
    expect(exportError(block, { inputShape: [null, null, 8] }).message).toBe(
      "exportOnnx: MultiheadAttention at 'self_attn' is causal, so its sequence length must be fixed; give inputShape a number for axis 1",
    );
    expect(exportError(new TransformerBlock(8, 2, { dimFeedforward: 8 }), { inputShape: [null, 4, 6] }).message).toMatch(
      /LayerNorm at 'norm1' normalises \[\.\.\., 8\]; its input there has shape \[batch, 4, 6\]/,
    );
    expect(exportError(new LayerNorm(8), { inputShape: [null, 4] }).message).toMatch(/LayerNorm at '\(root\)' normalises/);
  });
});

describe('a module with no exporter', () => {
  test('is named by its path and class', () => {
    const e = exportError(new Sequential(new Linear(2, 2), new Sequential(new ReLU(), new Doubler())), { inputShape: [null, 2] });
    expect(e.message).toBe(
      "exportOnnx: no ONNX exporter for module '1.1' (class Doubler); register one with registerOnnxExporter(Doubler, ...)",
    );
  });

  test('at the root is called the model itself', () => {
    expect(exportError(new Doubler(), { inputShape: [2] }).message).toMatch(/for the model itself \(class Doubler\)/);
  });

  test("a subclass that keeps its parent's forward uses the parent's exporter; one that overrides forward has none", () => {
    class Classifier extends Sequential {
      describe(): string {
        return 'a Sequential with a helper method';
      }
    }
    class Reversed extends Sequential {
      override forward(x: Tensor): Tensor {
        return this.layers.reduceRight((y, layer) => layer.forward(y), x);
      }
    }
    expect(exportOnnx(new Classifier(new Linear(2, 2)), { inputShape: [null, 2] }).length).toBeGreaterThan(0);
    expect(exportError(new Reversed(new Linear(2, 2)), { inputShape: [null, 2] }).message).toMatch(/class Reversed/);
  });
});

test('an input shape that does not fit a layer names the layer and the shape it got', () => {
  const model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(5, 2));
  expect(exportError(model, { inputShape: [null, 3] }).message).toBe(
    "exportOnnx: Linear at '2' takes 5 input features; its input there has shape [batch, 4]",
  );
  expect(exportError(new BatchNorm1d(4), { inputShape: [null, 4, 2] }).message).toBe(
    "exportOnnx: BatchNorm1d at '(root)' takes [batch, 4]; its input there has shape [batch, 4, 2]",
  );
});

describe('weights float32 cannot hold', () => {
  test.each([
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [1e39, '1e+39'],
  ])('%p is refused, naming the parameter and the index', (value, shown) => {
    const model = new MLP([3, 2, 2]);
    model[2].namedParameters()[0][1].data[3] = value;
    const e = exportError(model, { inputShape: [null, 3] });
    expect(e.message).toMatch(
      new RegExp(`^exportOnnx: '2\\.weight' holds ${shown.replace('+', '\\+')} at index 3, which float32 cannot represent`),
    );
  });
});

describe('options', () => {
  const model = () => new MLP([2, 2]);
  test.each([16, 22, 17.5])('opset %p is refused with the supported list', (opset) => {
    expect(exportError(model(), { inputShape: [null, 2], opset }).message).toBe(
      `exportOnnx: opset ${opset} is not supported; choose one of 17, 18, 19, 20, 21`,
    );
  });
  test.each([
    [[], 'inputShape must be a non-empty array'],
    [[null, 0], 'inputShape[1] must be a positive integer, null or a dimension name; got 0'],
    [[null, 2.5], 'inputShape[1] must be a positive integer'],
    [['', 2], 'inputShape[0] must be a positive integer'],
  ])('inputShape %j is refused', (inputShape, message) => {
    expect(exportError(model(), { inputShape: inputShape }).message).toContain(message);
  });
  test('the input and output names must differ and not be empty', () => {
    expect(exportError(model(), { inputShape: [null, 2], inputName: 'x', outputName: 'x' }).message).toMatch(
      /two different non-empty names/,
    );
    expect(exportError(model(), { inputShape: [null, 2], outputName: '' }).message).toMatch(/two different non-empty names/);
  });
});
