/**
 * The main job's network: Linear -> ReLU -> Dropout for each hidden size, then Linear to the 10 classes, in
 * float32 with He-uniform weights and zero biases. A Sequential, so its state dict uses PyTorch's names
 * (`0.weight`, `3.weight`, `6.weight`, ...) and loads into an equivalent torch.nn.Sequential.
 */
import type { Generator } from '@tapegrad/core';
import { Dropout, Linear, type Module, ReLU, Sequential } from '@tapegrad/nn';
import { PIXELS } from './data.js';

export const CLASSES = 10;

/** Builds the MLP PIXELS-hidden...-10. `noise` drives dropout; `init` draws the weights. */
export function buildModel(hidden: readonly number[], options: { dropout: number; init: Generator; noise: Generator }): Sequential {
  const sizes = [PIXELS, ...hidden, CLASSES];
  const layers: Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new Linear(sizes[i], sizes[i + 1], { dtype: 'float32', init: 'heUniform', generator: options.init }));
    if (i + 2 < sizes.length) layers.push(new ReLU(), new Dropout(options.dropout, { generator: options.noise }));
  }
  return new Sequential(...layers);
}

/** The hidden sizes of a saved model, read from its Linear weights (`<index>.weight` of shape [out, in]). */
export function hiddenSizesOf(state: Record<string, { shape: readonly number[] }>): number[] {
  const weights = Object.keys(state)
    .map((k) => /^(\d+)\.weight$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ index: Number(m[1]), shape: state[m[0]].shape }))
    .sort((a, b) => a.index - b.index);
  return weights.slice(0, -1).map((w) => w.shape[0]);
}
