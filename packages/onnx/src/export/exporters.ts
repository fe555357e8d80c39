/**
 * The exporter table: module class -> the function that writes its ONNX nodes. Adding a module is one entry.
 * Every exporter writes the module's inference computation (Dropout is the identity, BatchNorm uses its running
 * statistics), which is what `module.eval().forward(x)` computes, as torch.onnx.export does by default.
 */
import { Dropout, Identity, LeakyReLU, Linear, Module, ReLU, Sequential, Sigmoid, Softmax, Tanh } from '@tapegrad/nn';
import { OnnxExportError } from '../errors.js';
import { ATTENTION_EXPORTERS } from './attention-exporters.js';
import { CONV_EXPORTERS } from './conv-exporters.js';
import type { OnnxExporter, OnnxNodeOptions, OnnxValue } from './graph-builder.js';
import { fail, formatDims, join } from './naming.js';

/** A module class, abstract or not, whatever its constructor takes. @example const classes: ModuleClass[] = [Linear, ReLU]; */
export type ModuleClass<M extends Module = Module> = abstract new (...args: never[]) => M;

/** An operator applied elementwise: the output has the input's shape. */
function elementwise<M extends Module>(opType: string, attributes?: (m: M) => OnnxNodeOptions['attributes']): OnnxExporter<M> {
  return (m, x, graph, path) => graph.node(opType, [x.name], x.shape, { scope: path, attributes: attributes?.(m) });
}

const passThrough: OnnxExporter = (_m, x) => x;

/** y = x W^T + b: Gemm for a batch of vectors (as PyTorch exports it), MatMul with W^T then Add for other ranks. */
const linear: OnnxExporter<Linear> = (m, x, graph, path) => {
  const features = x.shape[x.shape.length - 1];
  if (features !== m.inFeatures) fail(m, path, `takes ${m.inFeatures} input features; its input there has shape ${formatDims(x.shape)}`);
  const out = [...x.shape.slice(0, -1), m.outFeatures];
  if (x.shape.length === 2) {
    const inputs = [x.name, graph.weight(join(path, 'weight'), m.weight)];
    if (m.bias) inputs.push(graph.weight(join(path, 'bias'), m.bias));
    return graph.node('Gemm', inputs, out, { scope: path, attributes: { transB: { int: 1 } } });
  }
  const w = m.weight.data;
  const transposed = new Float64Array(w.length);
  for (let o = 0; o < m.outFeatures; o++)
    for (let i = 0; i < m.inFeatures; i++) transposed[i * m.outFeatures + o] = w[o * m.inFeatures + i];
  const wt = graph.initializer(join(path, 'weight.T'), transposed, [m.inFeatures, m.outFeatures]);
  const y = graph.node('MatMul', [x.name, wt], out, { scope: path });
  return m.bias ? graph.node('Add', [y.name, graph.weight(join(path, 'bias'), m.bias)], out, { scope: path }) : y;
};

const sequential: OnnxExporter<Sequential> = (m, x, graph, path) =>
  m.layers.reduce<OnnxValue>((value, layer, i) => graph.module(layer, value, join(path, String(i))), x);

// The table. Each entry's exporter is typed for its class; the map holds them as exporters of any Module.
const EXPORTERS = new Map<ModuleClass, OnnxExporter>(
  (
    [
      [Sequential, sequential],
      [Linear, linear],
      [ReLU, elementwise('Relu')],
      [Sigmoid, elementwise('Sigmoid')],
      [Tanh, elementwise('Tanh')],
      [LeakyReLU, elementwise<LeakyReLU>('LeakyRelu', (m) => ({ alpha: { float: m.negativeSlope } }))],
      [Softmax, elementwise<Softmax>('Softmax', (m) => ({ axis: { int: m.axis } }))],
      [Identity, passThrough],
      [Dropout, passThrough],
      ...ATTENTION_EXPORTERS,
      ...CONV_EXPORTERS,
    ] as Array<[ModuleClass, OnnxExporter<never>]>
  ).map(([c, e]) => [c, e as OnnxExporter]),
);

/**
 * Registers how modules of class `moduleClass` are written to ONNX, for your own modules or to replace a built-in
 * exporter. The exporter receives the module, its input value (name and shape), the graph and the module's path,
 * and returns its output value. Subclasses that do not override `forward` use their parent's exporter.
 * @example
 * class Double extends Module { forward(x: Tensor) { return x.mul(2); } }
 * registerOnnxExporter(Double, (m, x, graph, path) => {
 *   const two = graph.initializer(`${path}.two`, [2], []);
 *   return graph.node('Mul', [x.name, two], x.shape, { scope: path });
 * });
 */
export function registerOnnxExporter<M extends Module>(moduleClass: ModuleClass<M>, exporter: OnnxExporter<M>): void {
  EXPORTERS.set(moduleClass, exporter as OnnxExporter);
}

/**
 * The exporter for `module`: its class's, or the nearest ancestor's when no class in between overrides `forward`
 * (an MLP is a Sequential; a subclass with its own forward computes something else and needs its own exporter).
 */
export function exporterFor(module: Module, path: string): OnnxExporter {
  let proto = Object.getPrototypeOf(module) as object | null;
  while (proto !== null && proto !== Module.prototype) {
    const exporter = EXPORTERS.get(proto.constructor as ModuleClass);
    if (exporter !== undefined) return exporter;
    if (Object.prototype.hasOwnProperty.call(proto, 'forward')) break;
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  const where = path === '' ? 'the model itself' : `module '${path}'`;
  throw new OnnxExportError(
    `exportOnnx: no ONNX exporter for ${where} (class ${module.constructor.name}); ` +
      `register one with registerOnnxExporter(${module.constructor.name}, ...)`,
  );
}
