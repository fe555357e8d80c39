/**
 * The one-cycle policy (Smith and Topin), PyTorch's OneCycleLR, stepped once per batch. With T = totalSteps,
 * initial = maxLr / divFactor and min = initial / finalDivFactor, the learning rate at step s goes
 *   two phases:   initial -> maxLr over [0, pctStart T - 1], then maxLr -> min up to T - 1
 *   three phases: initial -> maxLr over [0, pctStart T - 1], maxLr -> initial up to 2 pctStart T - 2, then -> min
 * each leg annealed along half a cosine, end + (start - end) (1 + cos(pi f)) / 2, or linearly, with f the
 * fraction of the leg done. Momentum (SGD's momentum, or Adam's beta1) moves the opposite way, between
 * maxMomentum and baseMomentum, unless cycleMomentum is false. As in PyTorch, the schedule sets step 0 when it is
 * made, one step past T - 1 is allowed (the last leg extended), and any further step is an error.
 */
import { TapegradError } from '@tapegrad/core';
import type { Hyperparameters, Optimizer } from './optimizer.js';
import { LRScheduler } from './schedule.js';
import { brand } from '../brand.js';

/** Options of OneCycleLR (PyTorch's names and defaults). */
export interface OneCycleLROptions {
  /** The peak learning rate, one for all groups or one per group. */
  readonly maxLr: number | readonly number[];
  /** Steps in the cycle; or give `epochs` and `stepsPerEpoch`. */
  readonly totalSteps?: number;
  /** Epochs, with `stepsPerEpoch`, when `totalSteps` is not given. */
  readonly epochs?: number;
  /** Steps (batches) per epoch, with `epochs`. */
  readonly stepsPerEpoch?: number;
  /** The fraction of the cycle spent raising the learning rate (default 0.3). */
  readonly pctStart?: number;
  /** 'cos' (default) or 'linear' legs. */
  readonly annealStrategy?: 'cos' | 'linear';
  /** Move momentum (or Adam's beta1) against the learning rate (default true). */
  readonly cycleMomentum?: boolean;
  /** The momentum at the peak learning rate (default 0.85), one or one per group. */
  readonly baseMomentum?: number | readonly number[];
  /** The momentum at the lowest learning rates (default 0.95), one or one per group. */
  readonly maxMomentum?: number | readonly number[];
  /** initial = maxLr / divFactor (default 25). */
  readonly divFactor?: number;
  /** min = initial / finalDivFactor (default 1e4). */
  readonly finalDivFactor?: number;
  /** Come back down to the initial rate before annealing to the minimum (default false). */
  readonly threePhase?: boolean;
}

// A group's levels, and the legs of the cycle as (start level, end level) pairs.
interface Levels {
  readonly initial: number;
  readonly max: number;
  readonly min: number;
  readonly baseMomentum: number;
  readonly maxMomentum: number;
}
interface Leg {
  readonly end: number;
  readonly lr: readonly [keyof Levels, keyof Levels];
  readonly momentum: readonly [keyof Levels, keyof Levels];
}

/**
 * One warm-up-then-anneal cycle over the whole run, stepped after every batch.
 * @example
 * const sched = new OneCycleLR(opt, { maxLr: 0.01, epochs: 10, stepsPerEpoch: loader.length });
 * for (const [x, y] of loader) { ...; opt.step(); sched.step(); }
 */
export class OneCycleLR extends LRScheduler {
  static {
    brand(this, 'OneCycleLR');
  }
  /** Steps in the cycle. */
  readonly totalSteps: number;
  /** 'cos' or 'linear'. */
  readonly annealStrategy: 'cos' | 'linear';
  /** Whether momentum moves against the learning rate. */
  readonly cycleMomentum: boolean;
  private readonly _levels: readonly Levels[];
  private readonly _legs: readonly Leg[];
  private readonly _momentumKey: 'betas' | 'momentum' | null;

  constructor(optimizer: Optimizer<Hyperparameters>, options: OneCycleLROptions) {
    super(optimizer);
    const op = 'OneCycleLR';
    this.totalSteps = resolveTotalSteps(options);
    const pct = options.pctStart ?? 0.3;
    if (!(pct >= 0 && pct <= 1)) throw new TapegradError(`${op}: pctStart must be in [0, 1], got ${pct}`);
    this.annealStrategy = options.annealStrategy ?? 'cos';
    if (this.annealStrategy !== 'cos' && this.annealStrategy !== 'linear')
      throw new TapegradError(`${op}: annealStrategy must be 'cos' or 'linear', got '${String(this.annealStrategy)}'`);
    this.cycleMomentum = options.cycleMomentum ?? true;
    const div = options.divFactor ?? 25;
    const finalDiv = options.finalDivFactor ?? 1e4;
    const groups = optimizer.paramGroups.length;
    const maxLr = perGroup(options.maxLr, groups, 'maxLr');
    const baseM = perGroup(options.baseMomentum ?? 0.85, groups, 'baseMomentum');
    const maxM = perGroup(options.maxMomentum ?? 0.95, groups, 'maxMomentum');
    this._levels = maxLr.map((max, g) => ({
      initial: max / div,
      max,
      min: max / div / finalDiv,
      baseMomentum: baseM[g],
      maxMomentum: maxM[g],
    }));
    const t = this.totalSteps;
    this._legs = options.threePhase
      ? [
          { end: pct * t - 1, lr: ['initial', 'max'], momentum: ['maxMomentum', 'baseMomentum'] },
          { end: 2 * pct * t - 2, lr: ['max', 'initial'], momentum: ['baseMomentum', 'maxMomentum'] },
          { end: t - 1, lr: ['initial', 'min'], momentum: ['maxMomentum', 'maxMomentum'] },
        ]
      : [
          { end: pct * t - 1, lr: ['initial', 'max'], momentum: ['maxMomentum', 'baseMomentum'] },
          { end: t - 1, lr: ['max', 'min'], momentum: ['baseMomentum', 'maxMomentum'] },
        ];
    const first = optimizer.paramGroups[0] as unknown as Record<string, unknown>;
    this._momentumKey = !this.cycleMomentum ? null : Array.isArray(first.betas) ? 'betas' : 'momentum' in first ? 'momentum' : null;
    if (this.cycleMomentum && this._momentumKey === null)
      throw new TapegradError(`${op}: ${optimizer.name} has neither momentum nor betas; pass cycleMomentum: false`);
    this.apply();
  }

  lrAt(step: number, group = 0): number {
    return this.at(step, group, 'lr');
  }

  /** The momentum (or beta1) the schedule sets at `step` for `group`. */
  momentumAt(step: number, group = 0): number {
    return this.at(step, group, 'momentum');
  }

  protected override apply(): void {
    super.apply();
    if (this._momentumKey === null) return;
    const key = this._momentumKey;
    this.optimizer.paramGroups.forEach((g, i) => {
      const m = this.momentumAt(this.lastEpoch, i);
      const group = g as unknown as Record<string, unknown>;
      group[key] = key === 'betas' ? [m, (group.betas as number[])[1]] : m;
    });
  }

  private at(step: number, group: number, what: 'lr' | 'momentum'): number {
    if (step > this.totalSteps)
      throw new TapegradError(`OneCycleLR: stepped ${step} times, past the cycle's totalSteps ${this.totalSteps}; make a longer cycle`);
    const levels = this._levels[group];
    let start = 0;
    for (let i = 0; i < this._legs.length; i++) {
      const leg = this._legs[i];
      if (step <= leg.end || i === this._legs.length - 1) {
        // A leg of no length (a short cycle: pctStart T - 1 = 0) is at its end value rather than 0/0 (PyTorch divides by zero there).
        const f = leg.end > start ? (step - start) / (leg.end - start) : 1;
        const [a, b] = (what === 'lr' ? leg.lr : leg.momentum).map((level) => levels[level]);
        return this.annealStrategy === 'cos' ? b + ((a - b) * (1 + Math.cos(Math.PI * f))) / 2 : a + (b - a) * f;
      }
      start = leg.end;
    }
    throw new TapegradError('OneCycleLR: unreachable');
  }
}

function resolveTotalSteps(options: OneCycleLROptions): number {
  const positiveInt = (v: number | undefined) => v !== undefined && Number.isInteger(v) && v > 0;
  if (options.totalSteps !== undefined) {
    if (!positiveInt(options.totalSteps))
      throw new TapegradError(`OneCycleLR: totalSteps must be a positive integer, got ${options.totalSteps}`);
    return options.totalSteps;
  }
  if (!positiveInt(options.epochs) || !positiveInt(options.stepsPerEpoch))
    throw new TapegradError(
      `OneCycleLR: give totalSteps, or epochs and stepsPerEpoch as positive integers; got epochs ${options.epochs}, stepsPerEpoch ${options.stepsPerEpoch}`,
    );
  return options.epochs! * options.stepsPerEpoch!;
}

function perGroup(value: number | readonly number[], groups: number, name: string): number[] {
  const list = typeof value === 'number' ? new Array<number>(groups).fill(value) : [...value];
  if (list.length !== groups || list.some((v) => !(typeof v === 'number' && v >= 0 && v < Infinity)))
    throw new TapegradError(`OneCycleLR: ${name} must be a finite number >= 0 or one per param group (${groups}), got ${String(value)}`);
  return list;
}
