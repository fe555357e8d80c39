/**
 * The class-index machinery shared by nllLoss and crossEntropy, with PyTorch's layout and semantics:
 *   input [C], [N, C] or [N, C, d1, ..., dk] (classes on axis 1), int32 labels [], [N] or [N, d1, ..., dk];
 *   loss_n = -w[y_n] * input[n, y_n], 0 where y_n = ignoreIndex;
 *   'mean' divides the sum by sum_n w[y_n] over the samples not ignored (NaN when every sample is ignored).
 * Positions d1..dk are samples like n: the class axis moves last and the input becomes rows [M, C].
 */
import { DTypeError, GradError, ShapeError, Tensor, valuesForCheck, where } from '@tapegrad/core';
import { shapeOf } from './reduction.js';
import { checkTargetDevice } from './targets.js';

/** The input as rows [M, C] (one per sample), and the shape of the per-sample losses. */
export interface ClassRows {
  readonly rows: Tensor;
  readonly sampleShape: readonly number[];
  readonly classes: number;
}

/** Moves the class axis (1, or 0 for an unbatched [C]) last and flattens the rest: [M, C]. */
export function toClassRows(input: Tensor, op: string): ClassRows {
  if (input.dtype === 'int32') throw new DTypeError(`${op}: the input must be float32 or float64, got int32`);
  if (input.rank === 0) throw new ShapeError(`${op}: the input must be [C], [N, C] or [N, C, d1, ...], got a 0-d tensor`);
  if (input.rank === 1) return { rows: input.reshape([1, input.shape[0]]), sampleShape: [], classes: input.shape[0] };
  const classes = input.shape[1];
  if (input.rank === 2) return { rows: input, sampleShape: [input.shape[0]], classes };
  const perm = [0, ...input.shape.slice(2).map((_, i) => i + 2), 1];
  const sampleShape = [input.shape[0], ...input.shape.slice(2)];
  return { rows: input.transpose(perm).reshape([input.size / classes, classes]), sampleShape, classes };
}

/** Per-class weights [C] in the input's dtype (they get no gradient, as in PyTorch), or null. */
export function classWeights(weight: Tensor | undefined, rows: ClassRows, op: string): Tensor | null {
  if (weight === undefined) return null;
  const { classes } = rows;
  if (!(weight instanceof Tensor)) throw new DTypeError(`${op}: weight must be a Tensor of shape [${classes}]`);
  if (weight.rank !== 1 || weight.shape[0] !== classes)
    throw new ShapeError(`${op}: weight must have shape [${classes}] (one per class), got ${shapeOf(weight)}`);
  if (weight.requiresGrad) throw new GradError(`${op}: weight gets no gradient (as in PyTorch); pass weight.detach()`);
  return weight.cast(rows.rows.dtype);
}

/**
 * Class labels checked against the classes, as tensors built with ops (so that they batch under vmap, where a
 * label's value cannot be read: the check reads every sample's values at once).
 */
export interface Labels {
  /** Each sample's class [M]; 0 where the sample is ignored, so it still indexes safely. */
  readonly index: Tensor;
  /** 1 for a sample that counts, 0 for an ignored one [M] (int32). */
  readonly keep: Tensor;
}

/** Validates int32 labels of the per-sample shape; every label is a class in [0, C) or ignoreIndex. */
export function classLabels(target: Tensor, rows: ClassRows, ignoreIndex: number, op: string): Labels {
  if (!(target instanceof Tensor)) throw new DTypeError(`${op}: the target must be a Tensor`);
  if (target.dtype !== 'int32') throw new DTypeError(`${op}: class labels must be int32, got ${target.dtype}`);
  const { sampleShape, classes } = rows;
  if (target.rank !== sampleShape.length || target.shape.some((d, i) => d !== sampleShape[i])) {
    throw new ShapeError(
      `${op}: int32 labels must have shape [${sampleShape.join(', ')}] for an input of ${classes} classes, got ${shapeOf(target)}`,
    );
  }
  checkTargetDevice(rows.rows, target, op);
  const values = valuesForCheck(target);
  for (let i = 0; i < values.length; i++) {
    const k = values[i];
    if (k !== ignoreIndex && !(k >= 0 && k < classes))
      throw new ShapeError(`${op}: label ${k} at position ${i} is outside [0, ${classes}) and is not the ignoreIndex ${ignoreIndex}`);
  }
  const flat = target.reshape([rows.rows.shape[0]]);
  const ignored = flat.eq(ignoreIndex);
  return { index: where(ignored, 0, flat), keep: ignored.logicalNot() };
}

/** Per-sample -w[y] * rows[y] (0 where ignored), and the mean's denominator: sum of w[y] over kept samples. */
export function pickedLoss(rows: Tensor, labels: Labels, weight: Tensor | null): { perSample: Tensor; weightSum: Tensor } {
  const m = rows.shape[0];
  const { index, keep } = labels;
  // Gathering one element per row (never multiplying a one-hot matrix) keeps another class's -Infinity out.
  let perSample = rows
    .takeAlongAxis(index.reshape([m, 1]), -1)
    .reshape([m])
    .neg();
  let counted = keep.cast(rows.dtype);
  if (weight) {
    const w = weight.gather(index);
    perSample = perSample.mul(w);
    counted = where(keep, w, 0);
  }
  return { perSample: maskIgnored(perSample, keep), weightSum: counted.sum() };
}

/** Per-sample losses reduced: 'none' in the labels' shape, 'sum', or 'mean' as the sum over `denominator`. */
export function reduceSamples(
  perSample: Tensor,
  reduction: 'mean' | 'sum' | 'none',
  rows: ClassRows,
  denominator: Tensor | number,
): Tensor {
  if (reduction === 'none') return perSample.reshape(rows.sampleShape);
  const total = perSample.sum();
  return reduction === 'sum' ? total : total.div(denominator);
}

/** Zero where the sample is ignored, by selection (a product would turn an ignored -Infinity into NaN). */
export function maskIgnored(perSample: Tensor, keep: Tensor): Tensor {
  return where(keep, perSample, 0);
}
