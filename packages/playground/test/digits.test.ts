// The train view's digits and its CNN: the packed digits are the `mnist` package's (to within the 8-bit rounding),
// the split is balanced, the CNN (and an MLP) learn the 400 training digits well above chance on the 200 held out,
// and the settings refuse a CNN on 2-D points.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError, type TrainConfig, parseTrainConfig } from '../src/train/config';
import { DigitTrainer, describeDigitModel } from '../src/train/digit-trainer';
import { DIGIT_PIXELS, type Digits, packDigits, unpackDigits } from '../src/train/digits';

const folder = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
const raw = Array.from({ length: 10 }, (_, c) => (JSON.parse(readFileSync(join(folder, `${c}.json`), 'utf8')) as { data: number[] }).data);
let digits: Digits;
beforeAll(() => {
  digits = unpackDigits(packDigits(raw, 40, 20));
});

describe('the packed digits', () => {
  it("are the mnist package's first digits of each class, classes interleaved, to within 8-bit rounding", () => {
    expect([digits.train.count, digits.test.count]).toEqual([400, 200]);
    // Training digit 13 is class 3's second; held-out digit 27 is class 7's third overall after its 40 training ones.
    const check = (images: Float32Array, row: number, c: number, index: number) => {
      const mine = images.subarray(row * DIGIT_PIXELS, (row + 1) * DIGIT_PIXELS);
      const theirs = raw[c].slice(index * DIGIT_PIXELS, (index + 1) * DIGIT_PIXELS);
      expect(Math.max(...theirs.map((v, i) => Math.abs(v - mine[i])))).toBeLessThanOrEqual(0.5 / 255 + 1e-7);
      expect(theirs.some((v) => v > 0.5)).toBe(true);
    };
    check(digits.train.images, 13, 3, 1);
    check(digits.test.images, 27, 7, 42);
    expect([digits.train.labels[13], digits.test.labels[27]]).toEqual([3, 7]);
    const counts = new Array(10).fill(0);
    digits.test.labels.forEach((c) => counts[c]++);
    expect(counts).toEqual(new Array(10).fill(20));
  });

  it('refuses a class with too few digits', () => {
    expect(() => packDigits([...raw.slice(0, 9), raw[9].slice(0, 5 * DIGIT_PIXELS)], 40, 20)).toThrow(
      /class 9 has 5 digits, fewer than 60/,
    );
  });
});

describe('the digits settings', () => {
  const form = { model: 'cnn', dataset: 'digits', seed: '1', hidden: 'ignored', activation: 'relu', optimiser: 'adam', lr: '0.003' };
  it('take the CNN on the digits, its hidden sizes unread', () => {
    expect(parseTrainConfig(form)).toEqual({ ...form, seed: 1, hidden: [], lr: 0.003 });
  });
  it('refuse the CNN on 2-D points, saying why', () => {
    expect(() => parseTrainConfig({ ...form, dataset: 'moons' })).toThrow(ConfigError);
    expect(() => parseTrainConfig({ ...form, dataset: 'moons' })).toThrow('The CNN reads 28×28 images: choose the digits data set');
  });
});

describe('DigitTrainer (the worker loop on the digits)', () => {
  const cnn: TrainConfig = { model: 'cnn', dataset: 'digits', seed: 1, hidden: [], activation: 'relu', optimiser: 'adam', lr: 0.003 };

  it('starts at chance, then the CNN classifies the held-out digits far above it within 120 steps of 50', () => {
    const t = new DigitTrainer(cnn, digits);
    expect(describeDigitModel(cnn)).toBe('CNN conv5x5(8)-ReLU-pool-conv5x5(16)-ReLU-pool-FC10');
    expect(t.accuracy()).toBeLessThan(0.3);
    const first = t.step();
    expect(first).toBeGreaterThan(1.8); // about ln 10 = 2.3
    let last = first;
    while (t.steps < 120) last = t.step();
    expect(last).toBeLessThan(first / 4);
    expect(t.accuracy()).toBeGreaterThan(0.7); // 83.5% after 160 steps; chance is 10%
  }, 180_000); // about 10 s of CPU

  it('trains an MLP on the flat pixels too', () => {
    const mlp: TrainConfig = { ...cnn, model: 'mlp', hidden: [64], lr: 0.003 };
    const t = new DigitTrainer(mlp, digits);
    expect(describeDigitModel(mlp)).toBe('MLP 784 → 64 → 10, relu');
    while (t.steps < 80) t.step();
    expect(t.accuracy()).toBeGreaterThan(0.7);
  }, 60_000);
});
