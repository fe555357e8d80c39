/**
 * The train view's canvas for the digits: the first 100 held-out digits in a 10 x 10 grid, each framed green when
 * the model's prediction (written in its corner) is right and red when it is wrong; grey before any prediction.
 */
import { DIGIT_PIXELS, DIGIT_SIDE } from './digits.js';

export const GRID_DIGITS = 100;
const PER_ROW = 10;
export const RIGHT = 'rgb(46, 139, 87)';
export const WRONG = 'rgb(214, 39, 40)';

/** Draws the held-out digits and, when given, their predicted classes. */
export function drawDigits(canvas: HTMLCanvasElement, images: Float32Array, labels: Int32Array, predictions: Int32Array | null): void {
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#f8f9fb';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const cell = Math.floor(canvas.width / PER_ROW);
  const pad = 4;
  const shown = Math.min(GRID_DIGITS, labels.length);
  // Each digit as a 28 x 28 image (white ink on black, as MNIST is stored), scaled into its cell.
  const digit = new ImageData(DIGIT_SIDE, DIGIT_SIDE);
  const scratch = document.createElement('canvas');
  scratch.width = scratch.height = DIGIT_SIDE;
  const scratchCtx = scratch.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.font = `bold ${Math.round(cell / 3.2)}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  for (let i = 0; i < shown; i++) {
    for (let p = 0; p < DIGIT_PIXELS; p++) {
      const v = Math.round(images[i * DIGIT_PIXELS + p] * 255);
      digit.data.set([v, v, v, 255], p * 4);
    }
    scratchCtx.putImageData(digit, 0, 0);
    const x = (i % PER_ROW) * cell;
    const y = Math.floor(i / PER_ROW) * cell;
    const verdict = predictions === null ? null : predictions[i] === labels[i];
    ctx.fillStyle = verdict === null ? '#9aa3b5' : verdict ? RIGHT : WRONG;
    ctx.fillRect(x + 1, y + 1, cell - 2, cell - 2);
    ctx.drawImage(scratch, x + pad, y + pad, cell - 2 * pad, cell - 2 * pad);
    if (predictions !== null) {
      ctx.fillStyle = verdict ? '#b8f5c9' : '#ffd0d0';
      ctx.fillText(String(predictions[i]), x + pad + 2, y + pad + 1);
    }
  }
}
