/**
 * Weight initialisers, filling a tensor in place from the seeded generator (PyTorch's `nn.init.*_` semantics).
 * Seed 004's "we initialised the weights in a stupid way": a unit-variance draw makes deep sigmoid/ReLU nets
 * saturate or die; scaling by the fan keeps the activations' variance roughly constant from layer to layer.
 *   Xavier (Glorot): Var(w) = gain^2 * 2 / (fanIn + fanOut)   uniform bound = gain * sqrt(6 / (fanIn + fanOut))
 *   He (Kaiming):    Var(w) = gain^2 / fanIn, gain = sqrt(2)  uniform bound = gain * sqrt(3 / fanIn)
 * Fans follow PyTorch: a weight of shape [out, in, ...rest] has fanIn = in * prod(rest), fanOut = out * prod(rest).
 */
import { type Generator, ShapeError, type Tensor, globalGenerator } from '@tapegrad/core';

/** Options of the initialisers. */
export interface InitOptions {
  /** Multiplies the standard deviation (default 1 for Xavier, sqrt(2) for He, the ReLU gain). */
  readonly gain?: number;
  /** The generator to draw from; default the global one that `seed(n)` resets. */
  readonly generator?: Generator;
}

/** fanIn and fanOut of a weight of shape [out, in, ...rest], PyTorch's convention. */
export function fans(shape: readonly number[]): {
  /** Inputs feeding each output unit. */
  fanIn: number;
  /** Outputs each input unit feeds. */
  fanOut: number;
} {
  if (shape.length < 2) throw new ShapeError(`init: fan in/out need a weight of rank >= 2, got shape [${shape.join(', ')}]`);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

function fillUniform(t: Tensor, bound: number, g: Generator): Tensor {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = (2 * g.uniform() - 1) * bound;
  return t.markMutated();
}

function fillNormal(t: Tensor, std: number, g: Generator): Tensor {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = std * g.normal();
  return t.markMutated();
}

/**
 * Xavier/Glorot uniform: U(-b, b) with b = gain * sqrt(6 / (fanIn + fanOut)).
 * @example xavierUniform(zeros([128, 256], { requiresGrad: true }));
 */
export function xavierUniform(t: Tensor, options: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(t.shape);
  return fillUniform(t, (options.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut)), options.generator ?? globalGenerator);
}

/**
 * Xavier/Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fanIn + fanOut)).
 * @example xavierNormal(w, { gain: 5 / 3 });   // tanh's gain
 */
export function xavierNormal(t: Tensor, options: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(t.shape);
  return fillNormal(t, (options.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)), options.generator ?? globalGenerator);
}

/**
 * He/Kaiming uniform (fan-in mode): U(-b, b) with b = gain * sqrt(3 / fanIn), gain sqrt(2) for ReLU.
 * @example heUniform(w);
 */
export function heUniform(t: Tensor, options: InitOptions = {}): Tensor {
  const { fanIn } = fans(t.shape);
  return fillUniform(t, (options.gain ?? Math.SQRT2) * Math.sqrt(3 / fanIn), options.generator ?? globalGenerator);
}

/**
 * He/Kaiming normal (fan-in mode): N(0, std^2) with std = gain / sqrt(fanIn), gain sqrt(2) for ReLU.
 * @example heNormal(w);
 */
export function heNormal(t: Tensor, options: InitOptions = {}): Tensor {
  const { fanIn } = fans(t.shape);
  return fillNormal(t, (options.gain ?? Math.SQRT2) / Math.sqrt(fanIn), options.generator ?? globalGenerator);
}

/**
 * U(-b, b) for an explicit bound: PyTorch's Linear default uses b = 1 / sqrt(fanIn) for weight and bias.
 * @example uniform(bias, 1 / Math.sqrt(784));
 */
export function uniform(t: Tensor, bound: number, options: Pick<InitOptions, 'generator'> = {}): Tensor {
  return fillUniform(t, bound, options.generator ?? globalGenerator);
}

/**
 * Fills with zeros (the usual bias initialisation).
 * @example zeros(linear.bias!);
 */
export function zeros(t: Tensor): Tensor {
  t.data.fill(0);
  return t.markMutated();
}
