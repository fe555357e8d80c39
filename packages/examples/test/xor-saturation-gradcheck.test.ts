import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as runGradcheck } from '../src/commands/gradcheck';
import { run as runSaturation, measure } from '../src/commands/saturation';
import { run as runXor } from '../src/commands/xor';
import { XOR_TARGETS, trainXor } from '../src/textbook/xor';
import { UsageError } from '../src/args';
import { LAYOUT } from '../src/charts/render';
import { linesOf, parseSvg } from './svg';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe('xor (seed 004)', () => {
  it('learns the XOR truth table 0, 1, 1, 0 with confident probabilities', () => {
    const r = trainXor();
    expect(r.predictions).toEqual([...XOR_TARGETS]);
    r.probabilities.forEach((p, n) => expect(XOR_TARGETS[n] === 1 ? p > 0.95 : p < 0.05).toBe(true));
    expect(r.finalLoss).toBeLessThan(r.firstLoss / 10);
  });

  it('learns it from other starting points too', () => {
    for (const seed of [2, 3]) expect(trainXor({ seed }).predictions).toEqual([...XOR_TARGETS]);
  });

  it('prints the truth table, with no row marked wrong', () => {
    const lines: string[] = [];
    runXor([], (l) => lines.push(l));
    expect(lines.filter((l) => /^ {2}[01] {3}[01] \|/.test(l))).toHaveLength(4);
    expect(lines.some((l) => l.includes('wrong'))).toBe(false);
    expect(() => runXor(['--lr', '-1'], () => undefined)).toThrow(UsageError);
  });
});

describe('saturation (seed 003)', () => {
  const r = measure(0.1);

  it('starts from the closed-form gradients: quadratic a^2 (1 - a), cross-entropy a, with a = sigmoid(4)', () => {
    const a = sigmoid(4);
    expect(r.quadratic.firstGradient).toBeCloseTo(a * a * (1 - a), 14);
    expect(r.crossEntropy.firstGradient).toBeCloseTo(a, 14);
    expect(r.quadratic.costs[0]).toBeCloseTo((a * a) / 2, 14);
    expect(r.crossEntropy.costs[0]).toBeCloseTo(-Math.log(1 - a), 14);
  });

  it('cross-entropy reaches the target in several times fewer epochs', () => {
    expect(r.crossEntropyEpochs).not.toBeNull();
    expect(r.quadraticEpochs).not.toBeNull();
    expect(r.crossEntropyEpochs! * 5).toBeLessThan(r.quadraticEpochs!);
  });

  it('shows the quadratic run stuck for the first 150 epochs while cross-entropy is already below 0.1', () => {
    expect(r.quadratic.outputs[150]).toBeGreaterThan(0.9);
    expect(r.crossEntropy.outputs[150]).toBeLessThan(0.1);
  });

  it('writes an SVG plot with both curves and says how much faster cross-entropy is', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tapegrad-')), 'sub', 'saturation.svg');
    const lines: string[] = [];
    runSaturation(['--out', out], (l) => lines.push(l));
    const svg = readFileSync(out, 'utf8');
    const plot = parseSvg(svg);
    // two lines per cost function (its cost, and its output a in the third panel), in the quadratic's red and
    // the cross-entropy's blue
    expect(linesOf(plot, '#c0392b', LAYOUT.plotTop)).toHaveLength(2);
    expect(linesOf(plot, '#2471a3', LAYOUT.plotTop)).toHaveLength(2);
    expect(plot.texts.map((t) => t.text)).toEqual(
      expect.arrayContaining([
        'Quadratic cost',
        'Cross-entropy cost',
        'Output a (target 0)',
        'epoch',
        'cost',
        'quadratic',
        'cross-entropy',
      ]),
    );
    expect(lines.find((l) => l.startsWith('cross-entropy gets there'))).toMatch(/^cross-entropy gets there \d+\.\dx faster/);
  });
});

describe('gradcheck command', () => {
  it('passes on the MLP and every layer, and fails visibly with a broken rule', () => {
    const ok: string[] = [];
    runGradcheck([], (l) => ok.push(...l.split('\n')));
    expect(ok.filter((l) => l.includes('FAIL'))).toEqual([]);
    expect(ok.filter((l) => l.includes('passed'))).toHaveLength(7);
    const broken: string[] = [];
    runGradcheck(['--broken'], (l) => broken.push(...l.split('\n')));
    expect(broken[1]).toMatch(/^gradcheck: FAILED/);
  });
});
