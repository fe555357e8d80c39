/** Target checks shared by the classification losses: int32 class labels [N] or one-hot / probabilities [N, C]. */
import { DTypeError, DeviceError, ShapeError, type Tensor, arange, valuesForCheck } from '@tapegrad/core';

/**
 * Where a loss's target may live when the input is on a device: int32 class labels on the CPU (their range is checked
 * there, synchronously, and the kernels move them as index constants), any other target on the input's device.
 */
export function checkTargetDevice(input: Tensor, target: Tensor, op: string): void {
  if (target.dtype === 'int32') {
    if (target.device !== 'cpu')
      throw new DeviceError(
        `${op}: int32 class labels are checked against the classes on the CPU, and these are on '${target.device}': ` +
          "pass them as a CPU tensor (await labels.to('cpu')); they are moved to the device as indices",
      );
  } else if (target.device !== input.device) {
    throw new DeviceError(
      `${op}: the input is on '${input.device}' and the target on '${target.device}'; move the target with .to('${input.device}')`,
    );
  }
}

/** Validates `target` against logits [N, C] and returns it as a float matrix [N, C] of the logits' dtype. */
export function targetMatrix(logits: Tensor, target: Tensor, op: string): Tensor {
  if (logits.rank !== 2) throw new ShapeError(`${op}: logits must be [batch, classes], got [${logits.shape.join(', ')}]`);
  if (logits.dtype === 'int32') throw new DTypeError(`${op}: logits must be float32 or float64, got int32`);
  const [n, c] = logits.shape;
  checkTargetDevice(logits, target, op);
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
  // Checked through every sample's values under vmap; the rows themselves are built with ops, so that they batch.
  const values = valuesForCheck(labels);
  for (let i = 0; i < values.length; i++) {
    const k = values[i];
    if (!(k >= 0 && k < numClasses)) throw new ShapeError(`${op}: label ${k} at position ${i} is outside [0, ${numClasses})`);
  }
  return labels
    .reshape([n, 1])
    .eq(arange(0, numClasses, 1, { dtype: 'int32' }))
    .cast(options.dtype ?? 'float64');
}
