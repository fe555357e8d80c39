/** Layer sizes as PyTorch users expect them checked: whole numbers of at least one. */
import { ShapeError } from '@tapegrad/core';

/** Throws a ShapeError naming the layer unless `value` is a positive integer. */
export function checkSize(layer: string, name: string, value: number): void {
  if (!(Number.isInteger(value) && value > 0)) throw new ShapeError(`${layer}: ${name} must be a positive integer, got ${String(value)}`);
}
