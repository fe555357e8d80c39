// AdaGrad with PyTorch's semantics (t = the parameter's own step, 1-based):
//   g <- g + weightDecay * p;  clr = lr / (1 + (t - 1) * lrDecay)
//   sum <- sum + g^2   (sum starts at initialAccumulatorValue)
//   p <- p - clr * g / (sqrt(sum) + eps)
// TensorFlow.js's adagrad differs in two conventions: its accumulator starts at 0.1 and its epsilon sits inside
// the square root, sqrt(sum + 1e-7). Pass { initialAccumulatorValue: 0.1 } to match it (see the test).
import { type KernelStep, Optimizer, type Params, type StepContext, type UpdateContext } from './optimizer.js';
import { brand } from '../brand.js';

/** Options of AdaGrad (PyTorch's names). */
export interface AdaGradOptions {
  /** Learning rate (default 1e-2). */
  readonly lr?: number;
  /** Learning-rate decay per step of the parameter (default 0). */
  readonly lrDecay?: number;
  /** L2 penalty coefficient (default 0). */
  readonly weightDecay?: number;
  /** Starting value of the squared-gradient sum (default 0, PyTorch's; TF.js uses 0.1). */
  readonly initialAccumulatorValue?: number;
  /** Added to sqrt(sum) (default 1e-10). */
  readonly eps?: number;
}

/** AdaGrad's options, resolved, as each param group holds them. */
export type AdaGradHyperparameters = { -readonly [K in keyof AdaGradOptions]-?: NonNullable<AdaGradOptions[K]> };

/**
 * AdaGrad: per-element steps scaled by the root of the summed squared gradients.
 * @example const opt = new AdaGrad(model.parameters(), { lr: 0.1 });
 */
export class AdaGrad extends Optimizer<AdaGradHyperparameters> {
  static {
    brand(this, 'AdaGrad');
  }
  constructor(params: Params<AdaGradOptions>, options: AdaGradOptions = {}) {
    const defaults = { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 };
    super('AdaGrad', params, defaults, options, {
      lrDecay: Infinity,
      weightDecay: Infinity,
      initialAccumulatorValue: Infinity,
      eps: Infinity,
    });
  }

  protected update({ p, g, lr, step, buffer }: UpdateContext, h: AdaGradHyperparameters): void {
    const clr = lr / (1 + (step - 1) * h.lrDecay);
    const sum = buffer('sum', h.initialAccumulatorValue);
    const { weightDecay: wd, eps } = h;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + wd * p[i];
      sum[i] += gi * gi;
      p[i] -= (clr * gi) / (Math.sqrt(sum[i]) + eps);
    }
  }

  protected override kernelStep<B>({ buffer, lr, step }: StepContext<B>, h: AdaGradHyperparameters): KernelStep<B> {
    const { weightDecay, eps, lrDecay, initialAccumulatorValue } = h;
    // This step's learning rate, computed as update's.
    return {
      update: { rule: 'adagrad', lr: lr / (1 + (step - 1) * lrDecay), weightDecay, eps },
      state: [buffer('sum', initialAccumulatorValue)],
    };
  }
}
