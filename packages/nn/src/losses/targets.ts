/** Target checks shared by the classification losses: int32 class labels [N] or one-hot / probabilities [N, C]. */
import { DTypeError, ShapeError, type Tensor, tensor } from '@tapegrad/core';

/** Validates `target` against logits [N, C] and returns it as a float matrix [N, C] of the logits' dtype. */
export function targetMatrix(logits: Tensor, target: Tensor, op: string): Tensor {
  if (logits.rank !== 2) throw new ShapeError(`${op}: logits must be [batch, classes], got [${logits.shape.join(', ')}]`);
  if (logits.dtype === 'int32') throw new DTypeError(`${op}: logits must be float32 or float64, got int32`);
  const [n, c] = logits.shape;
  if (target.dtype === 'int32') {
    if (target.rank !== 1 || target.shape[0] !== n) {
      throw new ShapeError(`${op}: int32 labels must have shape [${n}] for logits [${n}, ${c}], got [${target.shape.join(', ')}]`);
    }
    return oneHot(target, c, { dtype: logits.dtype, op });
  }
  if (target.rank !== 2 || target.shape[0] !== n || target.shape[1] !== c) {
    throw new ShapeError(`${op}: a float target must have the logits' shape [${n}, ${c}], got [${target.shape.join(', ')}]`);
  }
  if (target.requiresGrad) throw new DTypeError(`${op}: the target must not require grad; detach() it`);
  return target.dtype === logits.dtype ? target : target.cast(logits.dtype);
}

/**
 * One-hot rows for int32 class labels: labels [N] -> [N, numClasses] with a 1 at each label.
 * @example oneHot(tensor([2, 0], { dtype: 'int32' }), 3).toArray();   // [[0, 0, 1], [1, 0, 0]]
 */
export function oneHot(labels: Tensor, numClasses: number, options: { dtype?: 'float32' | 'float64'; op?: string } = {}): Tensor {
  const op = options.op ?? 'oneHot';
  if (labels.dtype !== 'int32') throw new DTypeError(`${op}: labels must be int32, got ${labels.dtype}`);
  if (labels.rank !== 1) throw new ShapeError(`${op}: labels must be 1-D, got shape [${labels.shape.join(', ')}]`);
  const n = labels.shape[0];
  const out = new (options.dtype === 'float32' ? Float32Array : Float64Array)(n * numClasses);
  const d = labels.data;
  for (let i = 0; i < n; i++) {
    const k = d[i];
    if (!(k >= 0 && k < numClasses)) throw new ShapeError(`${op}: label ${k} at position ${i} is outside [0, ${numClasses})`);
    out[i * numClasses + k] = 1;
  }
  return tensor(out, { shape: [n, numClasses] });
}
