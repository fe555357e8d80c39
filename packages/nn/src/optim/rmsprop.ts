// RMSprop with PyTorch's semantics:
//   g <- g + weightDecay * p
//   v <- alpha * v + (1 - alpha) * g^2
//   centered: gAvg <- alpha * gAvg + (1 - alpha) * g;  denom = sqrt(v - gAvg^2) + eps,  else denom = sqrt(v) + eps
//   momentum > 0: buf <- momentum * buf + g / denom;  p <- p - lr * buf,  else p <- p - lr * g / denom
// TensorFlow.js's rmsprop calls alpha `decay` (default 0.9, PyTorch's 0.99), puts eps inside the square root, and
// folds lr into its momentum buffer (the same thing while lr is constant).
import { type KernelStep, Optimizer, type Params, type StepContext, type UpdateContext } from './optimizer.js';
import { brand } from '../brand.js';

/** Options of RMSprop (PyTorch's names). */
export interface RMSpropOptions {
  /** Learning rate (default 1e-2). */
  readonly lr?: number;
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  readonly alpha?: number;
  /** Added to the root of the average (default 1e-8). */
  readonly eps?: number;
  /** L2 penalty coefficient (default 0). */
  readonly weightDecay?: number;
  /** Momentum factor (default 0). */
  readonly momentum?: number;
  /** Normalise by the variance estimate instead of the raw second moment. */
  readonly centered?: boolean;
}

/** RMSprop's options, resolved, as each param group holds them. */
export type RMSpropHyperparameters = { -readonly [K in keyof RMSpropOptions]-?: NonNullable<RMSpropOptions[K]> };

/**
 * RMSprop: steps scaled by the root of a moving average of squared gradients.
 * @example const opt = new RMSprop(model.parameters(), { lr: 1e-3, alpha: 0.9 });
 */
export class RMSprop extends Optimizer<RMSpropHyperparameters> {
  static {
    brand(this, 'RMSprop');
  }
  constructor(params: Params<RMSpropOptions>, options: RMSpropOptions = {}) {
    const defaults = { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false };
    super('RMSprop', params, defaults, options, { alpha: 1 + 1e-12, eps: Infinity, weightDecay: Infinity, momentum: Infinity });
  }

  protected update({ p, g, lr, buffer }: UpdateContext, h: RMSpropHyperparameters): void {
    const { alpha, eps, weightDecay: wd, momentum: mu, centered } = h;
    const v = buffer('square_avg');
    const gAvg = centered ? buffer('grad_avg') : null;
    const buf = mu > 0 ? buffer('momentum_buffer') : null;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + wd * p[i];
      v[i] = alpha * v[i] + (1 - alpha) * gi * gi;
      let denom: number;
      if (gAvg) {
        gAvg[i] = alpha * gAvg[i] + (1 - alpha) * gi;
        denom = Math.sqrt(v[i] - gAvg[i] * gAvg[i]) + eps;
      } else denom = Math.sqrt(v[i]) + eps;
      if (buf) p[i] -= lr * (buf[i] = mu * buf[i] + gi / denom);
      else p[i] -= (lr * gi) / denom;
    }
  }

  protected override kernelStep<B>({ buffer, lr }: StepContext<B>, h: RMSpropHyperparameters): KernelStep<B> {
    const { alpha, eps, weightDecay, momentum, centered } = h;
    const state = [buffer('square_avg'), ...(centered ? [buffer('grad_avg')] : []), ...(momentum > 0 ? [buffer('momentum_buffer')] : [])];
    return { update: { rule: 'rmsprop', lr, alpha, eps, weightDecay, momentum, centered }, state };
  }
}
