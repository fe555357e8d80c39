/** toDot writes numbers as people write them by default, to the digits asked for, or exactly with `format: String`. */
import { TapegradError, scalar, tensor, toDot } from '@tapegrad/core';

/** Seed 004's price graph: price = (100 * 2 + 150 * 3) * 1.1, whose doubles carry float noise. */
function price() {
  const apple = scalar(100, { name: 'apple' });
  const tax = scalar(1.1, { name: 'tax' });
  const orange = scalar(150, { name: 'orange' });
  const p = apple.mul(2).add(orange.mul(3)).mul(tax);
  p.name = 'price';
  p.backward();
  return { p, apple, orange };
}

describe('toDot number format', () => {
  test('by default, 6 significant digits: 715.0000000000001 is 715, 3.3000000000000003 is 3.3, 2.2 stays 2.2', () => {
    const { p, orange } = price();
    expect(p.value).toBe(715.0000000000001);
    expect(orange.grad).toBe(3.3000000000000003);
    const dot = toDot(p);
    expect(dot).toContain('{ price | value 715 | grad 1 }');
    expect(dot).toContain('{ orange | value 150 | grad 3.3 }');
    expect(dot).toContain('{ apple | value 100 | grad 2.2 }');
    expect(dot).not.toMatch(/0000000/);
  });

  test('format: String keeps the exact doubles, and a string second argument is still the title', () => {
    const { p } = price();
    const dot = toDot(p, { title: 'apple-orange', format: String });
    expect(dot).toMatch(/^digraph "apple-orange" \{/);
    expect(dot).toContain('{ price | value 715.0000000000001 | grad 1 }');
    expect(dot).toContain('grad 3.3000000000000003');
    expect(toDot(p, 'titled')).toMatch(/^digraph "titled" \{/);
  });

  test('digits rounds to that many significant digits; very large and very small numbers use exponents', () => {
    const x = scalar(Math.PI, { name: 'x' });
    const y = x.mul(1e7).add(x.mul(1e-9));
    y.name = 'y';
    y.backward();
    expect(toDot(y, { digits: 3 })).toContain('{ x | value 3.14 | grad 1e+7 }');
    expect(toDot(y)).toContain('{ y | value 3.14159e+7 | grad 1 }');
    const tiny = scalar(2.5e-7, { name: 'tiny' });
    expect(toDot(tiny)).toContain('{ tiny | value 2.5e-7 | grad - }');
  });

  test('tensors: every element of a small one, the dtype and shape of a large one, untouched by the format', () => {
    const t = tensor([[0.1 + 0.2, 1 / 3]], { name: 't' });
    expect(toDot(t)).toContain('{ t [1, 2] | value [[0.3,0.333333]] | grad - }');
    const big = tensor(new Float32Array(12).fill(1 / 3), { shape: [3, 4], name: 'big' });
    expect(toDot(big, { format: (v) => v.toFixed(2) })).toContain('{ big [3, 4] | value float32[3, 4] | grad - }');
  });

  test('NaN and infinities are written as such', () => {
    const t = tensor([Number.NaN, Infinity, -Infinity], { name: 'odd' });
    expect(toDot(t)).toContain('value [NaN,Infinity,-Infinity]');
  });

  test.each([0, 18, 2.5])('digits %p is refused with a TapegradError', (digits) => {
    expect(() => toDot(scalar(1), { digits })).toThrow(TapegradError);
    expect(() => toDot(scalar(1), { digits })).toThrow(`toDot: digits must be a whole number from 1 to 17, got ${digits}`);
  });
});
