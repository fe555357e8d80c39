/** How a loss reduces its per-element (or per-sample) values. */
import { ShapeError, Tensor } from '@tapegrad/core';

/** 'mean' and 'sum' as in PyTorch; 'none' keeps the per-sample values; 'halfSum' is the documents' 1/2 sum. */
export type Reduction = 'mean' | 'sum' | 'none' | 'halfSum';

export function reduce(values: Tensor, reduction: Reduction, op: string): Tensor {
  switch (reduction) {
    case 'mean':
      return values.mean();
    case 'sum':
      return values.sum();
    case 'halfSum':
      return values.sum().mul(0.5);
    case 'none':
      return values;
    default:
      throw new ShapeError(`${op}: unknown reduction '${String(reduction)}'; expected 'mean', 'sum', 'halfSum' or 'none'`);
  }
}

/** The reductions of PyTorch's losses (all but 'halfSum'), checked before any work. */
export function checkReduction(reduction: Reduction | undefined, op: string): Exclude<Reduction, 'halfSum'> {
  const r = reduction ?? 'mean';
  if (r !== 'mean' && r !== 'sum' && r !== 'none') {
    throw new ShapeError(`${op}: unknown reduction '${String(r)}'; expected 'mean', 'sum' or 'none'`);
  }
  return r;
}

export function checkSameShape(a: Tensor, b: Tensor, op: string): void {
  if (!(b instanceof Tensor)) throw new ShapeError(`${op}: the target must be a Tensor of shape ${shapeOf(a)}`);
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(`${op}: input ${shapeOf(a)} and target ${shapeOf(b)} must have the same shape`);
  }
}

/** A tensor's shape as messages show it: `[2, 3]`. */
export function shapeOf(t: Tensor): string {
  return `[${t.shape.join(', ')}]`;
}
