/**
 * What the main job writes next to its checkpoint: the loss and accuracy curves (SVG), the confusion matrix
 * (text and SVG), and a grid of misclassified test digits (PNG, plus an SVG that labels each one).
 */
import { IMAGE_SIZE, PIXELS } from './data.js';
import { encodeGreyPng } from './png.js';
import type { EpochRecord } from './train.js';

const FONT = 'font-family="sans-serif" font-size="12"';

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

/** One panel of a line chart: series of (x, y) points over shared x ticks. */
function panel(
  title: string,
  x0: number,
  series: Array<{ name: string; colour: string; values: number[] }>,
  yLabel: (v: number) => string,
): string {
  const w = 360;
  const h = 240;
  const left = x0 + 50;
  const top = 30;
  const plotW = w - 70;
  const plotH = h - 70;
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (!(hi > lo)) [lo, hi] = [lo - 0.5, hi + 0.5];
  const n = Math.max(...series.map((s) => s.values.length));
  const px = (i: number) => left + (n <= 1 ? plotW / 2 : (i / (n - 1)) * plotW);
  const py = (v: number) => top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const parts = [`<text x="${left}" y="18" ${FONT} font-weight="bold">${escape(title)}</text>`];
  parts.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    parts.push(`<text x="${left - 6}" y="${py(v) + 4}" ${FONT} text-anchor="end">${yLabel(v)}</text>`);
  }
  parts.push(`<text x="${left + plotW / 2}" y="${top + plotH + 30}" ${FONT} text-anchor="middle">epoch (1..${n})</text>`);
  series.forEach((s, j) => {
    const pts = s.values.map((v, i) => `${px(i).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="${s.colour}" stroke-width="2"/>`);
    parts.push(`<text x="${left + 8}" y="${top + 16 + 14 * j}" ${FONT} fill="${s.colour}">${escape(s.name)}</text>`);
  });
  return parts.join('\n');
}

/** Training loss, and train/test accuracy, per epoch. */
export function curvesSvg(history: readonly EpochRecord[]): string {
  const loss = panel(
    'training loss (softmax cross-entropy)',
    0,
    [{ name: 'train loss', colour: '#c0392b', values: history.map((r) => r.loss) }],
    (v) => v.toFixed(3),
  );
  const acc = panel(
    'accuracy',
    380,
    [
      { name: 'train (running)', colour: '#2980b9', values: history.map((r) => r.trainAccuracy * 100) },
      { name: 'test', colour: '#27ae60', values: history.map((r) => r.testAccuracy * 100) },
    ],
    (v) => `${v.toFixed(1)}%`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="740" height="250" viewBox="0 0 740 250">\n<rect width="740" height="250" fill="white"/>\n${loss}\n${acc}\n</svg>\n`;
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
  const cell = 36;
  const off = 40;
  const size = off + cell * m.length + 10;
  const max = Math.max(1, ...m.flatMap((row, i) => row.filter((_, j) => j !== i)));
  const parts = [
    `<rect width="${size}" height="${size + 20}" fill="white"/>`,
    `<text x="${off}" y="14" ${FONT}>predicted -&gt; (rows: true digit)</text>`,
  ];
  m.forEach((row, i) =>
    row.forEach((v, j) => {
      const shade = i === j ? '#2e86c1' : `rgba(192, 57, 43, ${Math.min(1, v / max).toFixed(3)})`;
      const x = off + j * cell;
      const y = off + i * cell;
      parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${v === 0 && i !== j ? 'white' : shade}" stroke="#ddd"/>`);
      parts.push(
        `<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" ${FONT} text-anchor="middle" fill="${i === j ? 'white' : 'black'}">${v}</text>`,
      );
    }),
  );
  m.forEach((_, k) => {
    parts.push(`<text x="${off + k * cell + cell / 2}" y="${off - 6}" ${FONT} text-anchor="middle">${k}</text>`);
    parts.push(`<text x="${off - 10}" y="${off + k * cell + cell / 2 + 4}" ${FONT} text-anchor="end">${k}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size + 20}">\n${parts.join('\n')}\n</svg>\n`;
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

/** A grid of digits (white on black, 2x scale, 4-pixel gutters) as a PNG, and an SVG that labels each cell. */
export function digitGrid(images: Float32Array, items: readonly Misclassified[], columns = 10): { png: Buffer; svg: string } {
  const scale = 2;
  const cellPx = IMAGE_SIZE * scale + 4;
  const cols = Math.max(1, Math.min(columns, items.length));
  const rows = Math.max(1, Math.ceil(items.length / cols));
  const width = cols * cellPx;
  const height = rows * cellPx;
  const pixels = new Uint8Array(width * height).fill(40);
  items.forEach((item, k) => {
    const ox = (k % cols) * cellPx + 2;
    const oy = Math.floor(k / cols) * cellPx + 2;
    for (let y = 0; y < IMAGE_SIZE * scale; y++) {
      for (let x = 0; x < IMAGE_SIZE * scale; x++) {
        const v = images[item.index * PIXELS + Math.floor(y / scale) * IMAGE_SIZE + Math.floor(x / scale)];
        pixels[(oy + y) * width + ox + x] = Math.round(Math.max(0, Math.min(1, v)) * 255);
      }
    }
  });
  const png = encodeGreyPng(pixels, width, height);
  const labelH = 16;
  const labels = items.map((item, k) => {
    const x = (k % cols) * cellPx + cellPx / 2;
    const y = Math.floor(k / cols) * (cellPx + labelH) + cellPx + 12;
    return `<text x="${x}" y="${y}" ${FONT} text-anchor="middle">${item.truth} as ${item.predicted}</text>`;
  });
  const tiles = items.map((_, k) => {
    const c = k % cols;
    const r = Math.floor(k / cols);
    // Each tile shows its slice of the PNG through a nested svg viewBox.
    return `<svg x="${c * cellPx}" y="${r * (cellPx + labelH)}" width="${cellPx}" height="${cellPx}" viewBox="${c * cellPx} ${r * cellPx} ${cellPx} ${cellPx}"><use href="#grid"/></svg>`;
  });
  const svgH = rows * (cellPx + labelH);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${svgH}">\n<rect width="${width}" height="${svgH}" fill="white"/>\n` +
    `<defs><image id="grid" width="${width}" height="${height}" href="data:image/png;base64,${png.toString('base64')}"/></defs>\n` +
    `${tiles.join('\n')}\n${labels.join('\n')}\n</svg>\n`;
  return { png, svg };
}
