/** The NaN / Infinity check that anomaly mode runs on every op's output and gradients. */
import { isBatched } from './batching.js';
import type { Node } from './node.js';

/** Describes the first non-finite value in `node`, or returns null when all are finite. */
export function checkFinite(node: Node): string | null {
  // A batched value (vmap) is checked through its physical value: every sample's.
  if (isBatched(node)) return checkFinite(node._physical);
  const raw = node.raw;
  if (typeof raw === 'number') return Number.isFinite(raw) ? null : String(raw);
  const d = raw.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v - v !== 0) return `${v} at flat index ${i} of shape [${raw.shape.join(', ')}]`;
  }
  return null;
}
