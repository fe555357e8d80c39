/**
 * The one plotting path of the CLI: every chart is an Apache ECharts option rendered to an SVG string on the server
 * (ECharts' own server-side renderer: no DOM, no canvas, no native binary). This file holds what all charts share:
 * the renderer, the font, the colours, and the layout numbers that keep titles and legends outside the plots.
 */
import * as echarts from 'echarts';

type Option = Parameters<echarts.ECharts['setOption']>[0];

/** The font every chart uses. */
export const FONT = { fontFamily: 'Helvetica, Arial, sans-serif', fontSize: 12, color: '#333' };

/** Colours for series, in order (ColorBrewer's Set1, readable on white and apart for most colour-blind readers). */
export const PALETTE = ['#e41a1c', '#377eb8', '#4daf4a', '#984ea3', '#ff7f00', '#a65628', '#f781bf', '#999999'];

/** Pixels from a panel's top: the title's line, the legend's line, then the plot. */
export const LAYOUT = { titleTop: 8, legendTop: 30, plotTop: 62, plotBottom: 48, plotLeft: 64, plotRight: 28 } as const;

/** Renders an ECharts option as a standalone SVG document of `width` x `height` pixels on a white background. */
export function renderSvg(option: Option, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, backgroundColor: '#ffffff', textStyle: FONT, color: PALETTE, ...option });
    return chart.renderToSVGString() + '\n';
  } finally {
    chart.dispose();
  }
}

export type { Option as ChartOption };
