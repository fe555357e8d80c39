/**
 * Module: the base of every layer and model. Parameters are found automatically: every own property that is a
 * Tensor requiring grad is a parameter, every Module property is a child, and arrays of either are walked too,
 * so `namedParameters()` gives PyTorch-style dotted names (`0.weight`, `blocks.1.bias`). Buffers (state that is
 * saved but not trained, such as BatchNorm's running statistics) are registered by name with `registerBuffer`.
 *
 * Each instance's `forward` is wrapped (an own, non-enumerable property around the class's method), so that
 * every call, however it is made (by a container or by a parent's forward), runs the forward hooks and names
 * the module in a typed error that comes out of it; PyTorch gets the same from `module(x)` calling `__call__`.
 */
import { Tensor, TapegradError, noGrad } from '@tapegrad/core';
import { type FullBackwardHook, type ForwardHook, type ForwardPreHook, type RemovableHandle, addHook, runForward } from './module-hooks.js';
import { type SummaryInput, type SummaryOptions, summarize } from './module-summary.js';
import { brand } from './brand.js';

export type { FullBackwardHook, ForwardHook, ForwardPreHook, RemovableHandle } from './module-hooks.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** A state dict: names to tensors, as `stateDict()` returns and `loadStateDict()` takes. */
export type StateDict = Record<string, Tensor>;

/** `loadStateDict` found missing, unexpected or wrongly-shaped keys; the message lists every one of them. */
export class StateDictError extends TapegradError {
  static {
    brand(this, 'StateDictError');
  }
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
  static {
    brand(this, 'Module');
  }
  /** Whether the module is in training mode (Dropout drops, BatchNorm uses batch statistics). */
  training = true;
  // Underscore-prefixed properties are internal state, never walked for parameters.
  private readonly _buffers = new Map<string, Tensor>();

  constructor() {
    // `this.forward` is already the subclass's method here (the prototype chain is set before any constructor runs).
    // eslint-disable-next-line @typescript-eslint/unbound-method -- runForward calls it with this module as `this`
    const forward = this.forward;
    Object.defineProperty(this, 'forward', {
      value: (...inputs: Tensor[]) => runForward(this, forward, inputs),
      writable: true,
      configurable: true,
    });
  }

  /**
   * Computes the module's output from its input tensors; a module may also take a trailing options object
   * (MultiheadAttention's masks), which hooks receive as it is, among the inputs.
   */
  abstract forward(...inputs: Array<Tensor | object | undefined>): Tensor;

  /**
   * Registers `hook(module, inputs, output)` to run after every forward call; a returned tensor replaces the
   * output. Returns a handle whose `remove()` unregisters it.
   * @example
   * const shapes: number[][] = [];
   * const handle = model[0].registerForwardHook((_m, _inputs, out) => { shapes.push([...out.shape]); });
   * model.forward(x); handle.remove();
   */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    return addHook(this, 'post', hook);
  }

  /**
   * Registers `hook(module, inputs)` to run before every forward call; a returned tensor (or list) replaces the inputs.
   * @example layer.registerForwardPreHook((_m, [x]) => x.clamp(-1, 1));
   */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    return addHook(this, 'pre', hook);
  }

  /**
   * Registers `hook(module, gradInput, gradOutput)` to run in each backward through this module's calls, once the
   * gradients of its inputs are known (PyTorch's `register_full_backward_hook`, observing only).
   * @example
   * layer.registerFullBackwardHook((_m, _gradInput, [gradOut]) => console.log(gradOut.abs().max().item()));
   */
  registerFullBackwardHook(hook: FullBackwardHook): RemovableHandle {
    return addHook(this, 'backward', hook);
  }

  /**
   * The module's own settings as PyTorch's `extra_repr` shows them (`in_features=2, out_features=3, bias=true`);
   * override it in a layer with settings. `toString()` and `console.log` print the tree with it.
   * @example class Scale extends Module { constructor(readonly factor: number) { super(); } extraRepr() { return `factor=${this.factor}`; } forward(x: Tensor) { return x.mul(this.factor); } }
   */
  extraRepr(): string {
    return '';
  }

  /**
   * The module tree as PyTorch prints it: `Sequential(\n  (0): Linear(in_features=784, ...)\n  (1): ReLU()\n)`.
   * `console.log(model)` and `util.inspect(model)` in Node print the same.
   * @example console.log(String(new Sequential(new Linear(2, 3), new ReLU())));
   */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra === '' ? [] : extra.split('\n');
    const childLines = this.namedChildren().map(([name, child]) => `(${name}): ${String(child).split('\n').join('\n  ')}`);
    const lines = [...extraLines, ...childLines];
    const name = this.constructor.name;
    if (lines.length === 0) return `${name}()`;
    if (extraLines.length === 1 && childLines.length === 0) return `${name}(${extraLines[0]})`;
    return `${name}(\n  ${lines.join('\n  ')}\n)`;
  }

  /** Node's `util.inspect` (and so `console.log`) prints `toString()`. */
  [INSPECT](): string {
    return this.toString();
  }

  /**
   * The number of trainable values: the total size of `parameters()`, a shared tensor counted once.
   * (PyTorch users write `sum(p.numel() for p in model.parameters())`.)
   * @example new Linear(784, 256).numParameters();   // 784 * 256 + 256 = 200960
   */
  numParameters(): number {
    return this.parameters().reduce((total, p) => total + p.size, 0);
  }

  /**
   * A table of the model, one row per module in tree order: its name and type, the shape of its output for
   * `input` (a shape, filled with zeros of the parameters' dtype, or tensors), and its own parameter count, then
   * the totals; like torchinfo's `summary(model, input_size)` or Keras's `model.summary()`. The forward pass
   * runs once in eval mode under noGrad; every module's training flag is restored afterwards.
   * @example console.log(model.summary([32, 784]));
   */
  summary(input: SummaryInput, options: SummaryOptions = {}): string {
    return summarize(this, input, options);
  }

  /** @internal Parameters held by this module itself, not by its children (the summary's per-row count). */
  _ownParameters(): Tensor[] {
    return this.ownEntries()
      .map(([, v]) => v)
      .filter((v): v is Tensor => v instanceof Tensor && v.requiresGrad);
  }

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
   * Moves every tensor of this module and its descendants (parameters, frozen tensors, buffers) and their gradients
   * to `device`, in place, as PyTorch's `module.to(device)`: each tensor keeps its identity, so an optimiser made
   * before still holds the parameters, and its state follows them onto a device at its next step (back on the CPU it
   * refuses device state until restored with loadStateDict). Moving to a device returns the module at once (the
   * uploads are queued); moving to 'cpu' waits for the device, so it returns a Promise. Nothing moves unless every
   * tensor can (a device without float64 refuses float64 tensors: cast the model to float32 first).
   * @example
   * const model = new MLP([2, 16, 1], { dtype: 'float32' }).to('webgpu'); // after `await initWebGPU()`
   * const opt = new Adam(model.parameters());
   * await model.to('cpu'); // back, for saving
   */
  to(device: 'cpu'): Promise<this>;
  /** (A device name; pass 'cpu' as the literal so that the Promise it returns is typed.) */
  to(device: string): this;
  to(device: string): this | Promise<this> {
    const tensors = new Set<Tensor>();
    for (const [, module] of this.namedModules()) {
      for (const [, value] of module.ownEntries()) if (value instanceof Tensor) tensors.add(value);
      for (const b of module._buffers.values()) tensors.add(b);
    }
    const moving = [...tensors].flatMap((t) => (t.grad === null ? [t] : [t, t.grad])).filter((t) => t.device !== device);
    if (device === 'cpu') {
      return Promise.all(moving.map((t) => t.to('cpu'))).then((copies) => {
        moving.forEach((t, i) => t._replaceStorage(copies[i].raw));
        return this;
      });
    }
    const copies = moving.map((t) => t.to(device)); // all first: a tensor that cannot move throws before any moves
    moving.forEach((t, i) => t._replaceStorage(copies[i].raw));
    return this;
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
