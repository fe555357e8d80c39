/**
 * ReduceLROnPlateau, PyTorch's: `step(metric)` once per epoch with a validation metric. A metric "improves" on
 * the best so far when, in mode 'min' with thresholdMode 'rel', metric < best (1 - threshold) ('abs':
 * metric < best - threshold; mode 'max' mirrors both). After more than `patience` epochs in a row without
 * improvement, every group's lr becomes max(lr * factor, minLr) (a change smaller than eps is skipped), and
 * the next `cooldown` epochs count no bad epochs. A NaN metric never improves, as in PyTorch.
 */
import { type Tensor, TapegradError } from '@tapegrad/core';
import type { Hyperparameters, Optimizer } from './optimizer.js';
import { counters, readCounters } from './schedule.js';
import { brand } from '../brand.js';

/** Options of ReduceLROnPlateau (PyTorch's names and defaults). */
export interface ReduceLROnPlateauOptions {
  /** 'min' (default: the metric is a loss) or 'max' (an accuracy). */
  readonly mode?: 'min' | 'max';
  /** The factor the learning rate is multiplied by, in (0, 1) (default 0.1). */
  readonly factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  readonly patience?: number;
  /** How much better counts as better (default 1e-4). */
  readonly threshold?: number;
  /** 'rel' (default: threshold is relative to the best) or 'abs'. */
  readonly thresholdMode?: 'rel' | 'abs';
  /** Epochs after a reduction during which bad epochs are not counted (default 0). */
  readonly cooldown?: number;
  /** The floor of the learning rate, one or one per param group (default 0). */
  readonly minLr?: number | readonly number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  readonly eps?: number;
}

/**
 * Divides the learning rate when a metric stops improving.
 * @example
 * const sched = new ReduceLROnPlateau(opt, { factor: 0.5, patience: 3 });
 * for (let epoch = 0; epoch < epochs; epoch++) { trainOneEpoch(); sched.step(validationLoss()); }
 */
export class ReduceLROnPlateau {
  static {
    brand(this, 'ReduceLROnPlateau');
  }
  /** 'min' or 'max'. */
  readonly mode: 'min' | 'max';
  /** The reduction factor. */
  readonly factor: number;
  /** Bad epochs tolerated. */
  readonly patience: number;
  /** How much better counts as better. */
  readonly threshold: number;
  /** 'rel' or 'abs'. */
  readonly thresholdMode: 'rel' | 'abs';
  /** Epochs without counting after a reduction. */
  readonly cooldown: number;
  /** Each group's floor. */
  readonly minLrs: readonly number[];
  /** The smallest change made. */
  readonly eps: number;
  /** The best metric so far. */
  best: number;
  /** Epochs in a row without improvement. */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  /** Calls to `step()` so far. */
  lastEpoch = 0;

  constructor(
    /** The optimiser whose groups' `lr` the schedule reduces. */
    readonly optimizer: Optimizer<Hyperparameters>,
    options: ReduceLROnPlateauOptions = {},
  ) {
    const op = 'ReduceLROnPlateau';
    this.mode = options.mode ?? 'min';
    this.factor = options.factor ?? 0.1;
    this.patience = options.patience ?? 10;
    this.threshold = options.threshold ?? 1e-4;
    this.thresholdMode = options.thresholdMode ?? 'rel';
    this.cooldown = options.cooldown ?? 0;
    this.eps = options.eps ?? 1e-8;
    if (this.mode !== 'min' && this.mode !== 'max')
      throw new TapegradError(`${op}: mode must be 'min' or 'max', got '${String(this.mode)}'`);
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs')
      throw new TapegradError(`${op}: thresholdMode must be 'rel' or 'abs', got '${String(this.thresholdMode)}'`);
    if (!(this.factor > 0 && this.factor < 1)) throw new TapegradError(`${op}: factor must be in (0, 1), got ${this.factor}`);
    for (const [name, v] of [
      ['patience', this.patience],
      ['cooldown', this.cooldown],
    ] as const) {
      if (!(Number.isInteger(v) && v >= 0)) throw new TapegradError(`${op}: ${name} must be an integer >= 0, got ${v}`);
    }
    if (!(this.threshold >= 0 && this.threshold < Infinity)) throw new TapegradError(`${op}: threshold must be a finite number >= 0`);
    const groups = optimizer.paramGroups.length;
    const minLr = options.minLr ?? 0;
    this.minLrs = typeof minLr === 'number' ? new Array<number>(groups).fill(minLr) : [...minLr];
    if (this.minLrs.length !== groups || this.minLrs.some((v) => !(v >= 0)))
      throw new TapegradError(`${op}: minLr must be a number >= 0 or one per param group (${groups}), got ${String(minLr)}`);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Records this epoch's metric and reduces the learning rates if it has stopped improving. */
  step(metric: number): void {
    if (typeof metric !== 'number') throw new TapegradError(`ReduceLROnPlateau.step: the metric must be a number, got ${typeof metric}`);
    this.lastEpoch++;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const reduced = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - reduced > this.eps) g.lr = reduced;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
  }

  /**
   * The schedule's counters (`lastEpoch`, `best`, `numBadEpochs`, `cooldownCounter`) as tensors; the learning
   * rates themselves are in the optimiser's state dict.
   * @example await saveSafetensors('plateau.safetensors', sched.stateDict());
   */
  stateDict(): Record<string, Tensor> {
    const { lastEpoch, best, numBadEpochs, cooldownCounter } = this;
    return counters({ lastEpoch, best, numBadEpochs, cooldownCounter });
  }

  /**
   * Restores the counters saved by `stateDict()`.
   * @example sched.loadStateDict(await loadSafetensors('plateau.safetensors'));
   */
  loadStateDict(state: Record<string, Tensor>): void {
    const c = readCounters(state, ['lastEpoch', 'best', 'numBadEpochs', 'cooldownCounter'], 'ReduceLROnPlateau');
    Object.assign(this, c);
  }

  /** Each group's learning rate now. */
  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  private isBetter(metric: number): boolean {
    const { best, threshold } = this;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? metric < best * (1 - threshold) : metric < best - threshold;
    return this.thresholdMode === 'rel' ? metric > best * (threshold + 1) : metric > best + threshold;
  }
}
