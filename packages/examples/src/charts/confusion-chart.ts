/**
 * The confusion matrix as a heat map: rows are true digits (0 at the top), columns predictions, each cell labelled
 * with its count. Correct predictions (the diagonal) are blue; mistakes are red, darker the more there are, so the
 * confusions stand out whatever the diagonal's size.
 */
import { type ChartOption, LAYOUT, renderSvg } from './render.js';

const CELL = 38;
/** The plot starts lower than a line chart's: the prediction axis, its labels and its name sit above it. */
const TOP = LAYOUT.plotTop + 22;

/** counts[truth][predicted] as an SVG heat map with named axes. */
export function confusionChart(counts: readonly (readonly number[])[], title = 'Confusion matrix'): string {
  const n = counts.length;
  const total = counts.flat().reduce((a, b) => a + b, 0);
  const worst = Math.max(1, ...counts.flatMap((row, i) => row.filter((_, j) => j !== i)));
  const labels = counts.map((_, k) => String(k));
  // The colour is read from a fourth value: -1 on the diagonal (blue), else the count over the largest mistake
  // count, 0 (white) to 1 (red).
  const data = counts.flatMap((row, i) =>
    row.map((v, j) => ({
      value: [j, i, v, i === j ? -1 : v / worst],
      label: { color: i === j || v / worst > 0.6 ? '#ffffff' : '#222222' },
    })),
  );
  const width = LAYOUT.plotLeft + n * CELL + LAYOUT.plotRight;
  const height = TOP + n * CELL + 16;
  const option: ChartOption = {
    title: {
      text: `${title} (${total.toLocaleString('en-US')} digits)`,
      left: 'center',
      top: LAYOUT.titleTop,
      textStyle: { fontSize: 14 },
    },
    grid: { left: LAYOUT.plotLeft, top: TOP, width: n * CELL, height: n * CELL },
    xAxis: {
      type: 'category',
      data: labels,
      position: 'top',
      name: 'predicted digit',
      nameLocation: 'middle',
      nameGap: 26,
      splitArea: { show: false },
      axisTick: { show: false },
    },
    yAxis: {
      type: 'category',
      data: labels,
      inverse: true,
      name: 'true digit',
      nameLocation: 'middle',
      nameGap: 30,
      axisTick: { show: false },
    },
    visualMap: { show: false, dimension: 3, min: -1, max: 1, inRange: { color: ['#2c7bb6', '#ffffff', '#d7191c'] } },
    series: [
      {
        type: 'heatmap',
        data,
        label: { show: true, fontSize: 11, formatter: (p: { value: number[] }) => String(p.value[2]) },
        itemStyle: { borderColor: '#dddddd', borderWidth: 1 },
      },
    ],
  };
  return renderSvg(option, width, height);
}
