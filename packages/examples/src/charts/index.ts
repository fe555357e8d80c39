/**
 * `@tapegrad/examples/charts`: the CLI's one plotting path (Apache ECharts rendered to SVG on the server), for the
 * workspace's other packages; the benchmark harness draws its results with `barChart`.
 */
export { type BarChartSpec, type BarSeries, barChart } from './bar-chart.js';
export { type Panel, type Series, lineChart } from './line-chart.js';
