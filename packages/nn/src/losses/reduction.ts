/** How a loss reduces its per-element (or per-sample) values. */
import { ShapeError, type Tensor } from '@tapegrad/core';

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

export function checkSameShape(a: Tensor, b: Tensor, op: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(`${op}: input [${a.shape.join(', ')}] and target [${b.shape.join(', ')}] must have the same shape`);
  }
}
