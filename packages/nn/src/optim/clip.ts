/**
 * Gradient clipping, PyTorch's clip_grad_norm_ and clip_grad_value_:
 *   by norm:  if the norm of all gradients together exceeds maxNorm, every gradient is scaled by maxNorm / (norm + 1e-6)
 *   by value: every gradient element is clamped to [-clipValue, clipValue]
 * The clipped gradients are new tensors (a gradient object may be shared between parameters, so it is never
 * changed in place). clipGradNormTensor is the same clipping in tensor ops, for gradients on a device (whose values
 * cannot be read synchronously): it returns the norm as a tensor and scales by min(1, maxNorm / (norm + 1e-6)) always,
 * as PyTorch's clip_grad_norm_ does, so nothing waits for the device.
 */
import { DeviceError, type Tensor, TapegradError, noGrad, tensor } from '@tapegrad/core';

function checkNormOptions(maxNorm: number, normType: number, op: string): void {
  if (!(maxNorm >= 0)) throw new TapegradError(`${op}: maxNorm must be >= 0, got ${maxNorm}`);
  if (!(normType > 0)) throw new TapegradError(`${op}: normType must be > 0 or Infinity, got ${normType}`);
}

/**
 * Returns the total norm before clipping.
 * @example
 * loss.backward(); clipGradNorm(model.parameters(), 1.0); opt.step();
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, options: { normType?: number } = {}): number {
  const normType = options.normType ?? 2;
  checkNormOptions(maxNorm, normType, 'clipGradNorm');
  const withGrad = [...params].filter((p) => p.grad !== null);
  const onDevice = withGrad.find((p) => p.grad!.device !== 'cpu');
  if (onDevice !== undefined)
    throw new DeviceError(
      `clipGradNorm: a gradient is on '${onDevice.grad!.device}', whose values cannot be read synchronously to return the norm as a ` +
        'number; use clipGradNormTensor (the same clipping on the device, the norm returned as a tensor)',
    );
  let total = 0;
  for (const p of withGrad) {
    const g = p.grad!.data;
    for (let i = 0; i < g.length; i++) {
      const a = Math.abs(g[i]);
      total = normType === Infinity ? Math.max(total, a) : total + a ** normType;
    }
  }
  if (normType !== Infinity) total = total ** (1 / normType);
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) noGrad(() => withGrad.forEach((p) => (p.grad = p.grad!.mul(coef))));
  return total;
}

/**
 * clipGradNorm in tensor ops, on whichever device the gradients are: returns the total norm before clipping as a
 * 0-d tensor there (PyTorch's clip_grad_norm_ return value), and scales every gradient by
 * min(1, maxNorm / (norm + 1e-6)) without reading anything back. A NaN or infinite norm makes the gradients NaN or
 * zero, as PyTorch's (without its error_if_nonfinite).
 * @example
 * loss.backward(); const norm = clipGradNormTensor(model.parameters(), 1.0); opt.step();
 * console.log(await norm.toArrayAsync()); // only when the number is wanted: reading it waits for the device
 */
export function clipGradNormTensor(params: Iterable<Tensor>, maxNorm: number, options: { normType?: number } = {}): Tensor {
  const normType = options.normType ?? 2;
  checkNormOptions(maxNorm, normType, 'clipGradNormTensor');
  const withGrad = [...params].filter((p) => p.grad !== null);
  return noGrad(() => {
    if (withGrad.length === 0) return tensor(0);
    const part = (g: Tensor): Tensor =>
      normType === Infinity ? g.abs().max() : normType === 2 ? g.mul(g).sum() : g.abs().pow(normType).sum();
    const parts = withGrad.map((p) => part(p.grad!));
    const combined = parts.reduce((a, b) => (normType === Infinity ? a.maximum(b) : a.add(b)));
    const total = normType === Infinity ? combined : normType === 2 ? combined.sqrt() : combined.pow(1 / normType);
    const coef = total.add(1e-6).pow(-1).mul(maxNorm).clamp(undefined, 1);
    for (const p of withGrad) p.grad = p.grad!.mul(coef);
    return total;
  });
}

/**
 * Clamps every gradient element to [-clipValue, clipValue].
 * @example
 * loss.backward(); clipGradValue(model.parameters(), 0.5); opt.step();
 */
export function clipGradValue(params: Iterable<Tensor>, clipValue: number): void {
  if (!(clipValue >= 0 && clipValue < Infinity))
    throw new TapegradError(`clipGradValue: clipValue must be a finite number >= 0, got ${clipValue}`);
  noGrad(() => {
    for (const p of params) if (p.grad !== null) p.grad = p.grad.clamp(-clipValue, clipValue);
  });
}
