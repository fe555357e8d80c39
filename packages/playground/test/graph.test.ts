import { explainSteps } from '@tapegrad/core';
import { buildGraph } from '../src/graph/build';
import { formatNumber, tapeToDot } from '../src/graph/dot';
import { ParseError, parseProgram, parseValues } from '../src/graph/expression';
import { PRESETS } from '../src/graph/presets';
import { describeStep, sweepSteps } from '../src/graph/sweep-steps';

function preset(id: string) {
  const p = PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`no preset ${id}`);
  const built = buildGraph(p.program, p.values);
  built.root.backward();
  return built;
}

function parseErrorOf(program: string, values = ''): ParseError {
  try {
    buildGraph(program, values);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(program)} to be refused`);
}

describe('the expression language', () => {
  it('gives * precedence over + and makes ^ right-associative and tighter than unary minus', () => {
    // 2 + 3*4 = 14; -2^2 = -4; 2^3^2 = 2^9 = 512 (constants fold, so check through a variable)
    const { root } = buildGraph('x*(2 + 3*4) + (-2^2) + 2^3^2', 'x=1');
    expect(root.value).toBe(14 - 4 + 512);
  });

  it('makes - and / left-associative: a - b - c is (a - b) - c, a / b / c is (a / b) / c', () => {
    expect(buildGraph('x - 5 - 2', 'x=10').root.value).toBe(3);
    expect(buildGraph('x / 5 / 2', 'x=10').root.value).toBe(1);
    expect(buildGraph('x - 6 / 3 * 2', 'x=10').root.value).toBe(6);
  });

  it('differentiates a*b + tanh(c) by the closed forms', () => {
    const { root, leaves } = buildGraph('a*b + tanh(c)', 'a=2, b=-3, c=0.5');
    root.backward();
    expect(root.value).toBeCloseTo(-6 + Math.tanh(0.5), 14);
    expect(leaves.get('a')!.grad).toBe(-3);
    expect(leaves.get('b')!.grad).toBe(2);
    expect(leaves.get('c')!.grad).toBeCloseTo(1 - Math.tanh(0.5) ** 2, 14);
  });

  it('reads values with negative numbers, exponents and line breaks', () => {
    expect([...parseValues('a=2, b=-3\nc=1.5e-2')]).toEqual([
      ['a', 2],
      ['b', -3],
      ['c', 0.015],
    ]);
  });

  it('names reassigned nodes with primes, micrograd-style', () => {
    const { root } = buildGraph('c = a + 1\nc += c * 2\nc', 'a=1');
    expect(root.name).toBe("c'");
  });

  it('points at the column of a syntax error', () => {
    const e = parseErrorOf('a * (b + ', 'a=1, b=2');
    expect(e.message).toMatch(/expected a number, a name or '\('/);
    expect(e.location).toEqual({ line: 1, column: 10 });
  });

  it('names an unknown variable and how to give it a value', () => {
    const e = parseErrorOf('a * q', 'a=1');
    expect(e.message).toMatch(/unknown variable 'q'.*q=/);
    expect(e.location.column).toBe(5);
  });

  it('names an unknown function and lists the known ones', () => {
    expect(parseErrorOf('tan(a)', 'a=1').message).toMatch(/unknown function 'tan'.*tanh/);
  });

  it('refuses a program with nothing to differentiate', () => {
    expect(parseErrorOf('2 * 3').message).toMatch(/no tape/);
  });

  it('refuses malformed values and says they are in the values field', () => {
    const e = parseErrorOf('a', 'a=');
    expect(e.field).toBe('values');
    expect(e.message).toMatch(/expected a number for a/);
  });

  it('refuses trailing garbage after a complete expression', () => {
    expect(() => parseProgram('a b')).toThrow(/expected an operator or the end of the statement, found 'b'/);
  });
});

describe('the presets reproduce their sources', () => {
  it('apple/orange (seed 004): price 715 and the printed gradients', () => {
    const { root, leaves } = preset('apple-orange');
    const g = (n: string) => leaves.get(n)!.grad;
    expect(root.value).toBeCloseTo(715, 10);
    expect(g('apple')).toBeCloseTo(2.2, 12);
    expect(g('apple_num')).toBeCloseTo(110, 10);
    expect(g('orange')).toBeCloseTo(3.3, 12);
    expect(g('orange_num')).toBeCloseTo(165, 10);
    expect(g('tax')).toBeCloseTo(650, 10);
  });

  it('Mazur 2-2-2 network (seed 002): E_total, dE/dw5 and dE/dw1 as printed', () => {
    const { root, leaves } = preset('mazur');
    expect(root.value).toBeCloseTo(0.298371109, 8);
    expect(leaves.get('w5')!.grad).toBeCloseTo(0.082167041, 8);
    expect(leaves.get('w1')!.grad).toBeCloseTo(0.000438568, 8);
  });

  it("micrograd's classic expression: g = 24.7041, dg/da = 138.8338, dg/db = 645.5773", () => {
    const { root, leaves } = preset('micrograd');
    expect(root.value).toBeCloseTo(24.7041, 4);
    expect(leaves.get('a')!.grad).toBeCloseTo(138.8338, 4);
    expect(leaves.get('b')!.grad).toBeCloseTo(645.5773, 4);
  });
});

describe('the drawn tape', () => {
  it('shows each value node with its value and rounded gradient, and each op with its tape position', () => {
    const { root } = preset('apple-orange');
    const dot = tapeToDot(root);
    expect(dot).toContain('label="{ apple_num | value 2 | grad 110 }"');
    expect(dot).toContain('label="{ tax | value 1.1 | grad 650 }"');
    expect(dot.match(/class="op"/g)).toHaveLength(4);
  });

  it('rounds to six significant digits and never shows -0', () => {
    expect(formatNumber(110.00000000000001)).toBe('110');
    expect(formatNumber(3.3000000000000003)).toBe('3.3');
    expect(formatNumber(-1e-30 * 0)).toBe('0');
  });

  it('explains the apple/orange sweep as the book does: tax first, then the sum, then each product', () => {
    const { root } = buildGraph(PRESETS[0].program, PRESETS[0].values);
    const steps = explainSteps(root).steps;
    const taxStep = steps.find((s) => s.input === 'tax')!;
    expect(Number(taxStep.upstream)).toBe(1);
    expect(Number(taxStep.product)).toBeCloseTo(650, 10);
    const appleStep = steps.find((s) => s.input === 'apple')!;
    expect(Number(appleStep.upstream)).toBeCloseTo(1.1, 12);
    expect(Number(appleStep.local)).toBe(2);
    expect(Number(appleStep.product)).toBeCloseTo(2.2, 12);
    expect(steps.indexOf(taxStep)).toBeLessThan(steps.indexOf(appleStep));
  });
});

describe('the sweep steps the page walks', () => {
  it('reads each step as upstream x local = product, with += and the running sum on a second path', () => {
    // y = a*b + a at a=2, b=3: dy/da = b + 1 = 4 arrives in two parts, 1 (through the add) then 3 (through the mul).
    const { root } = buildGraph('p = a*b\ny = p + a', 'a=2, b=3');
    const text = sweepSteps(root).map((s) => describeStep(root.label, s));
    expect(text).toEqual([
      '#2 add: ∂y/∂p = ∂y/∂y × ∂y/∂p = 1 × 1 = 1',
      '#2 add: ∂y/∂a = ∂y/∂y × ∂y/∂a = 1 × 1 = 1',
      '#1 mul: ∂y/∂a += ∂y/∂p × ∂p/∂a = 1 × 3 = 3; running sum ∂y/∂a = 4',
      '#1 mul: ∂y/∂b = ∂y/∂p × ∂p/∂b = 1 × 2 = 2',
    ]);
  });

  it('points each step at the drawn op, the edge into it and both value nodes', () => {
    const { root } = buildGraph('p = a*b\ny = p + a', 'a=2, b=3');
    const steps = sweepSteps(root);
    const dot = tapeToDot(root);
    for (const s of steps) for (const id of Object.values(s.ids)) expect(dot).toContain(`id="${id}"`);
    expect(steps[2].ids.edge).not.toBe(steps[3].ids.edge);
    expect(steps[2].ids.op).toBe(steps[3].ids.op);
  });
});
