/**
 * Learning-rate schedules, PyTorch-style: construct with the optimiser, call `step()` once per epoch; each sets
 * `optimizer.lr` from the closed form of its schedule (epoch e counts the calls so far).
 *   StepLR:            lr_e = base * gamma^floor(e / stepSize)
 *   CosineAnnealingLR: lr_e = etaMin + (base - etaMin) * (1 + cos(pi * e / tMax)) / 2
 */
import { TapegradError } from '@tapegrad/core';
import type { Optimizer } from './optimizer.js';

/**
 * The base of the schedules: `step()` once per epoch sets `optimizer.lr = lrAt(epoch)`.
 * @example
 * const sched = new CosineAnnealingLR(opt, { tMax: 10 });
 * for (let epoch = 0; epoch < 10; epoch++) { trainOneEpoch(); sched.step(); }
 */
export abstract class LRScheduler {
  /** The learning rate the optimiser had when the schedule was made. */
  readonly baseLr: number;
  /** Calls to `step()` so far. */
  lastEpoch = 0;

  protected constructor(
    /** The optimiser whose `lr` the schedule sets. */
    readonly optimizer: Optimizer,
  ) {
    this.baseLr = optimizer.lr;
  }

  /** Advances one epoch and updates the optimiser's learning rate. */
  step(): void {
    this.lastEpoch++;
    this.optimizer.lr = this.lrAt(this.lastEpoch);
  }

  /** The learning rate in effect now. */
  getLastLr(): number {
    return this.optimizer.lr;
  }

  /** The schedule's learning rate at epoch `e`. */
  abstract lrAt(epoch: number): number;
}

/**
 * Multiplies the learning rate by gamma every stepSize epochs.
 * @example const sched = new StepLR(opt, { stepSize: 10, gamma: 0.1 });  // each epoch: ...; sched.step();
 */
export class StepLR extends LRScheduler {
  /** Epochs between decays. */
  readonly stepSize: number;
  /** Decay factor. */
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: { stepSize: number; gamma?: number }) {
    super(optimizer);
    if (!(Number.isInteger(options.stepSize) && options.stepSize > 0))
      throw new TapegradError(`StepLR: stepSize must be a positive integer, got ${options.stepSize}`);
    this.stepSize = options.stepSize;
    this.gamma = options.gamma ?? 0.1;
  }

  lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/**
 * Anneals the learning rate from its base value to etaMin along half a cosine over tMax epochs.
 * @example const sched = new CosineAnnealingLR(opt, { tMax: epochs });
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Epochs of the half cosine. */
  readonly tMax: number;
  /** The final learning rate. */
  readonly etaMin: number;

  constructor(optimizer: Optimizer, options: { tMax: number; etaMin?: number }) {
    super(optimizer);
    if (!(options.tMax > 0)) throw new TapegradError(`CosineAnnealingLR: tMax must be > 0, got ${options.tMax}`);
    this.tMax = options.tMax;
    this.etaMin = options.etaMin ?? 0;
  }

  lrAt(epoch: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}
