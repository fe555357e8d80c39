/**
 * The train view's canvas: the model's class probabilities as a tinted background (the decision boundary
 * is where the tint changes) and the training points on top, coloured by label.
 */
import { EXTENT } from './datasets.js';

const CLASS_COLOURS: ReadonlyArray<readonly [number, number, number]> = [
  [78, 121, 167],
  [242, 142, 43],
  [89, 161, 79],
];

const css = ([r, g, b]: readonly [number, number, number]) => `rgb(${r}, ${g}, ${b})`;

export interface Points {
  readonly x: Float64Array;
  readonly y: Int32Array;
}

/** Draws the points on a blank background (before the first report from the worker). */
export function drawPoints(canvas: HTMLCanvasElement, points: Points): void {
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#f8f9fb';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  paintPoints(canvas, points);
}

function paintPoints(canvas: HTMLCanvasElement, points: Points): void {
  const ctx = canvas.getContext('2d')!;
  const scale = canvas.width / (2 * EXTENT);
  for (let i = 0; i < points.y.length; i++) {
    const px = (points.x[2 * i] + EXTENT) * scale;
    const py = (EXTENT - points.x[2 * i + 1]) * scale;
    ctx.beginPath();
    ctx.arc(px, py, 4, 0, 2 * Math.PI);
    ctx.fillStyle = css(CLASS_COLOURS[points.y[i] % CLASS_COLOURS.length]);
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = '#1d2433';
    ctx.stroke();
  }
}

/**
 * Tints each grid cell by the class probabilities there (a pale blend of the class colours), then draws
 * the points over it.
 */
export function drawBoundary(canvas: HTMLCanvasElement, grid: Float32Array, resolution: number, classes: number, points: Points): void {
  const image = new ImageData(resolution, resolution);
  for (let cell = 0; cell < resolution * resolution; cell++) {
    let r = 0,
      g = 0,
      b = 0;
    for (let k = 0; k < classes; k++) {
      const p = grid[cell * classes + k];
      const [cr, cg, cb] = CLASS_COLOURS[k % CLASS_COLOURS.length];
      r += p * cr;
      g += p * cg;
      b += p * cb;
    }
    // Blend towards white so the points stay readable on top.
    image.data.set([r * 0.45 + 140, g * 0.45 + 140, b * 0.45 + 140, 255], cell * 4);
  }
  const cells = document.createElement('canvas');
  cells.width = cells.height = resolution;
  cells.getContext('2d')!.putImageData(image, 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(cells, 0, 0, canvas.width, canvas.height);
  paintPoints(canvas, points);
}
