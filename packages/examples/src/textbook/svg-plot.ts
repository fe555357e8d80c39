/** A small hand-written SVG line chart: panels side by side, each with its own axes and one or more polylines. */

export interface Series {
  readonly label: string;
  readonly color: string;
  /** y values at x = 0, 1, 2, ... */
  readonly values: readonly number[];
}

export interface Panel {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
}

const W = 360;
const H = 260;
const M = { left: 56, right: 14, top: 30, bottom: 42 };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= v)!;
}

function panelSvg(panel: Panel, offsetX: number): string {
  const n = Math.max(...panel.series.map((s) => s.values.length)) - 1;
  const yMax = niceMax(Math.max(...panel.series.flatMap((s) => s.values)));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (i: number) => M.left + (n === 0 ? 0 : (i / n) * pw);
  const sy = (v: number) => M.top + ph - (v / yMax) * ph;
  const parts: string[] = [`<g transform="translate(${offsetX},0)">`];
  parts.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${esc(panel.title)}</text>`);
  parts.push(`<line x1="${M.left}" y1="${M.top + ph}" x2="${M.left + pw}" y2="${M.top + ph}" stroke="#333"/>`);
  parts.push(`<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + ph}" stroke="#333"/>`);
  for (let k = 0; k <= 4; k++) {
    const v = (yMax * k) / 4;
    const xv = Math.round((n * k) / 4);
    parts.push(`<text x="${M.left - 6}" y="${sy(v) + 4}" text-anchor="end" font-size="10">${+v.toPrecision(3)}</text>`);
    parts.push(`<line x1="${M.left}" y1="${sy(v)}" x2="${M.left + pw}" y2="${sy(v)}" stroke="#eee"/>`);
    parts.push(`<text x="${sx(xv)}" y="${M.top + ph + 14}" text-anchor="middle" font-size="10">${xv}</text>`);
  }
  parts.push(`<text x="${M.left + pw / 2}" y="${H - 8}" text-anchor="middle" font-size="11">${esc(panel.xLabel)}</text>`);
  parts.push(
    `<text x="14" y="${M.top + ph / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 14 ${M.top + ph / 2})">${esc(panel.yLabel)}</text>`,
  );
  panel.series.forEach((s, j) => {
    const points = s.values.map((v, i) => `${sx(i).toFixed(1)},${sy(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.8" points="${points}"/>`);
    parts.push(
      `<text x="${M.left + pw - 4}" y="${M.top + 14 + 14 * j}" text-anchor="end" font-size="11" fill="${s.color}">${esc(s.label)}</text>`,
    );
  });
  parts.push('</g>');
  return parts.join('\n');
}

/** The panels side by side as one SVG document. */
export function lineChart(panels: readonly Panel[]): string {
  const width = W * panels.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H}" viewBox="0 0 ${width} ${H}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="${width}" height="${H}" fill="white"/>`,
    ...panels.map((p, i) => panelSvg(p, i * W)),
    '</svg>',
    '',
  ].join('\n');
}
