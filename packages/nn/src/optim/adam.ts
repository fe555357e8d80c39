// Adam and AdamW with PyTorch's semantics (t = step, 1-based):
//   Adam:  g <- g + weightDecay * p   (L2 penalty, coupled)
//   AdamW: p <- p * (1 - lr * weightDecay)   (decoupled decay, before the Adam step)
//   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
//   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
// TensorFlow.js's adam computes the same update (same eps placement); its default eps is 1e-7 instead of 1e-8.
import type { Tensor } from '@tapegrad/core';
import { Optimizer, type UpdateContext, checkNonNegative } from './optimizer.js';

/** Options of Adam and AdamW (PyTorch's names). */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  readonly lr?: number;
  /** Decay rates of the first and second moments (default [0.9, 0.999]). */
  readonly betas?: readonly [number, number];
  /** Added to the root of the second moment (default 1e-8). */
  readonly eps?: number;
  /** L2 penalty for Adam (default 0); decoupled decay for AdamW (default 1e-2). */
  readonly weightDecay?: number;
}

/**
 * Adam (Kingma and Ba), with an optional coupled L2 penalty.
 * @example
 * const opt = new Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8 });
 * opt.zeroGrad(); softmaxCrossEntropy(model.forward(x), labels).backward(); opt.step();
 */
export class Adam extends Optimizer {
  /** Decay rate of the first moment. */
  readonly beta1: number;
  /** Decay rate of the second moment. */
  readonly beta2: number;
  /** Added to the root of the second moment. */
  readonly eps: number;
  /** L2 penalty (Adam) or decoupled decay (AdamW) coefficient. */
  readonly weightDecay: number;
  protected readonly decoupled: boolean = false;

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}, name = 'Adam', defaultWeightDecay = 0) {
    super(params, options.lr ?? 1e-3, name);
    [this.beta1, this.beta2] = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? defaultWeightDecay;
    checkNonNegative(name, 'betas[0]', this.beta1, 1);
    checkNonNegative(name, 'betas[1]', this.beta2, 1);
    checkNonNegative(name, 'eps', this.eps);
    checkNonNegative(name, 'weightDecay', this.weightDecay);
  }

  protected update({ p, g, lr, step, buffer }: UpdateContext): void {
    const { beta1: b1, beta2: b2, eps } = this;
    const m = buffer('exp_avg');
    const v = buffer('exp_avg_sq');
    const c1 = 1 - b1 ** step;
    const rootC2 = Math.sqrt(1 - b2 ** step);
    const stepSize = lr / c1;
    const coupled = this.decoupled ? 0 : this.weightDecay;
    const shrink = this.decoupled ? 1 - lr * this.weightDecay : 1;
    const a1 = 1 - b1;
    const a2 = 1 - b2;
    // The moments are stored in the parameter's dtype, but the step uses them unrounded: reading a float32
    // element straight back after writing it cost a third of the update's time.
    for (let i = 0; i < p.length; i++) {
      const pi = p[i];
      const gi = g[i] + coupled * pi;
      const mi = b1 * m[i] + a1 * gi;
      const vi = b2 * v[i] + a2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] = pi * shrink - (stepSize * mi) / (Math.sqrt(vi) / rootC2 + eps);
    }
  }
}

/**
 * AdamW (Loshchilov and Hutter): Adam with weight decay decoupled from the gradient.
 * @example const opt = new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
 */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super(params, options, 'AdamW', 1e-2);
  }
}
