/**
 * Module: the base of every layer and model. Parameters are found automatically: every own property that is a
 * Tensor requiring grad is a parameter, every Module property is a child, and arrays of either are walked too,
 * so `namedParameters()` gives PyTorch-style dotted names (`0.weight`, `blocks.1.bias`). Buffers (state that is
 * saved but not trained, such as BatchNorm's running statistics) are registered by name with `registerBuffer`.
 */
import { Tensor, TapegradError, noGrad } from '@tapegrad/core';

/** A state dict: names to tensors, as `stateDict()` returns and `loadStateDict()` takes. */
export type StateDict = Record<string, Tensor>;

/** `loadStateDict` found missing, unexpected or wrongly-shaped keys; the message lists every one of them. */
export class StateDictError extends TapegradError {
  constructor(
    message: string,
    /** Keys the module has and the state dict lacks. */
    readonly missing: readonly string[],
    /** Keys the state dict has and the module lacks. */
    readonly unexpected: readonly string[],
    /** Keys present in both whose shapes differ. */
    readonly mismatched: readonly string[],
  ) {
    super(message);
  }
}

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * The base class of layers and models: subclass it, create parameters and child modules as properties in the
 * constructor, and implement `forward`.
 * @example
 * class TwoLayer extends Module {
 *   readonly hidden = new Linear(4, 8);
 *   readonly out = new Linear(8, 2);
 *   forward(x: Tensor): Tensor { return this.out.forward(this.hidden.forward(x).relu()); }
 * }
 * new TwoLayer().namedParameters().map(([name]) => name);   // ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
 */
export abstract class Module {
  /** Whether the module is in training mode (Dropout drops, BatchNorm uses batch statistics). */
  training = true;
  // Underscore-prefixed properties are internal state, never walked for parameters.
  private readonly _buffers = new Map<string, Tensor>();

  /** Computes the module's output. */
  abstract forward(...inputs: Tensor[]): Tensor;

  /**
   * Registers a tensor that belongs to the state dict but is not trained (e.g. running statistics).
   * The name is the state-dict key, so PyTorch names such as `running_mean` carry over.
   */
  protected registerBuffer(name: string, value: Tensor): Tensor {
    this._buffers.set(name, value);
    return value;
  }

  /** A registered buffer by name (BatchNorm updates its running statistics in place through it). */
  protected buffer(name: string): Tensor {
    const b = this._buffers.get(name);
    if (b === undefined) throw new TapegradError(`${this.constructor.name}: no buffer named '${name}'`);
    return b;
  }

  /** Direct children with their names, in declaration order. */
  namedChildren(): Array<[string, Module]> {
    const out: Array<[string, Module]> = [];
    for (const [key, value] of this.ownEntries()) if (value instanceof Module) out.push([key, value]);
    return out;
  }

  /** This module and every descendant, with dotted names ('' for this one). */
  namedModules(prefix = ''): Array<[string, Module]> {
    const out: Array<[string, Module]> = [[prefix, this]];
    for (const [name, child] of this.namedChildren()) out.push(...child.namedModules(join(prefix, name)));
    return out;
  }

  /** Every parameter with its dotted name; a tensor reached twice (shared weights) is listed once. */
  namedParameters(prefix = ''): Array<[string, Tensor]> {
    const seen = new Set<Tensor>();
    const out: Array<[string, Tensor]> = [];
    for (const [path, module] of this.namedModules(prefix)) {
      for (const [key, value] of module.ownEntries()) {
        if (value instanceof Tensor && value.requiresGrad && !seen.has(value)) {
          seen.add(value);
          out.push([join(path, key), value]);
        }
      }
    }
    return out;
  }

  /** The parameters, in the order of `namedParameters()`. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Every buffer with its dotted name. */
  namedBuffers(prefix = ''): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    for (const [path, module] of this.namedModules(prefix)) {
      for (const [key, value] of module._buffers) out.push([join(path, key), value]);
    }
    return out;
  }

  /** Clears the gradient of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** Sets training mode on this module and every descendant. Returns this. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Parameters and buffers by dotted name. The tensors share storage with the module (as in PyTorch), detached
   * from any graph: encode or clone them before training further if you need a snapshot.
   * @example
   * const bytes = encodeSafetensors(model.stateDict());
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [k, p] of this.namedParameters()) out[k] = p.detach();
    for (const [k, b] of this.namedBuffers()) out[k] = b.detach();
    return out;
  }

  /**
   * Copies values from `state` into this module's parameters and buffers (converting dtype if needed). With
   * `strict` (default) every key must match; all problems are reported together in one StateDictError.
   * @example
   * model.loadStateDict(decodeSafetensors(bytes));
   */
  loadStateDict(state: StateDict, options: { strict?: boolean } = {}): void {
    const strict = options.strict ?? true;
    const own = new Map<string, Tensor>([...this.namedParameters(), ...this.namedBuffers()]);
    const missing = [...own.keys()].filter((k) => !(k in state));
    const unexpected = Object.keys(state).filter((k) => !own.has(k));
    const mismatched: string[] = [];
    const problems: string[] = [];
    for (const [k, t] of own) {
      const src = state[k];
      if (src === undefined) continue;
      if (!(src instanceof Tensor)) {
        mismatched.push(k);
        problems.push(`  '${k}': expected a Tensor, got ${typeof src}`);
      } else if (src.shape.join() !== t.shape.join() || src.shape.length !== t.shape.length) {
        mismatched.push(k);
        problems.push(`  '${k}': shape ${formatShape(src.shape)} in the state dict, ${formatShape(t.shape)} in the model`);
      }
    }
    for (const k of missing) problems.push(`  missing key '${k}' (model shape ${formatShape(own.get(k)!.shape)})`);
    for (const k of unexpected) problems.push(`  unexpected key '${k}' (shape ${formatShape(state[k].shape ?? [])})`);
    const fatal = mismatched.length > 0 || (strict && (missing.length > 0 || unexpected.length > 0));
    if (fatal) {
      throw new StateDictError(
        `loadStateDict: the state dict does not fit ${this.constructor.name}:\n${problems.join('\n')}`,
        missing,
        unexpected,
        mismatched,
      );
    }
    noGrad(() => {
      for (const [k, t] of own) if (state[k] !== undefined) t.assign(state[k]);
    });
  }

  private ownEntries(): Array<[string, Module | Tensor]> {
    const out: Array<[string, Module | Tensor]> = [];
    for (const [key, value] of Object.entries(this)) {
      if (key.startsWith('_')) continue;
      if (value instanceof Module || value instanceof Tensor) out.push([key, value]);
      else if (Array.isArray(value)) {
        value.forEach((v, i) => {
          if (v instanceof Module || v instanceof Tensor) out.push([`${key}.${i}`, v]);
        });
      }
    }
    return out;
  }
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}
