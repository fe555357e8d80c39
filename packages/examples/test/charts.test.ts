/** The CLI's charts, read back from their SVG: what a person sees (titles, named axes, tick labels, legends, lines). */
import { confusionChart } from '../src/charts/confusion-chart';
import { imageGrid } from '../src/charts/digit-grid-chart';
import { PANEL, lineChart } from '../src/charts/line-chart';
import { LAYOUT, PALETTE } from '../src/charts/render';
import { curvesSvg, digitGrid } from '../src/mnist/report';
import { linesOf, parseSvg } from './svg';

const RED = PALETTE[0];
const BLUE = PALETTE[1];

describe('lineChart', () => {
  const loss = Array.from({ length: 40 }, (_, i) => 2.3 * Math.exp(-i / 6) + 0.05);
  const svg = parseSvg(
    lineChart([
      { title: 'Loss', xLabel: 'epoch', yLabel: 'cross-entropy', xStart: 1, series: [{ label: 'train', color: RED, values: loss }] },
      {
        title: 'Accuracy',
        xLabel: 'epoch',
        yLabel: 'accuracy',
        xStart: 1,
        yFormat: (v) => `${v}%`,
        series: [
          { label: 'train', color: RED, values: loss.map((l) => 100 - 20 * l) },
          { label: 'test', color: BLUE, values: loss.map((l) => 98 - 20 * l) },
        ],
      },
    ]),
  );
  const texts = svg.texts.map((t) => t.text);

  test('is two panels wide, with each title, axis name and legend entry written out', () => {
    expect([svg.width, svg.height]).toEqual([2 * PANEL.width, PANEL.height]);
    expect(texts).toEqual(expect.arrayContaining(['Loss', 'Accuracy', 'epoch', 'cross-entropy', 'accuracy', 'train', 'test']));
    expect(texts.filter((t) => t === 'epoch')).toHaveLength(2);
  });

  test('tick labels are round numbers, the accuracy ones in percent, the epochs counted from 1', () => {
    const numeric = texts.filter((t) => /^[-\d.]+%?$/.test(t));
    expect(numeric.length).toBeGreaterThan(12);
    for (const t of numeric) expect(t).toMatch(/^-?\d+(\.\d{1,2})?%?$/);
    expect(numeric.filter((t) => t.endsWith('%')).length).toBeGreaterThanOrEqual(3);
    expect(numeric).toContain('1');
    expect(numeric).toContain('40');
    expect(numeric.filter((t) => t === '1')).toHaveLength(3); // both epoch axes start at 1 (and the loss axis has a 1)
  });

  test('draws one line per series, with every point, inside its panel', () => {
    const red = linesOf(svg, RED, LAYOUT.plotTop);
    const blue = linesOf(svg, BLUE, LAYOUT.plotTop);
    expect(red).toHaveLength(2);
    expect(blue).toHaveLength(1);
    for (const line of [...red, ...blue]) expect(line).toHaveLength(40);
    const [lossLine] = red.filter((l) => l[0][0] < PANEL.width);
    // The loss falls, so the line goes down the page: y grows from the first point to the last.
    expect(lossLine[39][1]).toBeGreaterThan(lossLine[0][1]);
    expect(red.find((l) => l[0][0] >= PANEL.width)).toBeDefined();
  });

  test('legends sit between the title and the plot, never over the data', () => {
    const legend = svg.texts.filter((t) => t.text === 'train' || t.text === 'test');
    expect(legend).toHaveLength(3);
    for (const t of legend) {
      expect(t.y).toBeGreaterThan(LAYOUT.titleTop + 10);
      expect(t.y).toBeLessThan(LAYOUT.plotTop);
    }
  });
});

test('curvesSvg plots the loss and both accuracies per epoch', () => {
  const svg = parseSvg(
    curvesSvg([
      { epoch: 1, loss: 1, trainAccuracy: 0.5, testAccuracy: 0.6, seconds: 1, lr: 1e-3 },
      { epoch: 2, loss: 0.5, trainAccuracy: 0.8, testAccuracy: 0.85, seconds: 1, lr: 5e-4 },
      { epoch: 3, loss: 0.25, trainAccuracy: 0.9, testAccuracy: 0.88, seconds: 1, lr: 1e-4 },
    ]),
  );
  const lines = PALETTE.slice(0, 3).map((c) => linesOf(svg, c, LAYOUT.plotTop));
  expect(lines.map((l) => l.length)).toEqual([1, 1, 1]);
  expect(lines.every(([l]) => l.length === 3)).toBe(true);
  expect(svg.texts.map((t) => t.text)).toEqual(
    expect.arrayContaining([
      'Training loss (softmax cross-entropy)',
      'Accuracy',
      'train loss',
      'test',
      'train (running, with dropout)',
      'epoch',
      'loss',
    ]),
  );
});

describe('confusionChart', () => {
  const counts = [
    [50, 2, 0],
    [1, 40, 7],
    [0, 0, 33],
  ];
  const svg = parseSvg(confusionChart(counts, 'Confusion'));
  const texts = svg.texts.map((t) => t.text);

  test('labels every cell with its count, and both axes with their meaning', () => {
    expect(texts).toEqual(expect.arrayContaining(['Confusion (133 digits)', 'predicted digit', 'true digit']));
    const cells = counts.flat().map(String);
    const shown = texts.filter((t) => /^\d+$/.test(t));
    // each count once as a cell label, plus the digit names 0, 1, 2 on each axis
    for (const c of new Set(cells))
      expect(shown.filter((t) => t === c).length).toBe(cells.filter((x) => x === c).length + (Number(c) < 3 ? 2 : 0));
  });

  test('puts true digit 0 at the top and prediction 0 at the left', () => {
    const at = (label: string) => svg.texts.filter((t) => t.text === label);
    const fifty = at('50')[0];
    const thirtyThree = at('33')[0];
    expect(fifty.y).toBeLessThan(thirtyThree.y);
    expect(fifty.x).toBeLessThan(thirtyThree.x);
  });
});

test('the misclassified digits: one image per digit, each captioned true → predicted', () => {
  const images = new Float32Array(3 * 784).fill(0.5);
  const { svg } = digitGrid(images, [
    { index: 0, truth: 3, predicted: 5 },
    { index: 1, truth: 1, predicted: 7 },
    { index: 2, truth: 9, predicted: 4 },
  ]);
  const parsed = parseSvg(svg);
  expect(parsed.images).toBe(3);
  const texts = parsed.texts.map((t) => t.text);
  expect(texts).toEqual(expect.arrayContaining(['3 → 5', '1 → 7', '9 → 4']));
  expect(texts.some((t) => t.startsWith('Misclassified test digits: true digit → predicted'))).toBe(true);
  expect(svg).toContain('href="data:image/png;base64,iVBORw0KGgo');
});

test('imageGrid wraps into rows of the given width', () => {
  const png = 'data:image/png;base64,iVBORw0KGgo=';
  const svg = parseSvg(
    imageGrid(
      't',
      Array.from({ length: 7 }, (_, k) => ({ href: png, caption: `c${k}` })),
      3,
    ),
  );
  const captions = svg.texts.filter((t) => /^c\d$/.test(t.text));
  expect(new Set(captions.map((t) => t.y)).size).toBe(3);
  expect(new Set(captions.map((t) => t.x)).size).toBe(3);
});
