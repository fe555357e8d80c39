/**
 * Huber and smooth-L1 losses (PyTorch's F.huber_loss and F.smooth_l1_loss), with d = x - y:
 *   huber_delta(d)     = d^2 / 2                  if |d| < delta,  delta (|d| - delta / 2) otherwise
 *   smoothL1_beta(d)   = huber_beta(d) / beta     (d^2 / (2 beta) inside, |d| - beta / 2 outside; beta = 0 is L1)
 * Both are written as m^2 / 2 + delta (|d| - m) with m = min(|d|, delta): the same values, and a gradient that
 * is d inside and delta sign(d) outside with no branch to mask, continuous at |d| = delta and 0 at d = 0.
 */
import { type Tensor, TapegradError } from '@tapegrad/core';
import { type Reduction, checkReduction, checkSameShape, reduce } from './reduction.js';

/** Options of huberLoss. */
export interface HuberOptions {
  /** Where the loss turns from quadratic to linear (default 1); must be > 0. */
  readonly delta?: number;
  /** 'mean' (default), 'sum' or 'none'. */
  readonly reduction?: Exclude<Reduction, 'halfSum'>;
}

/** Options of smoothL1Loss. */
export interface SmoothL1Options {
  /** Where the loss turns from quadratic to linear (default 1); 0 gives the L1 loss. */
  readonly beta?: number;
  /** 'mean' (default), 'sum' or 'none'. */
  readonly reduction?: Exclude<Reduction, 'halfSum'>;
}

function huberTerms(input: Tensor, target: Tensor, delta: number): Tensor {
  const d = input.sub(target).abs();
  const m = d.minimum(delta);
  return m.square().mul(0.5).add(d.sub(m).mul(delta));
}

/**
 * Huber loss: quadratic for |x - y| < delta, linear beyond, so outliers pull with a bounded force.
 * @example huberLoss(prediction, target, { delta: 0.5 }).backward();
 */
export function huberLoss(input: Tensor, target: Tensor, options: HuberOptions = {}): Tensor {
  const op = 'huberLoss';
  const reduction = checkReduction(options.reduction, op);
  const delta = options.delta ?? 1;
  if (!(delta > 0 && delta < Infinity)) throw new TapegradError(`${op}: delta must be a finite number > 0, got ${delta}`);
  checkSameShape(input, target, op);
  return reduce(huberTerms(input, target, delta), reduction, op);
}

/**
 * Smooth L1 loss: the Huber loss divided by beta (so the linear part has slope 1); beta = 0 is the L1 loss.
 * @example smoothL1Loss(boxes, targetBoxes, { beta: 1 / 9 }).backward();
 */
export function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1Options = {}): Tensor {
  const op = 'smoothL1Loss';
  const reduction = checkReduction(options.reduction, op);
  const beta = options.beta ?? 1;
  if (!(beta >= 0 && beta < Infinity)) throw new TapegradError(`${op}: beta must be a finite number >= 0, got ${beta}`);
  checkSameShape(input, target, op);
  const terms = beta === 0 ? input.sub(target).abs() : huberTerms(input, target, beta).div(beta);
  return reduce(terms, reduction, op);
}
