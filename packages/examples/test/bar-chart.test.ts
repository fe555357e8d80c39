/** The benchmark's bar chart, read back from its SVG: categories in order, bars proportional on the log axis. */
import { barChart } from '../src/charts/bar-chart';
import { parseSvg } from './svg';

describe('barChart', () => {
  const spec = {
    title: 'speed',
    valueLabel: 'ratio',
    categories: ['W1', 'W2', 'W3'],
    series: [
      { label: 'tfjs', values: [10, 1, 100] },
      { label: 'torch', values: [0.5, undefined, 2] },
    ],
    logScale: true,
    reference: 1,
    referenceLabel: 'as fast',
    format: (v: number) => `${v}x`,
  };
  const svg = parseSvg(barChart(spec));
  const texts = svg.texts.map((t) => t.text);
  const at = (text: string) => svg.texts.find((t) => t.text === text)!;

  test('writes the title, the axis name, the legend, the reference and every bar value but the missing one', () => {
    expect(texts).toEqual(expect.arrayContaining(['speed', 'ratio', 'tfjs', 'torch', 'as fast', 'W1', 'W2', 'W3']));
    expect(texts).toEqual(expect.arrayContaining(['10x', '1x', '100x', '0.5x', '2x']));
    expect(texts.filter((t) => /x$/.test(t))).toHaveLength(5);
  });

  test('reads top to bottom in the categories order', () => {
    expect(at('W1').y).toBeLessThan(at('W2').y);
    expect(at('W2').y).toBeLessThan(at('W3').y);
  });

  test('places bar ends by the logarithm of their values', () => {
    // On a log axis 1 -> 10 and 10 -> 100 are the same distance: the value labels sit just past the bars' ends.
    const [x1, x10, x100] = ['1x', '10x', '100x'].map((t) => at(t).x);
    expect(Math.abs(x10 - x1 - (x100 - x10))).toBeLessThan(3);
    expect(x10).toBeGreaterThan(x1);
  });

  test('refuses series of the wrong length and non-positive values on a log axis, naming the series', () => {
    expect(() => barChart({ ...spec, series: [{ label: 'short', values: [1] }] })).toThrow(/'short' has 1 values for 3 categories/);
    expect(() => barChart({ ...spec, series: [{ label: 'zero', values: [1, 0, 1] }] })).toThrow(/'zero'.*not positive/);
  });
});
