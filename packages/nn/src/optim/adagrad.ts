// AdaGrad with PyTorch's semantics:
//   g <- g + weightDecay * p;  clr = lr / (1 + (t - 1) * lrDecay)
//   sum <- sum + g^2   (sum starts at initialAccumulatorValue)
//   p <- p - clr * g / (sqrt(sum) + eps)
// TensorFlow.js's adagrad differs in two conventions: its accumulator starts at 0.1 and its epsilon sits inside
// the square root, sqrt(sum + 1e-7). Pass { initialAccumulatorValue: 0.1 } to match it (see the test).
import type { Tensor } from '@tapegrad/core';
import { Optimizer, type UpdateContext, checkNonNegative } from './optimizer.js';

/** Options of AdaGrad (PyTorch's names). */
export interface AdaGradOptions {
  /** Learning rate (default 1e-2). */
  readonly lr?: number;
  /** Learning-rate decay per step (default 0). */
  readonly lrDecay?: number;
  /** L2 penalty coefficient (default 0). */
  readonly weightDecay?: number;
  /** Starting value of the squared-gradient sum (default 0, PyTorch's; TF.js uses 0.1). */
  readonly initialAccumulatorValue?: number;
  /** Added to sqrt(sum) (default 1e-10). */
  readonly eps?: number;
}

/**
 * AdaGrad: per-element steps scaled by the root of the summed squared gradients.
 * @example const opt = new AdaGrad(model.parameters(), { lr: 0.1 });
 */
export class AdaGrad extends Optimizer {
  /** Learning-rate decay per step. */
  readonly lrDecay: number;
  /** L2 penalty coefficient. */
  readonly weightDecay: number;
  /** Starting value of the squared-gradient sum. */
  readonly initialAccumulatorValue: number;
  /** Added to the root of the sum. */
  readonly eps: number;

  constructor(params: Iterable<Tensor>, options: AdaGradOptions = {}) {
    super(params, options.lr ?? 1e-2, 'AdaGrad');
    this.lrDecay = options.lrDecay ?? 0;
    this.weightDecay = options.weightDecay ?? 0;
    this.initialAccumulatorValue = options.initialAccumulatorValue ?? 0;
    this.eps = options.eps ?? 1e-10;
    checkNonNegative('AdaGrad', 'initialAccumulatorValue', this.initialAccumulatorValue);
    checkNonNegative('AdaGrad', 'eps', this.eps);
  }

  protected update({ p, g, lr, step, buffer }: UpdateContext): void {
    const clr = lr / (1 + (step - 1) * this.lrDecay);
    const sum = buffer('sum', this.initialAccumulatorValue);
    const { weightDecay: wd, eps } = this;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + wd * p[i];
      sum[i] += gi * gi;
      p[i] -= (clr * gi) / (Math.sqrt(sum[i]) + eps);
    }
  }
}
