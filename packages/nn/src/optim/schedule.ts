/**
 * Learning-rate schedules, PyTorch's names and numbers: construct with the optimiser, call `step()` once per epoch
 * (or per batch, for a per-batch schedule); each sets every param group's `lr` from the closed form of its
 * schedule at e = the number of calls so far, from the group's initial learning rate `base`:
 *   StepLR:            base * gamma^floor(e / stepSize)
 *   ExponentialLR:     base * gamma^e
 *   LinearLR:          base * (startFactor + (endFactor - startFactor) * min(e, totalIters) / totalIters)
 *   CosineAnnealingLR: etaMin + (base - etaMin) * (1 + cos(pi * e / tMax)) / 2
 *   SequentialLR:      the i-th schedule, at e - milestones[i - 1], from milestones[i - 1] on
 * Like PyTorch, a schedule sets the learning rate for e = 0 when it is made (LinearLR starts low at once), and
 * the base is the learning rate the group had before the first schedule attached to it (PyTorch's initial_lr),
 * so a second schedule on the same optimiser does not start from the first one's value.
 */
import { Tensor, TapegradError, tensor } from '@tapegrad/core';
import type { Hyperparameters, Optimizer } from './optimizer.js';
import { brand } from '../brand.js';

/**
 * The learning rate each group had before the first schedule attached to the optimiser, kept in the group as
 * `initialLr` (PyTorch's 'initial_lr'), so the optimiser's state dict carries it to a resumed run.
 */
function initialLearningRates(optimizer: Optimizer<Hyperparameters>): number[] {
  return optimizer.paramGroups.map((g) => (g.initialLr ??= g.lr));
}

/** A schedule's counters as 0-d tensors, for safetensors (as the optimiser's state). */
export function counters(values: Record<string, number>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, tensor(v)]));
}

/** Reads back the counters `counters` wrote, every one of `names` required. */
export function readCounters(state: Record<string, Tensor>, names: readonly string[], where: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of names) {
    const t = state[name];
    if (!(t instanceof Tensor) || t.size !== 1) throw new TapegradError(`${where}.loadStateDict: missing the '${name}' entry`);
    out[name] = t.item();
  }
  const extra = Object.keys(state).filter((k) => !names.includes(k));
  if (extra.length > 0) throw new TapegradError(`${where}.loadStateDict: unexpected key '${extra[0]}'`);
  return out;
}

/**
 * The base of the closed-form schedules: `step()` sets each group's `lr = lrAt(epoch, group)`.
 * @example
 * const sched = new CosineAnnealingLR(opt, { tMax: 10 });
 * for (let epoch = 0; epoch < 10; epoch++) { trainOneEpoch(); sched.step(); }
 */
export abstract class LRScheduler {
  static {
    brand(this, 'LRScheduler');
  }
  /** Each group's initial learning rate, the base of the schedule. */
  readonly baseLrs: readonly number[];
  /** Calls to `step()` so far. */
  lastEpoch = 0;

  protected constructor(
    /** The optimiser whose groups' `lr` the schedule sets. */
    readonly optimizer: Optimizer<Hyperparameters>,
  ) {
    this.baseLrs = initialLearningRates(optimizer);
  }

  /** The first group's initial learning rate. */
  get baseLr(): number {
    return this.baseLrs[0];
  }

  /** Advances one epoch (or batch) and updates the optimiser's learning rates. */
  step(): void {
    this.lastEpoch++;
    this.apply();
  }

  /** Each group's learning rate now, as PyTorch's get_last_lr(). */
  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The schedule's learning rate for `group` (default the first) at epoch `e`. */
  abstract lrAt(epoch: number, group?: number): number;

  /**
   * The schedule's position, `lastEpoch`, as a tensor; with the optimiser's state dict (which keeps each group's
   * `initialLr`), enough to resume the schedule exactly.
   * @example await saveSafetensors('schedule.safetensors', sched.stateDict());
   */
  stateDict(): Record<string, Tensor> {
    return counters({ lastEpoch: this.lastEpoch });
  }

  /**
   * Restores the position saved by `stateDict()` and sets the learning rates for it.
   * @example sched.loadStateDict(await loadSafetensors('schedule.safetensors'));
   */
  loadStateDict(state: Record<string, Tensor>): void {
    const { lastEpoch } = readCounters(state, ['lastEpoch'], this.constructor.name);
    if (!(Number.isInteger(lastEpoch) && lastEpoch >= 0))
      throw new TapegradError(`${this.constructor.name}.loadStateDict: lastEpoch must be an integer >= 0, got ${lastEpoch}`);
    this.lastEpoch = lastEpoch;
    this.apply();
  }

  /** Sets every group's learning rate for the current epoch; subclasses call it at the end of their constructor. */
  protected apply(): void {
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = this.lrAt(this.lastEpoch, i)));
  }
}

/**
 * Multiplies the learning rate by gamma every stepSize epochs.
 * @example const sched = new StepLR(opt, { stepSize: 10, gamma: 0.1 });  // each epoch: ...; sched.step();
 */
export class StepLR extends LRScheduler {
  static {
    brand(this, 'StepLR');
  }
  /** Epochs between decays. */
  readonly stepSize: number;
  /** Decay factor. */
  readonly gamma: number;

  constructor(optimizer: Optimizer<Hyperparameters>, options: { stepSize: number; gamma?: number }) {
    super(optimizer);
    if (!(Number.isInteger(options.stepSize) && options.stepSize > 0))
      throw new TapegradError(`StepLR: stepSize must be a positive integer, got ${options.stepSize}`);
    this.stepSize = options.stepSize;
    this.gamma = checkFactor('StepLR', 'gamma', options.gamma ?? 0.1);
    this.apply();
  }

  lrAt(epoch: number, group = 0): number {
    return this.baseLrs[group] * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/**
 * Multiplies the learning rate by gamma every epoch.
 * @example const sched = new ExponentialLR(opt, { gamma: 0.95 });
 */
export class ExponentialLR extends LRScheduler {
  static {
    brand(this, 'ExponentialLR');
  }
  /** Decay factor per epoch. */
  readonly gamma: number;

  constructor(optimizer: Optimizer<Hyperparameters>, options: { gamma: number }) {
    super(optimizer);
    this.gamma = checkFactor('ExponentialLR', 'gamma', options.gamma);
    this.apply();
  }

  lrAt(epoch: number, group = 0): number {
    return this.baseLrs[group] * this.gamma ** epoch;
  }
}

/** Options of LinearLR (PyTorch's names and defaults). */
export interface LinearLROptions {
  /** The factor at epoch 0, in (0, 1] (default 1/3). */
  readonly startFactor?: number;
  /** The factor from totalIters on, in [0, 1] (default 1). */
  readonly endFactor?: number;
  /** Epochs of the linear ramp (default 5). */
  readonly totalIters?: number;
}

/**
 * Scales the learning rate by a factor moving linearly from startFactor to endFactor over totalIters epochs:
 * a linear warm-up (startFactor < 1, endFactor 1), or a linear decay.
 * @example const warmup = new LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 */
export class LinearLR extends LRScheduler {
  static {
    brand(this, 'LinearLR');
  }
  /** The factor at epoch 0. */
  readonly startFactor: number;
  /** The factor from totalIters on. */
  readonly endFactor: number;
  /** Epochs of the ramp. */
  readonly totalIters: number;

  constructor(optimizer: Optimizer<Hyperparameters>, options: LinearLROptions = {}) {
    super(optimizer);
    this.startFactor = options.startFactor ?? 1 / 3;
    this.endFactor = options.endFactor ?? 1;
    this.totalIters = options.totalIters ?? 5;
    if (!(this.startFactor > 0 && this.startFactor <= 1))
      throw new TapegradError(`LinearLR: startFactor must be in (0, 1], got ${this.startFactor}`);
    if (!(this.endFactor >= 0 && this.endFactor <= 1))
      throw new TapegradError(`LinearLR: endFactor must be in [0, 1], got ${this.endFactor}`);
    if (!(Number.isInteger(this.totalIters) && this.totalIters > 0))
      throw new TapegradError(`LinearLR: totalIters must be a positive integer, got ${this.totalIters}`);
    this.apply();
  }

  lrAt(epoch: number, group = 0): number {
    const t = Math.min(epoch, this.totalIters) / this.totalIters;
    return this.baseLrs[group] * (this.startFactor + (this.endFactor - this.startFactor) * t);
  }
}

/**
 * Anneals the learning rate from its base value to etaMin along half a cosine over tMax epochs.
 * @example const sched = new CosineAnnealingLR(opt, { tMax: epochs });
 */
export class CosineAnnealingLR extends LRScheduler {
  static {
    brand(this, 'CosineAnnealingLR');
  }
  /** Epochs of the half cosine. */
  readonly tMax: number;
  /** The final learning rate. */
  readonly etaMin: number;

  constructor(optimizer: Optimizer<Hyperparameters>, options: { tMax: number; etaMin?: number }) {
    super(optimizer);
    if (!(options.tMax > 0)) throw new TapegradError(`CosineAnnealingLR: tMax must be > 0, got ${options.tMax}`);
    this.tMax = options.tMax;
    this.etaMin = options.etaMin ?? 0;
    this.apply();
  }

  lrAt(epoch: number, group = 0): number {
    return this.etaMin + ((this.baseLrs[group] - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}

/**
 * Runs schedules one after another: the i-th from epoch milestones[i - 1] on, counting its epochs from there
 * (PyTorch's SequentialLR), e.g. a linear warm-up followed by a cosine decay.
 * @example
 * const warmup = new LinearLR(opt, { startFactor: 0.01, totalIters: 5 });
 * const decay = new CosineAnnealingLR(opt, { tMax: 95 });
 * const sched = new SequentialLR(opt, [warmup, decay], [5]);
 */
export class SequentialLR extends LRScheduler {
  static {
    brand(this, 'SequentialLR');
  }
  constructor(
    optimizer: Optimizer<Hyperparameters>,
    /** The schedules, in order; each must drive `optimizer`. */
    readonly schedulers: readonly LRScheduler[],
    /** The epochs at which the next schedule takes over: one fewer than the schedules, increasing. */
    readonly milestones: readonly number[],
  ) {
    super(optimizer);
    if (schedulers.length === 0) throw new TapegradError('SequentialLR: needs at least one schedule');
    if (schedulers.some((s) => s.optimizer !== optimizer))
      throw new TapegradError('SequentialLR: every schedule must drive the same optimiser');
    if (milestones.length !== schedulers.length - 1 || milestones.some((m, i) => !Number.isInteger(m) || m <= (milestones[i - 1] ?? 0)))
      throw new TapegradError(
        `SequentialLR: expected ${schedulers.length - 1} increasing positive integer milestones for ${schedulers.length} schedules, got [${milestones.join(', ')}]`,
      );
    this.apply();
  }

  lrAt(epoch: number, group = 0): number {
    let i = 0;
    while (i < this.milestones.length && epoch >= this.milestones[i]) i++;
    return this.schedulers[i].lrAt(epoch - (i > 0 ? this.milestones[i - 1] : 0), group);
  }
}

function checkFactor(op: string, name: string, value: number): number {
  if (!(value > 0 && value < Infinity)) throw new TapegradError(`${op}: ${name} must be a finite number > 0, got ${value}`);
  return value;
}
