import { ConfigError, type TrainConfig, parseLayerSizes, parseTrainConfig } from '../src/train/config';
import { DATASETS, EXTENT, makeDataset } from '../src/train/datasets';
import { Trainer } from '../src/train/trainer';

const FORM = { model: 'mlp', dataset: 'spiral', seed: '1', hidden: '32, 32', activation: 'relu', optimiser: 'adam', lr: '0.01' };
/** The form's settings, as the config the trainer tests below use. */
const SPIRAL: TrainConfig = {
  model: 'mlp',
  dataset: 'spiral',
  seed: 1,
  hidden: [32, 32],
  activation: 'relu',
  optimiser: 'adam',
  lr: 0.01,
};

describe('train settings', () => {
  it('reads the form into a config', () => {
    expect(parseTrainConfig(FORM)).toEqual(SPIRAL);
  });

  it('refuses a layer size of 0, naming the layer', () => {
    expect(() => parseLayerSizes('16, 0')).toThrow(ConfigError);
    expect(() => parseLayerSizes('16, 0')).toThrow("Hidden layer 2 has size '0': every layer size must be a whole number of at least 1");
  });

  it('refuses fractional and non-numeric layer sizes', () => {
    expect(() => parseLayerSizes('2.5')).toThrow(/Hidden layer 1 has size '2.5'/);
    expect(() => parseLayerSizes('8, x')).toThrow(/Hidden layer 2 has size 'x'/);
  });

  it('allows no hidden layer (a linear classifier)', () => {
    expect(parseLayerSizes('  ')).toEqual([]);
  });

  it.each(['0', '-1', 'fast', ''])('refuses the learning rate %p', (lr) => {
    expect(() => parseTrainConfig({ ...FORM, lr })).toThrow(/Learning rate .* must be a number greater than 0/);
  });

  it('refuses an unknown optimiser by name', () => {
    expect(() => parseTrainConfig({ ...FORM, optimiser: 'lbfgs' })).toThrow("Unknown optimiser 'lbfgs': choose one of adam, sgd.");
  });
});

describe('data sets', () => {
  it.each(DATASETS)('%s is reproducible from its seed, balanced, and inside the drawn square', (name) => {
    const a = makeDataset(name, 7);
    expect(makeDataset(name, 7)).toEqual(a);
    expect(makeDataset(name, 8).x).not.toEqual(a.x);
    const counts = new Array(a.classes).fill(0);
    a.y.forEach((k) => counts[k]++);
    for (const c of counts) expect(c).toBeGreaterThan(a.count / a.classes / 2);
    for (const v of a.x) expect(Math.abs(v)).toBeLessThan(EXTENT);
  });

  it('lays each spiral arm out at a growing radius, as in cs231n', () => {
    const { x, count } = makeDataset('spiral', 1);
    const radius = (i: number) => Math.hypot(x[2 * i], x[2 * i + 1]);
    expect(radius(0)).toBe(0);
    expect(radius(count / 3 - 1)).toBeCloseTo(1, 12);
  });
});

describe("Trainer (the worker's loop, with @tapegrad/nn)", () => {
  it('starts near chance: loss about ln 3 and accuracy far below 95% on the 3-class spiral', () => {
    const t = new Trainer(SPIRAL);
    expect(t.step()).toBeGreaterThan(0.8);
    expect(t.accuracy()).toBeLessThan(0.8);
  });

  it('separates the spiral past 95% within 300 full-batch Adam steps', () => {
    const t = new Trainer(SPIRAL);
    const first = t.step();
    let last = first;
    while (t.steps < 300) last = t.step();
    expect(last).toBeLessThan(first / 5);
    expect(t.accuracy()).toBeGreaterThan(0.95);
  });

  it('gives a probability per class at every grid cell', () => {
    const grid = new Trainer(SPIRAL).probabilityGrid(8);
    expect(grid).toHaveLength(8 * 8 * 3);
    for (let cell = 0; cell < 64; cell++) expect(grid[3 * cell] + grid[3 * cell + 1] + grid[3 * cell + 2]).toBeCloseTo(1, 5);
  });
});
