/**
 * Random affine distortions of 28x28 digits for the CNN: each training digit is rotated by up to `rotate` degrees,
 * scaled by a factor in [1 - scale, 1 + scale] and shifted by up to `shift` pixels (each drawn uniformly, about the
 * image centre), sampled bilinearly with zero fill. With 8,000 training digits a CNN learns the shapes of these
 * variations instead of the digits themselves (integer shifts alone: 98.70% on the held-out 2,000 after 12 epochs).
 * Every draw comes from the seeded generator, four per digit in a fixed order, so runs stay reproducible.
 */
import type { Generator } from '@tapegrad/core';
import { IMAGE_SIZE, PIXELS } from './data.js';

/** How far the distortions go. */
export interface AffineRange {
  /** Largest rotation, in degrees either way. */
  readonly rotate: number;
  /** Largest relative change of size, either way. */
  readonly scale: number;
  /** Largest translation, in pixels along each axis either way. */
  readonly shift: number;
}

/** Fills `dst` with the images at `rows`, each under its own random affine map within `range`. */
export function affineBatch(src: Float32Array, rows: ArrayLike<number>, dst: Float32Array, range: AffineRange, generator: Generator): void {
  const n = IMAGE_SIZE;
  const centre = (n - 1) / 2;
  for (let i = 0; i < rows.length; i++) {
    const angle = ((2 * generator.uniform() - 1) * range.rotate * Math.PI) / 180;
    const factor = 1 + (2 * generator.uniform() - 1) * range.scale;
    const tx = (2 * generator.uniform() - 1) * range.shift;
    const ty = (2 * generator.uniform() - 1) * range.shift;
    // The inverse map: output pixel p reads the source at R(-angle) (p - centre - t) / factor + centre.
    const cos = Math.cos(angle) / factor;
    const sin = Math.sin(angle) / factor;
    const s = rows[i] * PIXELS;
    const d = i * PIXELS;
    for (let y = 0; y < n; y++) {
      const py = y - centre - ty;
      for (let x = 0; x < n; x++) {
        const px = x - centre - tx;
        const sx = cos * px + sin * py + centre;
        const sy = -sin * px + cos * py + centre;
        dst[d + y * n + x] = bilinear(src, s, sx, sy);
      }
    }
  }
}

/** The image at offset `s` sampled at (x, y), reading 0 outside it. */
function bilinear(src: Float32Array, s: number, x: number, y: number): number {
  const n = IMAGE_SIZE;
  if (x <= -1 || y <= -1 || x >= n || y >= n) return 0;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (xi: number, yi: number) => (xi >= 0 && yi >= 0 && xi < n && yi < n ? src[s + yi * n + xi] : 0);
  const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
  const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
  return top * (1 - fy) + bottom * fy;
}
