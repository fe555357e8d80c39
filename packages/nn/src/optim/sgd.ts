// SGD with PyTorch's semantics:
//   g <- g + weightDecay * p
//   buf <- g on the first step, else momentum * buf + (1 - dampening) * g
//   g <- g + momentum * buf (nesterov) or buf
//   p <- p - lr * g
import { TapegradError } from '@tapegrad/core';
import { type KernelStep, Optimizer, type Params, type StepContext, type UpdateContext } from './optimizer.js';
import { brand } from '../brand.js';

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

/** SGD's options, resolved, as each param group holds them. */
export type SGDHyperparameters = { -readonly [K in keyof SGDOptions]-?: NonNullable<SGDOptions[K]> };

/**
 * Stochastic gradient descent with optional (Nesterov) momentum and weight decay.
 * @example
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export class SGD extends Optimizer<SGDHyperparameters> {
  static {
    brand(this, 'SGD');
  }
  constructor(params: Params<SGDOptions>, options: SGDOptions = {}) {
    const defaults = { lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 };
    super('SGD', params, defaults, options, { momentum: Infinity, weightDecay: Infinity });
  }

  protected override validate(h: SGDHyperparameters, where: string): void {
    super.validate(h, where);
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) {
      throw new TapegradError(
        `${where}: nesterov needs momentum > 0 and dampening 0, got momentum ${h.momentum}, dampening ${h.dampening}`,
      );
    }
  }

  protected update({ p, g, lr, buffer, has }: UpdateContext, h: SGDHyperparameters): void {
    const { momentum: mu, dampening, nesterov, weightDecay: wd } = h;
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

  protected override kernelStep<B>({ buffer, has, lr }: StepContext<B>, h: SGDHyperparameters): KernelStep<B> {
    const { momentum, dampening, nesterov, weightDecay } = h;
    const firstStep = momentum > 0 && !has('momentum_buffer');
    const state = momentum > 0 ? [buffer('momentum_buffer')] : [];
    return { update: { rule: 'sgd', lr, momentum, dampening, nesterov, weightDecay, firstStep }, state };
  }
}
