/**
 * Line charts: panels side by side, each with its title, its legend on a line of its own between the title and the
 * plot (never over the data), named axes and ECharts' rounded ticks. The training curves and the saturation plot
 * are these.
 */
import { type ChartOption, LAYOUT, PALETTE, renderSvg } from './render.js';

export interface Series {
  /** The name shown in the legend. */
  readonly label: string;
  /** The line's colour (default: the palette, in order). */
  readonly color?: string;
  /** y values, at x = xStart, xStart + 1, ... */
  readonly values: readonly number[];
}

export interface Panel {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** The x of the first value (default 0; 1 for epochs counted from 1). */
  readonly xStart?: number;
  /** Tick labels on the y axis, e.g. (v) => `${v}%` (default: the number as ECharts rounds it). */
  readonly yFormat?: (value: number) => string;
  /** Start the y axis at 0 rather than near the data's minimum (default false). */
  readonly yFromZero?: boolean;
}

/** Width and height of one panel in pixels. */
export const PANEL = { width: 400, height: 300 } as const;

/** The panels side by side as one SVG document. */
export function lineChart(panels: readonly Panel[]): string {
  const option: ChartOption = {
    title: panels.map((p, i) => ({
      text: p.title,
      left: i * PANEL.width + PANEL.width / 2,
      top: LAYOUT.titleTop,
      textAlign: 'center',
      textStyle: { fontSize: 14, fontWeight: 'bold' },
    })),
    legend: panels.map((p, i) => ({
      data: p.series.map((s) => s.label),
      left: i * PANEL.width + LAYOUT.plotLeft,
      top: LAYOUT.legendTop,
      itemWidth: 18,
      itemHeight: 10,
    })),
    grid: panels.map((_, i) => ({
      left: i * PANEL.width + LAYOUT.plotLeft,
      width: PANEL.width - LAYOUT.plotLeft - LAYOUT.plotRight,
      top: LAYOUT.plotTop,
      bottom: LAYOUT.plotBottom,
    })),
    xAxis: panels.map((p, i) => ({
      type: 'value',
      gridIndex: i,
      name: p.xLabel,
      nameLocation: 'middle',
      nameGap: 28,
      min: p.xStart ?? 0,
      max: (p.xStart ?? 0) + Math.max(1, ...p.series.map((s) => s.values.length - 1)),
      minInterval: 1,
      splitLine: { show: false },
    })),
    yAxis: panels.map((p, i) => ({
      type: 'value',
      gridIndex: i,
      name: p.yLabel,
      nameLocation: 'middle',
      nameGap: 48,
      scale: !p.yFromZero,
      axisLabel: p.yFormat ? { formatter: (v: number) => p.yFormat!(v) } : {},
    })),
    series: panels.flatMap((p, i) =>
      p.series.map((s, k) => ({
        type: 'line',
        name: s.label,
        xAxisIndex: i,
        yAxisIndex: i,
        showSymbol: s.values.length <= 30,
        symbolSize: 5,
        lineStyle: { width: 2 },
        color: s.color ?? PALETTE[k % PALETTE.length],
        data: s.values.map((v, j) => [(p.xStart ?? 0) + j, v]),
      })),
    ),
  };
  return renderSvg(option, PANEL.width * panels.length, PANEL.height);
}
