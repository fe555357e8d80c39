/** Activation modules: thin wrappers over the core ops, so they can sit in a Sequential. */
import { ShapeError, type Tensor, TapegradError } from '@tapegrad/core';
import { Module } from '../module.js';
import { brand } from '../brand.js';

/** max(x, 0). @example new Sequential(new Linear(2, 4), new ReLU()) */
export class ReLU extends Module {
  static {
    brand(this, 'ReLU');
  }
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}

/** x for x > 0, slope * x otherwise (default slope 0.01, PyTorch's). @example new LeakyReLU(0.2).forward(x) */
export class LeakyReLU extends Module {
  static {
    brand(this, 'LeakyReLU');
  }
  constructor(
    /** The slope for negative inputs. */
    readonly negativeSlope = 0.01,
  ) {
    super();
    if (!Number.isFinite(negativeSlope)) throw new TapegradError(`LeakyReLU: negativeSlope must be a finite number, got ${negativeSlope}`);
  }
  forward(x: Tensor): Tensor {
    return x.leakyRelu(this.negativeSlope);
  }

  /** `negative_slope=0.01`, as PyTorch prints it. */
  override extraRepr(): string {
    return `negative_slope=${this.negativeSlope}`;
  }
}

/** 1 / (1 + exp(-x)). @example new Sigmoid().forward(x) */
export class Sigmoid extends Module {
  static {
    brand(this, 'Sigmoid');
  }
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

/** tanh(x). @example new Tanh().forward(x) */
export class Tanh extends Module {
  static {
    brand(this, 'Tanh');
  }
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

/** softmax along `axis` (default the last), computed stably as exp(x - logSumExp(x)). @example new Softmax().forward(logits) */
export class Softmax extends Module {
  static {
    brand(this, 'Softmax');
  }
  constructor(
    /** The axis the probabilities sum to 1 along. */
    readonly axis = -1,
  ) {
    super();
    if (!Number.isInteger(axis)) throw new ShapeError(`Softmax: axis must be an integer, got ${axis}`);
  }
  forward(x: Tensor): Tensor {
    return x.softmax(this.axis);
  }

  /** `dim=-1`, as PyTorch prints it. */
  override extraRepr(): string {
    return `dim=${this.axis}`;
  }
}

/** The identity: MLP's 'linear' output. @example new Identity().forward(x) === x */
export class Identity extends Module {
  static {
    brand(this, 'Identity');
  }
  forward(x: Tensor): Tensor {
    return x;
  }
}

/**
 * x Φ(x), the Gaussian error linear unit (PyTorch's `nn.GELU`); `approximate: 'tanh'` uses
 * 0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³))). @example new GELU({ approximate: 'tanh' }).forward(x)
 */
export class GELU extends Module {
  static {
    brand(this, 'GELU');
  }
  /** 'none' (exact, with erf) or 'tanh'. */
  readonly approximate: 'none' | 'tanh';
  constructor(options: { readonly approximate?: 'none' | 'tanh' } = {}) {
    super();
    const form = options.approximate ?? 'none';
    if (form !== 'none' && form !== 'tanh') throw new TapegradError(`GELU: approximate must be 'none' or 'tanh', got ${String(form)}`);
    this.approximate = form;
  }
  forward(x: Tensor): Tensor {
    return x.gelu({ approximate: this.approximate });
  }

  /** `approximate='none'`, as PyTorch prints it. */
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** x sigmoid(x), the sigmoid-weighted linear unit or swish (PyTorch's `nn.SiLU`). @example new SiLU().forward(x) */
export class SiLU extends Module {
  static {
    brand(this, 'SiLU');
  }
  forward(x: Tensor): Tensor {
    return x.silu();
  }
}
