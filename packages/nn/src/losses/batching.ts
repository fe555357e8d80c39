/**
 * Batch rules (vmap) of the losses that are ops of their own (`defineOp`): each operand's physical value, every
 * sample along its batch axis `dim` (null for an operand that is the same for every sample), brought into one layout.
 */
import type { Tensor } from '@tapegrad/core';

/** One operand of a batched call, as a batch rule receives it. */
export interface Operand {
  readonly value: object;
  readonly dim: number | null;
}

/** The batch size: the size of the batch axis of the first batched operand. */
export function batchSize(...args: readonly Operand[]): number {
  const a = args.find((x) => x.dim !== null);
  if (a === undefined) throw new Error('batchSize: no operand is batched');
  return (a.value as Tensor).shape[a.dim!];
}

/** The operand with its batch axis first; an unbatched one repeated `size` times along a new first axis. */
export function batchFirst(arg: Operand, size: number): Tensor {
  const x = arg.value as Tensor;
  if (arg.dim === null) return x.unsqueeze(0).broadcastTo([size, ...x.shape]);
  if (arg.dim === 0) return x;
  const rest = x.shape.map((_, i) => i).filter((i) => i !== arg.dim);
  return x.transpose([arg.dim, ...rest]);
}
