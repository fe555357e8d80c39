/**
 * softmax and log-softmax along one axis, each slice shifted by its own maximum first:
 * softmax(x) = exp(x - m) / sum exp(x - m) and logSoftmax(x) = (x - m) - log sum exp(x - m), m = max x.
 * Nothing overflows, and (x - m) is exact, so float32 logits of any magnitude keep their normalisation
 * (x - logSumExp(x) rounds logSumExp to the float32 grid first: [1e7, 1e7] gave [0.368, 0.368]).
 * Sums and exponentials are taken in float64 whatever the dtype; the result is rounded once.
 */
import { allocate, floatResult } from '../dtype.js';
import { NDArray } from '../ndarray.js';

export function softmaxArray(x: NDArray, axis: number, log: boolean): NDArray {
  if (x.device !== undefined) return x.device.softmax(x, axis, log);
  const shape = x.shape;
  const n = shape[axis];
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d];
  const outer = n * inner === 0 ? 0 : x.size / (n * inner);
  const X = x.data;
  const out = allocate(floatResult(x.dtype), x.size);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const first = o * n * inner + i;
      const end = first + n * inner;
      let m = -Infinity;
      for (let k = first; k < end; k += inner) if (X[k] > m) m = X[k];
      // A slice that is all -Infinity (or holds +Infinity) would give Inf - Inf: shift by 0 there, which yields
      // PyTorch's results (NaN where the slice has no finite normalisation, 0 or -Infinity elsewhere).
      if (!Number.isFinite(m)) m = 0;
      let s = 0;
      for (let k = first; k < end; k += inner) s += Math.exp(X[k] - m);
      if (log) {
        const logS = Math.log(s);
        for (let k = first; k < end; k += inner) out[k] = X[k] - m - logS;
      } else {
        for (let k = first; k < end; k += inner) out[k] = Math.exp(X[k] - m) / s;
      }
    }
  }
  return new NDArray(out, shape);
}
