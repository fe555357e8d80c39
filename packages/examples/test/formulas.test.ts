import { run } from '../src/commands/formulas';
import { HIDDEN, OUTPUT, checkFormulas } from '../src/textbook/formulas';
import { UsageError } from '../src/args';

describe('formulas (seed 000)', () => {
  for (const hidden of HIDDEN) {
    for (const output of OUTPUT) {
      it(`the tape's dLn/dV and dLn/dW equal boxed (18) and (30) for ${hidden} hidden, ${output} output`, () => {
        for (const seedValue of [0, 1, 2]) {
          const r = checkFormulas(hidden, output, seedValue);
          expect(r.scale).toBeGreaterThan(0.1);
          expect(r.maxDiff18).toBeLessThan(1e-12 * Math.max(1, r.scale));
          expect(r.maxDiff30).toBeLessThan(1e-12 * Math.max(1, r.scale));
        }
      });
    }
  }

  it("(30) as printed, with sigmoid's z(1 - z), is right for sigmoid and wrong for tanh and ReLU", () => {
    expect(checkFormulas('sigmoid', 'softmax').maxDiff30AsPrinted).toBeLessThan(1e-12);
    expect(checkFormulas('tanh', 'softmax').maxDiff30AsPrinted).toBeGreaterThan(1e-2);
    expect(checkFormulas('relu', 'softmax').maxDiff30AsPrinted).toBeGreaterThan(1e-2);
  });

  it('prints one row per combination and the largest difference', () => {
    const lines: string[] = [];
    run(['--hidden', 'tanh', '--output', 'softmax'], (l) => lines.push(l));
    expect(lines.filter((l) => l.startsWith('tanh     softmax'))).toHaveLength(1);
    const worst = Number(lines.find((l) => l.startsWith('largest difference'))!.split(': ')[1]);
    expect(worst).toBeLessThan(1e-12);
  });

  it('refuses an unknown activation', () => {
    expect(() => run(['--hidden', 'gelu'], () => undefined)).toThrow(UsageError);
    expect(() => run(['--hidden', 'gelu'], () => undefined)).toThrow("formulas: --hidden takes sigmoid, tanh, relu or all, got 'gelu'");
  });
});
