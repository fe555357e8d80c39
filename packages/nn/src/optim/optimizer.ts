/**
 * The optimiser base: holds the parameters, the learning rate and per-parameter state buffers, and applies
 * each subclass's elementwise update in place under noGrad. Updates run over the raw typed arrays (one pass per
 * parameter, no temporary tensors) and then `markMutated()` bumps the parameter's version, so a graph that saved
 * the old value refuses to backward through it.
 */
import { type DType, Tensor, TapegradError, type TypedArray, noGrad, tensor } from '@tapegrad/core';

/** Per-parameter state: named buffers of the parameter's size (moments, accumulators). */
export type ParamState = Record<string, TypedArray>;

/** The view an update gets of one parameter: its values, its gradient and its state buffers. */
export interface UpdateContext {
  /** Parameter values, updated in place. */
  readonly p: TypedArray;
  /** The gradient (read only). */
  readonly g: TypedArray;
  /** A state buffer by name, created (filled with `init`) on first use. */
  readonly buffer: (name: string, init?: number) => TypedArray;
  /** Whether `name` existed before this step (PyTorch's momentum buffer starts as the first gradient). */
  readonly has: (name: string) => boolean;
  /** The 1-based step number. */
  readonly step: number;
  /** The current learning rate. */
  readonly lr: number;
}

/**
 * The base of every optimiser: subclass it and implement `update`, the elementwise rule for one parameter.
 * @example
 * class SignSGD extends Optimizer {
 *   constructor(params: Tensor[], lr = 0.01) { super(params, lr, 'SignSGD'); }
 *   protected update({ p, g, lr }: UpdateContext) { for (let i = 0; i < p.length; i++) p[i] -= lr * Math.sign(g[i]); }
 * }
 */
export abstract class Optimizer {
  /** The parameters this optimiser updates. */
  readonly params: readonly Tensor[];
  /** The learning rate used by the next `step()` (schedules change it). */
  lr: number;
  /** Steps taken so far. */
  stepCount = 0;
  private readonly _state = new Map<Tensor, ParamState>();

  protected constructor(params: Iterable<Tensor>, lr: number, name: string) {
    this.params = [...params];
    if (this.params.length === 0) throw new TapegradError(`${name}: got an empty parameter list`);
    this.params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TapegradError(`${name}: parameter ${i} is not a Tensor`);
      if (!p.requiresGrad)
        throw new TapegradError(`${name}: parameter ${i} (${p.label}, shape [${p.shape.join(', ')}]) does not require grad`);
    });
    checkNonNegative(name, 'lr', lr);
    this.lr = lr;
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    this.stepCount++;
    const step = this.stepCount;
    const lr = this.lr;
    noGrad(() => {
      for (const p of this.params) {
        const grad = p.grad;
        if (grad === null) continue;
        let state = this._state.get(p);
        if (state === undefined) this._state.set(p, (state = {}));
        const own = state;
        const fresh = new Set(Object.keys(own));
        const size = p.size;
        const dtype = p.dtype;
        this.update({
          p: p.data,
          g: grad.data,
          step,
          lr,
          has: (name) => fresh.has(name),
          buffer: (name, init = 0) => (own[name] ??= allocate(dtype, size, init)),
        });
        p.markMutated();
      }
    });
  }

  /** The elementwise update of one parameter. */
  protected abstract update(ctx: UpdateContext): void;

  /**
   * The optimiser's state as tensors: `<param index>.<buffer>` plus `step`, so it can be saved with
   * encodeSafetensors and restored with loadStateDict to resume training exactly.
   * @example await saveSafetensors('optimizer.safetensors', opt.stateDict());
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = { step: tensor(this.stepCount) };
    this.params.forEach((p, i) => {
      const state = this._state.get(p);
      if (state) for (const [k, v] of Object.entries(state)) out[`${i}.${k}`] = tensor(v, { shape: p.shape });
    });
    return out;
  }

  /** Restores state saved by `stateDict()`; buffers must match their parameter's shape. */
  loadStateDict(state: Record<string, Tensor>): void {
    const step = state.step;
    if (!(step instanceof Tensor) || step.size !== 1)
      throw new TapegradError(`${this.constructor.name}.loadStateDict: missing the 'step' entry`);
    const restored = new Map<Tensor, ParamState>();
    for (const [key, t] of Object.entries(state)) {
      if (key === 'step') continue;
      const m = /^(\d+)\.(\w+)$/.exec(key);
      const p = m ? this.params[Number(m[1])] : undefined;
      if (!m || p === undefined)
        throw new TapegradError(
          `${this.constructor.name}.loadStateDict: unexpected key '${key}' (this optimiser has ${this.params.length} parameters)`,
        );
      if (t.size !== p.size) {
        throw new TapegradError(
          `${this.constructor.name}.loadStateDict: '${key}' has ${t.size} elements, parameter ${m[1]} has shape [${p.shape.join(', ')}]`,
        );
      }
      const buf = allocate(p.dtype, p.size, 0);
      buf.set(t.data);
      let s = restored.get(p);
      if (!s) restored.set(p, (s = {}));
      s[m[2]] = buf;
    }
    this._state.clear();
    for (const [p, s] of restored) this._state.set(p, s);
    this.stepCount = step.item();
  }
}

function allocate(dtype: DType, size: number, init: number): TypedArray {
  const a = dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
  if (init !== 0) a.fill(init);
  return a;
}

/** Throws unless `value` is a finite number >= 0 (or within [0, max) when given). */
export function checkNonNegative(op: string, name: string, value: number, max = Infinity): void {
  if (!(Number.isFinite(value) && value >= 0 && value < max)) {
    throw new TapegradError(`${op}: ${name} must be a finite number >= 0${max < Infinity ? ` and < ${max}` : ''}, got ${value}`);
  }
}
