/**
 * Gradient clipping, PyTorch's clip_grad_norm_ and clip_grad_value_:
 *   by norm:  if the norm of all gradients together exceeds maxNorm, every gradient is scaled by maxNorm / (norm + 1e-6)
 *   by value: every gradient element is clamped to [-clipValue, clipValue]
 * The clipped gradients are new tensors (a gradient object may be shared between parameters, so it is never
 * changed in place).
 */
import { type Tensor, TapegradError, noGrad } from '@tapegrad/core';

/**
 * Returns the total norm before clipping.
 * @example
 * loss.backward(); clipGradNorm(model.parameters(), 1.0); opt.step();
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, options: { normType?: number } = {}): number {
  const normType = options.normType ?? 2;
  if (!(maxNorm >= 0)) throw new TapegradError(`clipGradNorm: maxNorm must be >= 0, got ${maxNorm}`);
  if (!(normType > 0)) throw new TapegradError(`clipGradNorm: normType must be > 0 or Infinity, got ${normType}`);
  const withGrad = [...params].filter((p) => p.grad !== null);
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
