/** The NaN / Infinity check that anomaly mode runs on every op's output and gradients. */
import { isBatched } from './batching.js';
import type { Node } from './node.js';
import { deviceKernel } from '../ndarray/device.js';

/**
 * Throws `fail(description)` when `node` holds a non-finite value, describing the first. A device value cannot be read
 * at once: its device checks it in the queue, and the error comes at the next read of any of its values (see
 * DeviceBackend.watchFinite).
 */
export function checkFinite(node: Node, fail: (bad: string) => Error): void {
  // A batched value (vmap) is checked through its physical value: every sample's.
  if (isBatched(node)) return checkFinite(node._physical, fail);
  const raw = node.raw;
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw fail(String(raw));
    return;
  }
  if (raw.device !== undefined) return deviceKernel(raw.device, 'watchFinite').watchFinite(raw, fail);
  const d = raw.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v - v !== 0) throw fail(`${v} at flat index ${i} of shape [${raw.shape.join(', ')}]`);
  }
}
