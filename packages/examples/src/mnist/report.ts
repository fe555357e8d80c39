/**
 * What the main job writes next to its checkpoint: the loss and accuracy curves (SVG), the confusion matrix
 * (text and SVG), and a grid of misclassified test digits (PNG, plus an SVG that labels each one).
 */
import { confusionChart } from '../charts/confusion-chart.js';
import { imageGrid } from '../charts/digit-grid-chart.js';
import { lineChart } from '../charts/line-chart.js';
import { PALETTE } from '../charts/render.js';
import { IMAGE_SIZE, PIXELS } from './data.js';
import { encodeGreyPng } from './png.js';
import type { EpochRecord } from './train.js';

/** Training loss, and train/test accuracy, per epoch. */
export function curvesSvg(history: readonly EpochRecord[]): string {
  return lineChart([
    {
      title: 'Training loss (softmax cross-entropy)',
      xLabel: 'epoch',
      yLabel: 'loss',
      xStart: 1,
      series: [{ label: 'train loss', color: PALETTE[0], values: history.map((r) => r.loss) }],
    },
    {
      title: 'Accuracy',
      xLabel: 'epoch',
      yLabel: 'accuracy',
      xStart: 1,
      yFormat: (v) => `${v}%`,
      series: [
        { label: 'train (running, with dropout)', color: PALETTE[1], values: history.map((r) => 100 * r.trainAccuracy) },
        { label: 'test', color: PALETTE[2], values: history.map((r) => 100 * r.testAccuracy) },
      ],
    },
  ]);
}

/** counts[truth][predicted]. */
export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes = 10): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]][predicted[i]]++;
  return m;
}

/** The matrix as an aligned table: rows are true digits, columns predictions, with per-class recall. */
export function confusionText(m: number[][]): string {
  const w = Math.max(4, ...m.flat().map((v) => String(v).length + 1));
  const head = 'true\\pred'.padEnd(10) + m.map((_, j) => String(j).padStart(w)).join('') + '  recall';
  const rows = m.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    const recall = total === 0 ? '-' : `${((100 * row[i]) / total).toFixed(1)}%`;
    return String(i).padEnd(10) + row.map((v) => String(v).padStart(w)).join('') + recall.padStart(8);
  });
  return [head, ...rows].join('\n') + '\n';
}

/** The matrix as a heat map. */
export function confusionSvg(m: number[][]): string {
  return confusionChart(m, 'Confusion matrix of the test digits');
}

export interface Misclassified {
  readonly index: number;
  readonly truth: number;
  readonly predicted: number;
}

/** The first `limit` test digits whose prediction is wrong. */
export function misclassified(truth: ArrayLike<number>, predicted: ArrayLike<number>, limit = 40): Misclassified[] {
  const out: Misclassified[] = [];
  for (let i = 0; i < truth.length && out.length < limit; i++)
    if (truth[i] !== predicted[i]) out.push({ index: i, truth: truth[i], predicted: predicted[i] });
  return out;
}

/** One digit, white on black, scaled `scale` times: a square of grey levels, row by row. */
function digitPixels(images: Float32Array, index: number, scale: number): Uint8Array {
  const side = IMAGE_SIZE * scale;
  const pixels = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const v = images[index * PIXELS + Math.floor(y / scale) * IMAGE_SIZE + Math.floor(x / scale)];
      pixels[y * side + x] = Math.round(Math.max(0, Math.min(1, v)) * 255);
    }
  }
  return pixels;
}

/**
 * The misclassified digits as a PNG grid (2x scale, 4-pixel gutters, row by row) and as an SVG in which each digit
 * is captioned "true → predicted".
 */
export function digitGrid(images: Float32Array, items: readonly Misclassified[], columns = 10): { png: Buffer; svg: string } {
  const scale = 2;
  const side = IMAGE_SIZE * scale;
  const cellPx = side + 4;
  const cols = Math.max(1, Math.min(columns, items.length));
  const rows = Math.max(1, Math.ceil(items.length / cols));
  const width = cols * cellPx;
  const grid = new Uint8Array(width * rows * cellPx).fill(40);
  const tiles = items.map((item) => digitPixels(images, item.index, scale));
  tiles.forEach((tile, k) => {
    const ox = (k % cols) * cellPx + 2;
    const oy = Math.floor(k / cols) * cellPx + 2;
    for (let y = 0; y < side; y++) grid.set(tile.subarray(y * side, (y + 1) * side), (oy + y) * width + ox);
  });
  const svg = imageGrid(
    `Misclassified test digits: true digit → predicted (${items.length} shown)`,
    items.map((item, k) => ({
      href: `data:image/png;base64,${encodeGreyPng(tiles[k], side, side).toString('base64')}`,
      caption: `${item.truth} → ${item.predicted}`,
    })),
    columns,
  );
  return { png: encodeGreyPng(grid, width, rows * cellPx), svg };
}
