/**
 * Random translations of 28x28 digits by up to `maxShift` pixels in each direction (zero fill), the classic MNIST
 * augmentation: with only 8,000 training digits an MLP otherwise memorises them and stalls below 96% on the held
 * out set. Shifts come from the seeded generator, so runs stay reproducible.
 */
import type { Generator } from '@tapegrad/core';
import { IMAGE_SIZE, PIXELS } from './data.js';

/** Copies image `row` of `src` into slot `slot` of `dst`, shifted by (dx, dy). */
export function shiftInto(src: Float32Array, row: number, dst: Float32Array, slot: number, dx: number, dy: number): void {
  const s = row * PIXELS;
  const d = slot * PIXELS;
  dst.fill(0, d, d + PIXELS);
  const x0 = Math.max(0, dx);
  const x1 = Math.min(IMAGE_SIZE, IMAGE_SIZE + dx);
  for (let y = Math.max(0, dy); y < Math.min(IMAGE_SIZE, IMAGE_SIZE + dy); y++) {
    const from = s + (y - dy) * IMAGE_SIZE - dx;
    dst.set(src.subarray(from + x0, from + x1), d + y * IMAGE_SIZE + x0);
  }
}

/** Fills `dst` with the images at `rows`, each shifted by a random (dx, dy) in [-maxShift, maxShift]. */
export function augmentBatch(src: Float32Array, rows: ArrayLike<number>, dst: Float32Array, maxShift: number, generator: Generator): void {
  const span = 2 * maxShift + 1;
  for (let i = 0; i < rows.length; i++) {
    const dx = maxShift === 0 ? 0 : generator.int(span) - maxShift;
    const dy = maxShift === 0 ? 0 : generator.int(span) - maxShift;
    shiftInto(src, rows[i], dst, i, dx, dy);
  }
}
