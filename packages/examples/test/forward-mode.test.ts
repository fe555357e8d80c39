import { run } from '../src/commands/forward-mode';
import { forwardPasses } from '../src/textbook/forward-mode';

// Seed 004's printed backward pass (the independent source): apple 2.2, apple num 110.00000000000001,
// orange 3.3000000000000003, orange num 165.0, tax 650; forward mode must give each of them, one pass per input.
const BOOK: Record<string, number> = { apple: 2.2, apple_num: 110.00000000000001, orange: 3.3000000000000003, orange_num: 165.0, tax: 650 };

function capture(args: string[]): string[] {
  const lines: string[] = [];
  run(args, (l) => lines.push(...l.split('\n')));
  return lines;
}

describe('forward-mode (seed 004 by jvp, one input at a time)', () => {
  it("gives the book's five derivatives exactly, one pass per input, equal to the reverse sweep's", () => {
    const passes = forwardPasses();
    expect(passes.map((p) => p.input)).toEqual(Object.keys(BOOK));
    for (const p of passes) {
      expect(p.forward).toBe(BOOK[p.input]);
      expect(p.reverse).toBe(BOOK[p.input]);
    }
  });

  it('carries each value its tangent: the closed-form derivative of every value of the graph by the seeded input', () => {
    // apple_price = apple * apple_num, orange_price = orange * orange_num, all_price = their sum, price = all_price * tax
    const [apple, appleNum, orange, orangeNum, tax] = [100, 2, 150, 3, 1.1];
    const allPrice = apple * appleNum + orange * orangeNum;
    const expected: Record<string, number[]> = {
      apple: [appleNum, 0, appleNum, appleNum * tax],
      apple_num: [apple, 0, apple, apple * tax],
      orange: [0, orangeNum, orangeNum, orangeNum * tax],
      orange_num: [0, orange, orange, orange * tax],
      tax: [0, 0, 0, allPrice],
    };
    for (const p of forwardPasses()) expect(p.tangents).toEqual(expected[p.input]);
  });

  it('prints each pass and the table, every row equal', () => {
    const lines = capture([]);
    expect(lines).toContain('  d apple      = 1:  d apple_price = 2, d orange_price = 0, d all_price = 2, d price = 2.2');
    expect(lines).toContain('  d tax        = 1:  d apple_price = 0, d orange_price = 0, d all_price = 0, d price = 650');
    const rows = lines.filter((l) => /^ {2}\w+ +forward /.test(l));
    expect(rows).toHaveLength(5);
    expect(rows.every((l) => l.endsWith(' equal'))).toBe(true);
    expect(rows[1]).toMatch(/^ {2}apple_num +forward 110\.00000000000001 +reverse 110\.00000000000001 +equal$/);
    expect(lines[lines.length - 1]).toMatch(/^All five are equal/);
  });

  it('has a --help and refuses an unknown flag', () => {
    expect(capture(['--help']).join('\n')).toMatch(/forward-mode/);
    expect(() => capture(['--bogus'])).toThrow(/unknown option/);
  });
});
