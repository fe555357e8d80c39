/**
 * Seed 003's slow-learning neuron (the example of Nielsen's chapter 3): one sigmoid neuron a = sigma(w x + b)
 * with x = 1 and target y = 0, started badly saturated at w = b = 2 (a = 0.98), trained by gradient descent
 * with eta = 0.15. The quadratic cost C = (a - y)^2 / 2 has dC/dw = (a - y) sigma'(z) x, and sigma'(z) ~ 0.018
 * there, so it barely moves; cross-entropy C = -[y ln a + (1 - y) ln(1 - a)] has dC/dw = (a - y) x: no sigma'.
 * Both runs are Scalars on the tape; the costs are written out, the derivatives come from the engine.
 */
import { type Scalar, scalar } from '@tapegrad/core';

export type Cost = 'quadratic' | 'cross-entropy';

export interface SaturationOptions {
  readonly w?: number;
  readonly b?: number;
  readonly x?: number;
  readonly y?: number;
  readonly eta?: number;
}

export interface Curve {
  readonly cost: Cost;
  /** Cost and output before each epoch's update; index = epoch. */
  readonly costs: readonly number[];
  readonly outputs: readonly number[];
  /** dC/dw at the starting point. */
  readonly firstGradient: number;
}

function costOf(kind: Cost, a: Scalar, y: number): Scalar {
  if (kind === 'quadratic') return a.sub(y).square().mul(0.5);
  // -[y ln a + (1 - y) ln(1 - a)]
  return a
    .log()
    .mul(y)
    .add(
      a
        .neg()
        .add(1)
        .log()
        .mul(1 - y),
    )
    .neg();
}

/** Trains the neuron for `epochs` epochs and records cost and output at epochs 0..epochs. */
export function trainNeuron(kind: Cost, epochs: number, options: SaturationOptions = {}): Curve {
  const { x = 1, y = 0, eta = 0.15 } = options;
  let wv = options.w ?? 2;
  let bv = options.b ?? 2;
  const costs: number[] = [];
  const outputs: number[] = [];
  let firstGradient = NaN;
  for (let epoch = 0; epoch <= epochs; epoch++) {
    const w = scalar(wv, { name: 'w' });
    const b = scalar(bv, { name: 'b' });
    const a = w.mul(x).add(b).sigmoid();
    const c = costOf(kind, a, y);
    costs.push(c.value);
    outputs.push(a.value);
    if (epoch === epochs) break;
    c.backward();
    if (epoch === 0) firstGradient = w.grad;
    wv -= eta * w.grad;
    bv -= eta * b.grad;
  }
  return { cost: kind, costs, outputs, firstGradient };
}

/** The first epoch at which the output is below `target`, or null within the curve. */
export function epochsToReach(curve: Curve, target: number): number | null {
  const i = curve.outputs.findIndex((a) => a < target);
  return i < 0 ? null : i;
}
