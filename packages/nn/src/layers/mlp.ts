/**
 * MLP(sizes, { activation, outputActivation }): seed 000's network family. Hidden layers use sigmoid, tanh or
 * ReLU; the output layer is sigmoid, softmax or linear (logits). It is a Sequential of Linear and activation
 * modules, so its state dict reads `0.weight`, `0.bias`, `2.weight`, ... like a PyTorch nn.Sequential.
 * Initialisation matches the activation: He (uniform) for ReLU, Xavier (uniform) for sigmoid and tanh; biases 0.
 */
import { type DType, type Generator, ShapeError } from '@tapegrad/core';
import type { Module } from '../module.js';
import { ReLU, Sigmoid, Softmax, Tanh } from './activations.js';
import { Linear, type LinearInit } from './linear.js';
import { Sequential } from './sequential.js';
import { brand } from '../brand.js';

/** The hidden-layer activations of seed 000. */
export type HiddenActivation = 'sigmoid' | 'tanh' | 'relu';
/** The output activations of seed 000 ('linear' leaves logits). */
export type OutputActivation = 'sigmoid' | 'softmax' | 'linear';

/** Options of `new MLP(sizes, options)`. */
export interface MLPOptions {
  /** Hidden activation (default 'relu'). */
  readonly activation?: HiddenActivation;
  /** Output activation (default 'linear': logits, for softmaxCrossEntropy). */
  readonly outputActivation?: OutputActivation;
  /** Parameter dtype (default float64). */
  readonly dtype?: DType;
  /** Weight initialisation; default He uniform for ReLU, Xavier uniform for sigmoid/tanh. */
  readonly init?: LinearInit;
  /** The generator the weights are drawn from (default the global one). */
  readonly generator?: Generator;
}

const HIDDEN: Record<HiddenActivation, () => Module> = { sigmoid: () => new Sigmoid(), tanh: () => new Tanh(), relu: () => new ReLU() };
const OUTPUT: Record<OutputActivation, () => Module | null> = {
  sigmoid: () => new Sigmoid(),
  softmax: () => new Softmax(-1),
  linear: () => null,
};

/**
 * A multilayer perceptron: Linear layers of the given sizes with an activation between them.
 * @example
 * const net = new MLP([784, 256, 128, 10], { activation: 'relu', dtype: 'float32' });
 * softmaxCrossEntropy(net.forward(x), labels).backward();
 */
export class MLP extends Sequential {
  static {
    brand(this, 'MLP');
  }
  constructor(
    /** Layer widths, input first: [784, 256, 128, 10]. */
    readonly sizes: readonly number[],
    options: MLPOptions = {},
  ) {
    super(...buildLayers(sizes, options));
  }
}

function buildLayers(sizes: readonly number[], options: MLPOptions): Module[] {
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new ShapeError(`MLP: sizes must list at least an input and an output size, all positive integers; got [${sizes.join(', ')}]`);
  }
  const activation = options.activation ?? 'relu';
  const output = options.outputActivation ?? 'linear';
  if (!(activation in HIDDEN)) throw new ShapeError(`MLP: unknown hidden activation '${activation}'; expected sigmoid, tanh or relu`);
  if (!(output in OUTPUT)) throw new ShapeError(`MLP: unknown output activation '${output}'; expected sigmoid, softmax or linear`);
  const init: LinearInit = options.init ?? (activation === 'relu' ? 'heUniform' : 'xavierUniform');
  const layers: Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new Linear(sizes[i], sizes[i + 1], { dtype: options.dtype, init, generator: options.generator }));
    const last = i + 2 === sizes.length;
    const act = last ? OUTPUT[output]() : HIDDEN[activation]();
    if (act) layers.push(act);
  }
  return layers;
}
