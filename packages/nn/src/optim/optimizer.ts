/**
 * The optimiser base, PyTorch's shape: parameters in groups, each group with its own options (its
 * hyperparameters), per-parameter state (a step count and named buffers), and one loop that checks every
 * gradient, then hands each parameter with a gradient to the subclass's elementwise `update` under noGrad.
 * Updates run over the raw typed arrays (one pass per parameter, no temporary tensors) and then
 * `markMutated()` bumps the parameter's version, so a graph that saved the old value refuses to backward.
 * Steps are counted per parameter, as in PyTorch: a parameter whose first gradient arrives late starts its
 * bias corrections (Adam) and decay (AdaGrad) at step 1, and one without a gradient keeps its count.
 * A subclass that describes its step as one of core's fused updates (`kernelStep`) has it run as one kernel: on the
 * CPU an installed backend's (core's runOptimizerKernel: native) or nn's WebAssembly SIMD loop (wasm-step.ts), each
 * with `update`'s bits, else `update` runs; on a device (webgpu), which has no synchronous `data`, core's
 * deviceOptimizerStep with the state buffers as tensors there, so training never reads parameters back.
 */
import {
  type DType,
  DTypeError,
  DeviceError,
  type DeviceOptimizerUpdate,
  ShapeError,
  Tensor,
  TapegradError,
  type TypedArray,
  deviceOptimizerStep,
  full,
  noGrad,
  runOptimizerKernel,
  tensor,
} from '@tapegrad/core';
import { brand } from '../brand.js';
import { wasmOptimizerStep } from './wasm-step.js';

/** Per-parameter state: named buffers of the parameter's size (moments, accumulators). */
export type ParamState = Record<string, TypedArray>;

/**
 * What an update knows of one parameter's step, whatever holds its values: its state buffers (`B`: typed arrays
 * on the CPU, tensors on a device), its step number and its group's learning rate.
 */
export interface StepContext<B> {
  /** A state buffer by name (on the parameter's device), created (filled with `init`) on first use. */
  readonly buffer: (name: string, init?: number) => B;
  /** Whether `name` existed before this step (PyTorch's momentum buffer starts as the first gradient). */
  readonly has: (name: string) => boolean;
  /** This parameter's 1-based step number: how many updates it has had, this one included. */
  readonly step: number;
  /** The learning rate of the parameter's group. */
  readonly lr: number;
}

/** The view an update gets of one parameter: its values, its gradient and its state buffers. */
export interface UpdateContext extends StepContext<TypedArray> {
  /** Parameter values, updated in place. */
  readonly p: TypedArray;
  /** The gradient (read only). */
  readonly g: TypedArray;
}

/**
 * One step as core's fused kernels take it: the rule with this step's hyperparameters, and the rule's state buffers in
 * the order DeviceOptimizerUpdate lists them (`B`: typed arrays on the CPU, tensors on a device).
 */
export interface KernelStep<B> {
  /** The rule and its hyperparameters for this step. */
  readonly update: DeviceOptimizerUpdate;
  /** The state buffers the rule reads and writes, in the rule's order. */
  readonly state: readonly B[];
}

/** Lower and upper bounds checked on options: each option named must be finite, >= 0 and below its number. */
export type OptionBounds<H> = { readonly [K in keyof H]?: number };

/** The options every optimiser has. */
export interface Hyperparameters {
  /** The learning rate (schedules change it). */
  lr: number;
}

/** A parameter group as given to a constructor: its parameters, and options that override the defaults. */
export type ParamGroupSpec<O> = {
  /** The group's parameters. */
  readonly params: Iterable<Tensor>;
} & O;

/** What an optimiser takes: the parameters, or groups of parameters each with its own options (as PyTorch). */
export type Params<O> = Iterable<Tensor> | readonly ParamGroupSpec<O>[];

/** A parameter group with every option resolved; schedulers write `lr` (and momentum or betas) here. */
export type ParamGroup<H extends Hyperparameters = Hyperparameters> = H & {
  /** The group's parameters. */
  readonly params: readonly Tensor[];
  /** The learning rate before the first schedule changed it, set by that schedule (PyTorch's `initial_lr`). */
  initialLr?: number;
};

interface State {
  step: number;
  readonly buffers: ParamState;
  /** The buffers of a parameter on a device, as tensors there. */
  readonly deviceBuffers: Record<string, Tensor>;
}

/**
 * The base of every optimiser: subclass it with the options' defaults and implement `update`, the elementwise
 * rule for one parameter (and `validate` for the options).
 * @example
 * class SignSGD extends Optimizer<{ lr: number }> {
 *   constructor(params: Params<{ lr?: number }>, options: { lr?: number } = {}) { super('SignSGD', params, { lr: 0.01 }, options); }
 *   protected update({ p, g, lr }: UpdateContext) { for (let i = 0; i < p.length; i++) p[i] -= lr * Math.sign(g[i]); }
 * }
 */
export abstract class Optimizer<H extends Hyperparameters = Hyperparameters> {
  static {
    brand(this, 'Optimizer');
  }
  /** The parameter groups, each with its options; a scheduler or you may change `lr` (and the others) between steps. */
  readonly paramGroups: Array<ParamGroup<H>> = [];
  /** The options a group gets for what it does not set. */
  readonly defaults: Readonly<H>;
  /** Calls to `step()` so far (each parameter also counts its own steps, in its state). */
  stepCount = 0;
  private readonly _state = new Map<Tensor, State>();
  private _params: Tensor[] = [];
  // Built from a plain parameter list: messages then need not name a group.
  private readonly _ungrouped: boolean;
  private readonly _bounds: OptionBounds<H>;

  protected constructor(
    /** The optimiser's name, as errors show it. */
    readonly name: string,
    params: Params<Partial<H>>,
    defaults: H,
    options: Partial<H> = {},
    /** Numeric options `validate` checks (finite, >= 0 and below the bound given; Infinity for none), besides `lr`. */
    bounds: OptionBounds<H> = {},
  ) {
    this._bounds = bounds;
    this.defaults = { ...defaults, ...definedOnly(options) };
    this.validate(this.defaults, name);
    const { specs, grouped } = toGroupSpecs(params, name);
    if (specs.length === 0) throw new TapegradError(`${name}: got an empty parameter list`);
    this._ungrouped = !grouped;
    for (const spec of specs) this.addParamGroup(spec);
  }

  /** Every parameter, group after group (the numbering of `stateDict()`, as PyTorch's). */
  get params(): readonly Tensor[] {
    return this._params;
  }

  /** The learning rate when every group has the same one; setting it sets every group's. */
  get lr(): number {
    const lr = this.paramGroups[0].lr;
    if (this.paramGroups.some((g) => g.lr !== lr))
      throw new TapegradError(
        `${this.name}.lr: the groups have different learning rates (${this.paramGroups.map((g) => g.lr).join(', ')}); read paramGroups[i].lr`,
      );
    return lr;
  }
  /** Sets every group's learning rate. */
  set lr(value: number) {
    checkNonNegative(this.name, 'lr', value);
    for (const g of this.paramGroups) g.lr = value;
  }

  /**
   * Adds a group of parameters with its own options (the rest from the defaults), e.g. layers unfrozen for fine-tuning.
   * @example opt.addParamGroup({ params: model.head.parameters(), lr: 1e-4 });
   */
  addParamGroup(spec: ParamGroupSpec<Partial<H>>): void {
    const where = this.groupName(this.paramGroups.length);
    const { params, ...options } = spec as ParamGroupSpec<Partial<H>> & Record<string, unknown>;
    if (params === undefined || params === null || typeof params[Symbol.iterator] !== 'function')
      throw new TapegradError(`${where}: 'params' must be a list of tensors`);
    const list = [...params];
    if (list.length === 0) throw new TapegradError(`${where}: got an empty parameter list`);
    const seen = new Set(this._params);
    list.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TapegradError(`${where}: parameter ${i} is not a Tensor`);
      if (!p.requiresGrad)
        throw new TapegradError(`${where}: parameter ${i} (${p.label}, shape [${p.shape.join(', ')}]) does not require grad`);
      if (seen.has(p)) throw new TapegradError(`${where}: parameter ${i} (${p.label}) appears twice; it would be updated twice per step`);
      seen.add(p);
    });
    const group = { ...this.defaults, ...definedOnly(options as Partial<H>), params: list } as ParamGroup<H>;
    this.validate(group, where);
    this.paramGroups.push(group);
    this._params = [...this._params, ...list];
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this._params) p.zeroGrad();
  }

  /**
   * Applies one update to every parameter that has a gradient, after checking all of them: a gradient of the
   * wrong shape or dtype throws before any parameter changes.
   */
  step(): void {
    this.paramGroups.forEach((group, gi) => {
      this.validate(group, this.groupName(gi));
      group.params.forEach((p, pi) => this.checkGrad(p, gi, pi));
    });
    this.stepCount++;
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          const grad = p.grad;
          if (grad === null) continue;
          let state = this._state.get(p);
          if (state === undefined) this._state.set(p, (state = { step: 0, buffers: {}, deviceBuffers: {} }));
          state.step++;
          if (p.device !== 'cpu') {
            this.stepOnDevice(p, grad, state, group);
            continue;
          }
          const buffers = state.buffers;
          const existing = new Set(Object.keys(buffers));
          const { size, dtype } = p;
          const ctx: UpdateContext = {
            p: p.data,
            g: grad.data,
            step: state.step,
            lr: group.lr,
            has: (name) => existing.has(name),
            buffer: (name, init = 0) => (buffers[name] ??= allocate(dtype, size, init)),
          };
          const fused = this.kernelStep?.(ctx, group);
          if (fused === undefined || !fusedOnCpu(fused, ctx)) this.update(ctx, group);
          p.markMutated();
        }
      }
    });
  }

  /** The elementwise update of one parameter, with its group's options. */
  protected abstract update(ctx: UpdateContext, group: H): void;

  /**
   * The same update as one of core's fused kernels (an installed backend's or WebAssembly on the CPU, one kernel on a
   * device), which must give `update`'s bits. Optional: without it the CPU runs `update` and device parameters are
   * refused before any step.
   */
  protected kernelStep?<B>(ctx: StepContext<B>, group: H): KernelStep<B>;

  private stepOnDevice(p: Tensor, grad: Tensor, state: State, group: ParamGroup<H>): void {
    const buffers = state.deviceBuffers;
    // State made while the parameter was on the CPU (before Module.to) follows it onto the device.
    for (const [name, values] of Object.entries(state.buffers)) {
      buffers[name] = tensor(values, { shape: p.shape }).to(p.device);
      delete state.buffers[name];
    }
    const existing = new Set(Object.keys(buffers));
    const make = (init: number) => full(p.shape, init, { dtype: p.dtype, device: p.device });
    const ctx: StepContext<Tensor> = {
      step: state.step,
      lr: group.lr,
      has: (name) => existing.has(name),
      buffer: (name, init = 0) => (buffers[name] ??= make(init)),
    };
    const { update, state: tensors } = this.kernelStep!(ctx, group);
    deviceOptimizerStep(`${this.name}.step`, update, p, grad, tensors);
  }

  /**
   * Throws a TapegradError naming `where` for an option out of range: `lr` and the options given bounds to the
   * constructor (override it for other checks).
   */
  protected validate(options: H, where: string): void {
    checkNonNegative(where, 'lr', options.lr);
    for (const [name, max] of Object.entries(this._bounds) as Array<[keyof H & string, number]>)
      checkNonNegative(where, name, options[name] as number, max);
  }

  private groupName(index: number): string {
    return this._ungrouped && index === 0 ? this.name : `${this.name} (param group ${index})`;
  }

  private checkGrad(p: Tensor, gi: number, pi: number): void {
    const grad = p.grad as unknown;
    if (grad === null) return;
    const which = () => `${this.groupName(gi)}: parameter ${pi} (${p.label}, shape [${p.shape.join(', ')}], ${p.dtype})`;
    if (!(grad instanceof Tensor)) throw new DTypeError(`${which()} has a .grad that is not a Tensor`);
    if (grad.rank !== p.rank || grad.shape.some((d, i) => d !== p.shape[i]))
      throw new ShapeError(`${which()} has a .grad of shape [${grad.shape.join(', ')}]; it must have the parameter's shape`);
    if (grad.dtype !== p.dtype) throw new DTypeError(`${which()} has a .grad of dtype ${grad.dtype}; it must have the parameter's dtype`);
    if (grad.device !== p.device) throw new DeviceError(`${which()} is on '${p.device}' and its .grad on '${grad.device}'`);
    if (p.device !== 'cpu' && this.kernelStep === undefined)
      throw new DeviceError(`${which()} is on '${p.device}': ${this.name} has no device update yet`);
    const onDevice = Object.values(this._state.get(p)?.deviceBuffers ?? {}).find((t) => t.device !== p.device);
    if (onDevice !== undefined)
      throw new DeviceError(
        `${which()} is on '${p.device}' and its optimiser state on '${onDevice.device}' (moved by Module.to?): state cannot be ` +
          "read back synchronously; bring it with `await t.to('cpu')` on each opt.stateDict() entry and opt.loadStateDict(...)",
      );
  }

  /**
   * The optimiser's state as tensors, so it can be saved with encodeSafetensors and restored with loadStateDict
   * to resume training exactly: `<i>.<buffer>` and `<i>.step` per parameter (numbered group after group), the
   * numeric options of each group as `paramGroups.<g>.<option>` (the learning rate a scheduler set), and `step`.
   * @example await saveSafetensors('optimizer.safetensors', opt.stateDict());
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = { step: tensor(this.stepCount) };
    this.paramGroups.forEach((group, g) => {
      for (const [key, value] of Object.entries(group)) {
        if (key === 'params') continue;
        if (typeof value === 'number') out[`paramGroups.${g}.${key}`] = tensor(value);
        else if (Array.isArray(value) && value.every((v) => typeof v === 'number')) out[`paramGroups.${g}.${key}`] = tensor(value);
      }
    });
    this._params.forEach((p, i) => {
      const state = this._state.get(p);
      if (!state) return;
      out[`${i}.step`] = tensor(state.step);
      for (const [k, v] of Object.entries(state.buffers)) out[`${i}.${k}`] = tensor(v, { shape: p.shape });
      // A copy on the device (reshape never aliases): read it with `await t.to('cpu')` before saving.
      for (const [k, v] of Object.entries(state.deviceBuffers)) out[`${i}.${k}`] = noGrad(() => v.reshape(p.shape));
    });
    return out;
  }

  /**
   * Restores state saved by `stateDict()`; buffers must match their parameter's shape. A state saved before steps
   * were counted per parameter (no `<i>.step`) gives each parameter with state the global `step`.
   * @example opt.loadStateDict(await loadSafetensors('optimizer.safetensors'));
   */
  loadStateDict(state: Record<string, Tensor>): void {
    const where = `${this.name}.loadStateDict`;
    const step = state.step;
    if (!(step instanceof Tensor) || step.size !== 1) throw new TapegradError(`${where}: missing the 'step' entry`);
    const restored = new Map<Tensor, State>();
    const groupOptions: Array<Record<string, number | number[]>> = this.paramGroups.map(() => ({}));
    for (const [key, t] of Object.entries(state)) {
      if (key === 'step') continue;
      if (!(t instanceof Tensor)) throw new TapegradError(`${where}: '${key}' is not a Tensor`);
      const option = /^paramGroups\.(\d+)\.(\w+)$/.exec(key);
      if (option) {
        groupOptions[this.checkOption(option, t, key, where)][option[2]] = t.rank === 0 ? t.item() : Array.from(t.data);
        continue;
      }
      const m = /^(\d+)\.(\w+)$/.exec(key);
      const p = m ? this._params[Number(m[1])] : undefined;
      if (!m || p === undefined)
        throw new TapegradError(`${where}: unexpected key '${key}' (this optimiser has ${this._params.length} parameters)`);
      let s = restored.get(p);
      if (!s) restored.set(p, (s = { step: -1, buffers: {}, deviceBuffers: {} }));
      if (m[2] === 'step') {
        if (t.size !== 1 || !(Number.isInteger(t.item()) && t.item() >= 0))
          throw new TapegradError(`${where}: '${key}' must be a step count (an integer >= 0)`);
        s.step = t.item();
        continue;
      }
      if (t.size !== p.size)
        throw new TapegradError(`${where}: '${key}' has ${t.size} elements, parameter ${m[1]} has shape [${p.shape.join(', ')}]`);
      if (p.device !== 'cpu') {
        s.deviceBuffers[m[2]] = onDeviceCopy(t, p, `${where}: '${key}'`);
        continue;
      }
      const buf = allocate(p.dtype, p.size, 0);
      buf.set(t.data);
      s.buffers[m[2]] = buf;
    }
    const globalStep = step.item();
    for (const s of restored.values()) if (s.step < 0) s.step = globalStep;
    this.paramGroups.forEach((group, g) => Object.assign(group, groupOptions[g]));
    this._state.clear();
    for (const [p, s] of restored) this._state.set(p, s);
    this.stepCount = globalStep;
  }

  private checkOption(match: RegExpExecArray, t: Tensor, key: string, where: string): number {
    const g = Number(match[1]);
    const group = this.paramGroups[g] as unknown as Record<string, unknown> | undefined;
    // initialLr is there once a schedule has attached, so a fresh optimiser takes it from a saved state.
    const current = match[2] === 'initialLr' ? 0 : group?.[match[2]];
    const fits = typeof current === 'number' ? t.rank === 0 : Array.isArray(current) && t.rank === 1 && t.size === current.length;
    if (group === undefined || !fits)
      throw new TapegradError(`${where}: unexpected key '${key}' (this optimiser has ${this.paramGroups.length} param groups)`);
    return g;
  }
}

function toGroupSpecs<O>(params: Params<O>, name: string): { specs: Array<ParamGroupSpec<O>>; grouped: boolean } {
  if (params === null || params === undefined || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function')
    throw new TapegradError(`${name}: expected a list of parameters or of param groups { params, ...options }`);
  const items = [...(params as Iterable<unknown>)];
  if (items.length === 0) return { specs: [], grouped: false };
  const isGroup = (v: unknown) => typeof v === 'object' && v !== null && !(v instanceof Tensor) && 'params' in v;
  if (items.every(isGroup)) return { specs: items as Array<ParamGroupSpec<O>>, grouped: true };
  if (items.some(isGroup))
    throw new TapegradError(`${name}: mixes tensors and param groups; pass either tensors or groups { params, ...options }`);
  return { specs: [{ params: items as Tensor[] } as ParamGroupSpec<O>], grouped: false };
}

/** The options without the keys set to undefined, so they do not hide the defaults. */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A copy of a saved buffer `t` with the shape, dtype and device of parameter `p` (reshape and cast always copy). */
function onDeviceCopy(t: Tensor, p: Tensor, where: string): Tensor {
  if (t.device !== 'cpu' && t.device !== p.device) throw new DeviceError(`${where} is on '${t.device}', its parameter on '${p.device}'`);
  return noGrad(() => {
    const typed = t.dtype === p.dtype ? t : t.cast(p.dtype);
    const shaped = typed.reshape(p.shape);
    return shaped.device === p.device ? shaped : shaped.to(p.device);
  });
}

/** Runs a fused step on the CPU: an installed backend's kernel (core's runOptimizerKernel, native), else WebAssembly. */
function fusedOnCpu({ update, state }: KernelStep<TypedArray>, { p, g }: UpdateContext): boolean {
  return runOptimizerKernel(update, p, g, state) || wasmOptimizerStep(update, p, g, state);
}

function allocate(dtype: DType, size: number, init: number): TypedArray {
  const a = dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
  if (init !== 0) a.fill(init);
  return a;
}

/** Throws unless `value` is a finite number >= 0 (or within [0, max) when given). */
export function checkNonNegative(op: string, name: string, value: number, max = Infinity): void {
  if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < max)) {
    throw new TapegradError(`${op}: ${name} must be a finite number >= 0${max < Infinity ? ` and < ${max}` : ''}, got ${value}`);
  }
}
