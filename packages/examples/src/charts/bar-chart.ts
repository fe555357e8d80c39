/**
 * Horizontal grouped bar charts: one group of bars per category, one bar per series, on a logarithmic value axis
 * when the values span orders of magnitude (the benchmark's speed ratios do). A reference line (e.g. 1 = "as fast
 * as tapegrad") is drawn across the plot so a reader sees at once which bars are past it.
 */
import { type ChartOption, LAYOUT, renderSvg } from './render.js';

export interface BarSeries {
  /** The name shown in the legend. */
  readonly label: string;
  /** One value per category, in the categories' order; `undefined` leaves that bar out. */
  readonly values: ReadonlyArray<number | undefined>;
}

export interface BarChartSpec {
  readonly title: string;
  /** The value axis's name. */
  readonly valueLabel: string;
  /** The groups, drawn top to bottom. */
  readonly categories: readonly string[];
  readonly series: readonly BarSeries[];
  /** A logarithmic value axis (default false). Every value must then be positive. */
  readonly logScale?: boolean;
  /** A vertical line at this value, labelled `referenceLabel`. */
  readonly reference?: number;
  readonly referenceLabel?: string;
  /** How a bar's value is written at its end (default: 3 significant digits). */
  readonly format?: (value: number) => string;
}

const WIDTH = 760;
const LEFT = 150;
const RIGHT = 60;
/** Pixels per bar: a group is as tall as its bars plus a gap. */
const BAR = 14;

/** The chart as one SVG document; its height grows with the number of bars. */
export function barChart(spec: BarChartSpec): string {
  const { categories, series } = spec;
  for (const s of series) {
    if (s.values.length !== categories.length) {
      throw new RangeError(`barChart: series '${s.label}' has ${s.values.length} values for ${categories.length} categories`);
    }
    if (spec.logScale && s.values.some((v) => v !== undefined && !(v > 0))) {
      throw new RangeError(`barChart: series '${s.label}' has a value that is not positive on a logarithmic axis`);
    }
  }
  const format = spec.format ?? ((v: number) => String(Number(v.toPrecision(3))));
  const plotHeight = categories.length * (series.length + 1) * BAR;
  const height = LAYOUT.plotTop + plotHeight + LAYOUT.plotBottom;
  const option: ChartOption = {
    title: {
      text: spec.title,
      left: WIDTH / 2,
      top: LAYOUT.titleTop,
      textAlign: 'center',
      textStyle: { fontSize: 14, fontWeight: 'bold' },
    },
    legend: { data: series.map((s) => s.label), left: LEFT, right: RIGHT, top: LAYOUT.legendTop, itemWidth: 18, itemHeight: 10 },
    grid: { left: LEFT, right: RIGHT, top: LAYOUT.plotTop, bottom: LAYOUT.plotBottom },
    xAxis: {
      type: spec.logScale ? 'log' : 'value',
      name: spec.valueLabel,
      nameLocation: 'middle',
      nameGap: 28,
      splitLine: { show: true, lineStyle: { color: '#e6e6e6' } },
    },
    // ECharts draws the first category at the bottom: reversed so the chart reads in the table's order.
    yAxis: { type: 'category', data: categories.slice(), inverse: true, axisLabel: { fontSize: 11 } },
    series: series.map((s, i) => ({
      type: 'bar',
      name: s.label,
      barWidth: BAR - 3,
      data: s.values.map((v) => (v === undefined ? null : v)),
      label: { show: true, position: 'right', fontSize: 9, formatter: (p: { value: unknown }) => format(Number(p.value)) },
      ...(i === 0 && spec.reference !== undefined
        ? {
            markLine: {
              symbol: 'none',
              silent: true,
              lineStyle: { color: '#333', type: 'dashed' },
              label: { formatter: spec.referenceLabel ?? String(spec.reference), position: 'end' },
              data: [{ xAxis: spec.reference }],
            },
          }
        : {}),
    })),
  };
  return renderSvg(option, WIDTH, height);
}
