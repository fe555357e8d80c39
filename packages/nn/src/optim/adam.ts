// Adam and AdamW with PyTorch's semantics (t = the parameter's own step, 1-based):
//   Adam:  g <- g + weightDecay * p   (L2 penalty, coupled)
//   AdamW: p <- p * (1 - lr * weightDecay)   (decoupled decay, before the Adam step)
//   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
//   amsgrad: vMax <- max(vMax, v), and vMax replaces v below
//   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
// TensorFlow.js's adam computes the same update (same eps placement); its default eps is 1e-7 instead of 1e-8.
import { type KernelStep, Optimizer, type Params, type StepContext, type UpdateContext, checkNonNegative } from './optimizer.js';
import { brand } from '../brand.js';

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
  /** AMSGrad (Reddi et al.): normalise by the largest second moment seen so far (default false). */
  readonly amsgrad?: boolean;
}

/** Adam's options, resolved, as each param group holds them. */
export type AdamHyperparameters = { -readonly [K in keyof AdamOptions]-?: NonNullable<AdamOptions[K]> };

/**
 * Adam (Kingma and Ba), with an optional coupled L2 penalty and AMSGrad.
 * @example
 * const opt = new Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8 });
 * opt.zeroGrad(); softmaxCrossEntropy(model.forward(x), labels).backward(); opt.step();
 */
export class Adam extends Optimizer<AdamHyperparameters> {
  static {
    brand(this, 'Adam');
  }
  /** Whether weight decay shrinks the weights (AdamW) instead of adding to the gradient. */
  protected readonly decoupled: boolean = false;

  constructor(params: Params<AdamOptions>, options: AdamOptions = {}, name = 'Adam', defaultWeightDecay = 0) {
    const defaults = { lr: 1e-3, betas: [0.9, 0.999] as const, eps: 1e-8, weightDecay: defaultWeightDecay, amsgrad: false };
    super(name, params, defaults, options, { eps: Infinity, weightDecay: Infinity });
  }

  protected override validate(h: AdamHyperparameters, where: string): void {
    super.validate(h, where);
    checkNonNegative(where, 'betas[0]', h.betas[0], 1);
    checkNonNegative(where, 'betas[1]', h.betas[1], 1);
  }

  protected update({ p, g, lr, step, buffer }: UpdateContext, h: AdamHyperparameters): void {
    const [b1, b2] = h.betas;
    const eps = h.eps;
    const m = buffer('exp_avg');
    const v = buffer('exp_avg_sq');
    const vMax = h.amsgrad ? buffer('max_exp_avg_sq') : null;
    const c1 = 1 - b1 ** step;
    const rootC2 = Math.sqrt(1 - b2 ** step);
    const stepSize = lr / c1;
    const coupled = this.decoupled ? 0 : h.weightDecay;
    const shrink = this.decoupled ? 1 - lr * h.weightDecay : 1;
    const a1 = 1 - b1;
    const a2 = 1 - b2;
    // The moments are stored in the parameter's dtype, but the step uses them unrounded: reading a float32
    // element straight back after writing it cost a third of the update's time.
    // Two loops rather than an amsgrad test per element: with the test inside, V8 compiled the plain Adam loop
    // about 1.6x slower in some processes (the MNIST epoch's step, 1.95 against 1.2 ms per batch).
    if (vMax === null) {
      for (let i = 0; i < p.length; i++) {
        const pi = p[i];
        const gi = g[i] + coupled * pi;
        const mi = b1 * m[i] + a1 * gi;
        const vi = b2 * v[i] + a2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = pi * shrink - (stepSize * mi) / (Math.sqrt(vi) / rootC2 + eps);
      }
      return;
    }
    for (let i = 0; i < p.length; i++) {
      const pi = p[i];
      const gi = g[i] + coupled * pi;
      const mi = b1 * m[i] + a1 * gi;
      const vi = b2 * v[i] + a2 * gi * gi;
      const vHat = Math.max(vMax[i], vi);
      m[i] = mi;
      v[i] = vi;
      vMax[i] = vHat;
      p[i] = pi * shrink - (stepSize * mi) / (Math.sqrt(vHat) / rootC2 + eps);
    }
  }

  protected override kernelStep<B>({ buffer, lr, step }: StepContext<B>, h: AdamHyperparameters): KernelStep<B> {
    const { betas, eps, weightDecay, amsgrad } = h;
    // The moments, and the running maximum under AMSGrad.
    const state = [buffer('exp_avg'), buffer('exp_avg_sq'), ...(amsgrad ? [buffer('max_exp_avg_sq')] : [])];
    return { update: { rule: 'adam', lr, betas, eps, weightDecay, decoupled: this.decoupled, amsgrad, step }, state };
  }
}

/**
 * AdamW (Loshchilov and Hutter): Adam with weight decay decoupled from the gradient.
 * @example const opt = new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
 */
export class AdamW extends Adam {
  static {
    brand(this, 'AdamW');
  }
  protected override readonly decoupled: boolean = true;

  constructor(params: Params<AdamOptions>, options: AdamOptions = {}) {
    super(params, options, 'AdamW', 1e-2);
  }
}
