/**
 * Exporters for the convolutional and normalisation modules (Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d with
 * output 1, Flatten, Unflatten, BatchNorm1d, BatchNorm2d, LayerNorm, GELU, SiLU), writing what `module.eval().forward(x)` computes, as
 * torch.onnx.export does. Spatial sizes must be known (only the batch axis may be symbolic), since each exporter
 * states its output shape. GELU is written as its formula (Erf, or Tanh for the tanh form), which every supported
 * opset has; ONNX's own Gelu operator only exists from opset 20.
 */
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  Flatten,
  GELU,
  LayerNorm,
  MaxPool2d,
  type Module,
  SiLU,
  Unflatten,
} from '@tapegrad/nn';
import type { OnnxDim, OnnxExporter, OnnxGraph, OnnxValue } from './graph-builder.js';
import { fail, formatDims, join } from './naming.js';

type PerAxis = number | readonly number[];

function pair(v: PerAxis | undefined, fallback: number): [number, number] {
  if (v === undefined) return [fallback, fallback];
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

/** [batch, channels, h, w] with known channels and spatial sizes, else an error naming the module. */
function image(m: Module, x: OnnxValue, path: string, channels?: number): [OnnxDim, number, number, number] {
  const [n, c, h, w] = x.shape;
  if (
    x.shape.length !== 4 ||
    typeof c !== 'number' ||
    typeof h !== 'number' ||
    typeof w !== 'number' ||
    (channels !== undefined && c !== channels)
  )
    fail(
      m,
      path,
      `takes [batch, ${channels ?? 'channels'}, height, width] with known sizes; its input there has shape ${formatDims(x.shape)}`,
    );
  return [n, c, h, w];
}

/** floor((size + before + after - dilation (k - 1) - 1) / stride) + 1, checked to be at least 1. */
function windows(
  m: Module,
  path: string,
  size: number,
  k: number,
  stride: number,
  dilation: number,
  before: number,
  after: number,
): number {
  const out = Math.floor((size + before + after - dilation * (k - 1) - 1) / stride) + 1;
  if (out < 1) fail(m, path, `has a window larger than its padded input (${size} + ${before} + ${after})`);
  return out;
}

const conv2d: OnnxExporter<Conv2d> = (m, x, graph, path) => {
  const [n, , h, w] = image(m, x, path, m.inChannels);
  const [kh, kw] = m.kernelSize;
  const stride = pair(m.options.stride, 1);
  const dilation = pair(m.options.dilation, 1);
  let before: [number, number];
  let after: [number, number];
  if (m.options.padding === 'same') {
    // PyTorch's rule: the odd extra row and column go at the end.
    const total = [dilation[0] * (kh - 1), dilation[1] * (kw - 1)];
    before = [Math.floor(total[0] / 2), Math.floor(total[1] / 2)];
    after = [total[0] - before[0], total[1] - before[1]];
  } else if (m.options.padding === 'valid') before = after = [0, 0];
  else before = after = pair(m.options.padding, 0);
  const out = [
    n,
    m.outChannels,
    windows(m, path, h, kh, stride[0], dilation[0], before[0], after[0]),
    windows(m, path, w, kw, stride[1], dilation[1], before[1], after[1]),
  ];
  const inputs = [x.name, graph.weight(join(path, 'weight'), m.weight)];
  if (m.bias) inputs.push(graph.weight(join(path, 'bias'), m.bias));
  return graph.node('Conv', inputs, out, {
    scope: path,
    attributes: {
      kernel_shape: { ints: [kh, kw] },
      strides: { ints: stride },
      dilations: { ints: dilation },
      pads: { ints: [before[0], before[1], after[0], after[1]] },
      group: { int: m.options.groups },
    },
  });
};

function pool(opType: 'MaxPool' | 'AveragePool'): OnnxExporter<MaxPool2d | AvgPool2d> {
  return (m, x, graph, path) => {
    const [n, c, h, w] = image(m, x, path);
    const kernel = pair(m.kernelSize, 1);
    const stride = pair(m.options.stride ?? m.kernelSize, 1);
    const padding = pair(m.options.padding, 0);
    const dilation = m instanceof MaxPool2d ? pair(m.options.dilation, 1) : ([1, 1] as [number, number]);
    const out = [
      n,
      c,
      windows(m, path, h, kernel[0], stride[0], dilation[0], padding[0], padding[0]),
      windows(m, path, w, kernel[1], stride[1], dilation[1], padding[1], padding[1]),
    ];
    const attributes = {
      kernel_shape: { ints: kernel },
      strides: { ints: stride },
      pads: { ints: [...padding, ...padding] },
      ...(m instanceof MaxPool2d
        ? { dilations: { ints: dilation } }
        : { count_include_pad: { int: m.options.countIncludePad === false ? 0 : 1 } }),
    };
    return graph.node(opType, [x.name], out, { scope: path, attributes });
  };
}

const adaptiveAvgPool2d: OnnxExporter<AdaptiveAvgPool2d> = (m, x, graph, path) => {
  const [n, c, h, w] = image(m, x, path);
  const [oh, ow] = m.outputSize;
  if (oh === 1 && ow === 1) return graph.node('GlobalAveragePool', [x.name], [n, c, 1, 1], { scope: path });
  if (h % oh !== 0 || w % ow !== 0)
    fail(m, path, `pools ${h} x ${w} to ${oh} x ${ow} with overlapping windows, which no single ONNX operator computes`);
  const kernel = [h / oh, w / ow];
  return graph.node('AveragePool', [x.name], [n, c, oh, ow], {
    scope: path,
    attributes: { kernel_shape: { ints: kernel }, strides: { ints: kernel } },
  });
};

const flatten: OnnxExporter<Flatten> = (m, x, graph, path) => {
  // ONNX's Flatten(axis 1) is [d0, d1 * d2 * ...]: exactly Flatten(1, -1) on any input of rank >= 2.
  if (m.startDim !== 1 || (m.endDim !== -1 && m.endDim !== x.shape.length - 1) || x.shape.length < 2)
    fail(m, path, `flattens axes ${m.startDim}..${m.endDim} of ${formatDims(x.shape)}; only Flatten(1, -1) is exported`);
  const rest = x.shape.slice(1);
  if (rest.some((d) => typeof d !== 'number')) fail(m, path, `needs known sizes after the batch axis, got ${formatDims(x.shape)}`);
  return graph.node('Flatten', [x.name], [x.shape[0], (rest as number[]).reduce((a, b) => a * b, 1)], {
    scope: path,
    attributes: { axis: { int: 1 } },
  });
};

const unflatten: OnnxExporter<Unflatten> = (m, x, graph, path) => {
  // A Reshape whose target copies the batch axis (0 in ONNX's shape means "keep this dimension").
  const axis = m.dim < 0 ? m.dim + x.shape.length : m.dim;
  if (axis < 1 || axis >= x.shape.length)
    fail(m, path, `splits axis ${m.dim} of ${formatDims(x.shape)}; only an axis after the batch axis is exported`);
  const kept = x.shape.slice(1);
  if (kept.some((d) => typeof d !== 'number')) fail(m, path, `needs known sizes after the batch axis, got ${formatDims(x.shape)}`);
  const [before, after] = [kept.slice(0, axis - 1) as number[], kept.slice(axis) as number[]];
  const target = [...before, ...m.sizes, ...after];
  const shape = graph.int64Initializer(join(path, 'shape'), [0, ...target], [target.length + 1]);
  return graph.node('Reshape', [x.name, shape], [x.shape[0], ...target], { scope: path });
};

/** Eval-mode batch normalisation with the running statistics; ones and zeros stand in for a missing affine. */
function batchNormalization(m: BatchNorm1d | BatchNorm2d, x: OnnxValue, graph: OnnxGraph, path: string): OnnxValue {
  const c = m.numFeatures;
  const scale = m.weight
    ? graph.weight(join(path, 'weight'), m.weight)
    : graph.initializer(join(path, 'weight'), new Float32Array(c).fill(1), [c]);
  const shift = m.bias ? graph.weight(join(path, 'bias'), m.bias) : graph.initializer(join(path, 'bias'), new Float32Array(c), [c]);
  const mean = graph.weight(join(path, 'running_mean'), m.runningMean);
  const variance = graph.weight(join(path, 'running_var'), m.runningVar);
  return graph.node('BatchNormalization', [x.name, scale, shift, mean, variance], x.shape, {
    scope: path,
    attributes: { epsilon: { float: m.eps } },
  });
}

const batchNorm1d: OnnxExporter<BatchNorm1d> = (m, x, graph, path) => {
  if (x.shape.length !== 2 || x.shape[1] !== m.numFeatures)
    fail(m, path, `takes [batch, ${m.numFeatures}]; its input there has shape ${formatDims(x.shape)}`);
  return batchNormalization(m, x, graph, path);
};

const batchNorm2d: OnnxExporter<BatchNorm2d> = (m, x, graph, path) => {
  image(m, x, path, m.numFeatures);
  return batchNormalization(m, x, graph, path);
};

const layerNorm: OnnxExporter<LayerNorm> = (m, x, graph, path) => {
  const k = m.normalizedShape.length;
  if (x.shape.length < k || x.shape.slice(x.shape.length - k).join() !== m.normalizedShape.join())
    fail(m, path, `normalises [..., ${m.normalizedShape.join(', ')}]; its input there has shape ${formatDims(x.shape)}`);
  const size = m.normalizedShape.reduce((a, b) => a * b, 1);
  const scale = m.weight
    ? graph.weight(join(path, 'weight'), m.weight)
    : graph.initializer(join(path, 'weight'), new Float32Array(size).fill(1), m.normalizedShape);
  const inputs = [x.name, scale];
  if (m.bias) inputs.push(graph.weight(join(path, 'bias'), m.bias));
  return graph.node('LayerNormalization', inputs, x.shape, { scope: path, attributes: { axis: { int: -k }, epsilon: { float: m.eps } } });
};

/** a op b for a scalar constant b. */
function withConstant(graph: OnnxGraph, opType: string, a: OnnxValue, value: number, name: string, path: string): OnnxValue {
  return graph.node(opType, [a.name, graph.initializer(join(path, name), [value], [])], a.shape, { scope: path });
}

const gelu: OnnxExporter<GELU> = (m, x, graph, path) => {
  let inner: OnnxValue;
  if (m.approximate === 'tanh') {
    // tanh(sqrt(2 / pi) (x + 0.044715 x^3))
    const cube = graph.node('Mul', [graph.node('Mul', [x.name, x.name], x.shape, { scope: path }).name, x.name], x.shape, { scope: path });
    const sum = graph.node('Add', [x.name, withConstant(graph, 'Mul', cube, 0.044715, 'cubic', path).name], x.shape, { scope: path });
    inner = graph.node('Tanh', [withConstant(graph, 'Mul', sum, Math.sqrt(2 / Math.PI), 'scale', path).name], x.shape, { scope: path });
  } else {
    inner = graph.node('Erf', [withConstant(graph, 'Div', x, Math.SQRT2, 'sqrt2', path).name], x.shape, { scope: path });
  }
  const onePlus = withConstant(graph, 'Add', inner, 1, 'one', path);
  return withConstant(graph, 'Mul', graph.node('Mul', [x.name, onePlus.name], x.shape, { scope: path }), 0.5, 'half', path);
};

const silu: OnnxExporter<SiLU> = (_m, x, graph, path) =>
  graph.node('Mul', [x.name, graph.node('Sigmoid', [x.name], x.shape, { scope: path }).name], x.shape, { scope: path });

/** The table's entries for these modules. */
export const CONV_EXPORTERS: ReadonlyArray<[abstract new (...args: never[]) => Module, OnnxExporter<never>]> = [
  [Conv2d, conv2d],
  [MaxPool2d, pool('MaxPool')],
  [AvgPool2d, pool('AveragePool')],
  [AdaptiveAvgPool2d, adaptiveAvgPool2d],
  [Flatten, flatten],
  [Unflatten, unflatten],
  [BatchNorm1d, batchNorm1d],
  [BatchNorm2d, batchNorm2d],
  [LayerNorm, layerNorm],
  [GELU, gelu],
  [SiLU, silu],
];
