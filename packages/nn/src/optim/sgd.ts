// SGD with PyTorch's semantics:
//   g <- g + weightDecay * p
//   buf <- g on the first step, else momentum * buf + (1 - dampening) * g
//   g <- g + momentum * buf (nesterov) or buf
//   p <- p - lr * g
import { type Tensor, TapegradError } from '@tapegrad/core';
import { Optimizer, type UpdateContext, checkNonNegative } from './optimizer.js';

/** Options of SGD (PyTorch's names). */
export interface SGDOptions {
  /** Learning rate (default 1e-3). */
  readonly lr?: number;
  /** Momentum factor (default 0: plain SGD). */
  readonly momentum?: number;
  /** Dampening of the momentum (default 0). */
  readonly dampening?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  readonly nesterov?: boolean;
  /** L2 penalty added to the gradient (coupled weight decay). */
  readonly weightDecay?: number;
}

/**
 * Stochastic gradient descent with optional (Nesterov) momentum and weight decay.
 * @example
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export class SGD extends Optimizer {
  /** Momentum factor. */
  readonly momentum: number;
  /** Dampening of the momentum. */
  readonly dampening: number;
  /** Whether momentum is Nesterov's. */
  readonly nesterov: boolean;
  /** L2 penalty coefficient. */
  readonly weightDecay: number;

  constructor(params: Iterable<Tensor>, options: SGDOptions = {}) {
    super(params, options.lr ?? 1e-3, 'SGD');
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    checkNonNegative('SGD', 'momentum', this.momentum);
    checkNonNegative('SGD', 'weightDecay', this.weightDecay);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new TapegradError(
        `SGD: nesterov needs momentum > 0 and dampening 0, got momentum ${this.momentum}, dampening ${this.dampening}`,
      );
    }
  }

  protected update({ p, g, lr, buffer, has }: UpdateContext): void {
    const { momentum: mu, dampening, nesterov, weightDecay: wd } = this;
    if (mu === 0) {
      for (let i = 0; i < p.length; i++) p[i] -= lr * (g[i] + wd * p[i]);
      return;
    }
    const first = !has('momentum_buffer');
    const buf = buffer('momentum_buffer');
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + wd * p[i];
      const b = (buf[i] = first ? gi : mu * buf[i] + (1 - dampening) * gi);
      p[i] -= lr * (nesterov ? gi + mu * b : b);
    }
  }
}
