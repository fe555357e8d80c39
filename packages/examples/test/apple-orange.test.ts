import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { explain } from '@tapegrad/core';
import { run } from '../src/commands/apple-orange';
import { bookLines, priceGraph, priceWithLayers, priceWithTape } from '../src/textbook/apple-orange';
import { UsageError } from '../src/args';
import { APPLE_ORANGE } from '../../core/test/fixtures/seed-004';

// The book's printed output (seed 004). Python prints the double 165 as "165.0"; JavaScript as "165".
const BOOK = [
  'Forward| Price: 715.0000000000001',
  'Backward| apple price: 2.2  apple num: 110.00000000000001',
  'Backward| orange price: 3.3000000000000003  orange num: 165.0',
  'Backward| tax: 650  all price: 1.1',
];
const BOOK_IN_JS = BOOK.map((l) => l.replace('165.0', '165'));

function capture(args: string[]): Promise<string[]> {
  const lines: string[] = [];
  return Promise.resolve(run(args, (l) => lines.push(...l.split('\n')))).then(() => lines);
}

describe('apple-orange (seed 004)', () => {
  for (const [how, compute] of [
    ['the layer objects', priceWithLayers],
    ['Scalars on the tape', () => priceWithTape()],
  ] as const) {
    it(`gives the book's doubles exactly with ${how}`, () => {
      const r = compute();
      expect(r).toEqual(APPLE_ORANGE);
      expect(bookLines(r)).toEqual(BOOK_IN_JS);
    });
  }

  it('prints the four lines twice and the tape listing', async () => {
    const lines = await capture([]);
    expect(lines.filter((l) => BOOK_IN_JS.includes(l))).toEqual([...BOOK_IN_JS, ...BOOK_IN_JS]);
    // Sequence numbers are global to the process, so only their order is checked.
    const tape = lines.filter((l) => /^#\d+ /.test(l));
    expect(tape.map((l) => l.replace(/^#\d+ /, ''))).toEqual([
      'apple_price = mul(apple, apple_num)  value=200  grad=1.1',
      'orange_price = mul(orange, orange_num)  value=450  grad=1.1',
      'all_price = add(apple_price, orange_price)  value=650  grad=1.1',
      'price = mul(all_price, tax)  value=715.0000000000001  grad=1',
    ]);
  });

  it('explains the sweep step by step, with the chain-rule products of the book', async () => {
    const text = (await capture(['--explain'])).join('\n');
    expect(text).toContain('d price/d apple = d price/d apple_price (1.1) x d apple_price/d apple (2) = 2.2');
    expect(text).toContain('d price/d tax = d price/d price (1) x d price/d tax (650) = 650');
    const json = JSON.parse((await capture(['--explain', 'json'])).join('\n'));
    expect(json.gradients.apple_num).toBe('110.00000000000001');
    expect((await capture(['--explain', 'markdown'])).join('\n')).toContain('\\frac{\\partial \\mathrm{price}}{\\partial \\mathrm{apple}}');
  });

  it('explains without disturbing the gradients the tape already holds', () => {
    const g = priceGraph();
    priceWithTape(g);
    explain(g.price);
    expect(g.apple.grad).toBe(2.2);
  });

  it('writes Graphviz DOT with values and gradients, and renders it to SVG with Graphviz', async () => {
    const dot = (await capture(['--dot'])).join('\n');
    expect(dot).toMatch(/^digraph "apple-orange" \{/);
    expect(dot).toContain('{ apple | value 100 | grad 2.2 }');
    // numbers as people write them: 715.0000000000001 is 715, 110.00000000000001 is 110
    expect(dot).toContain('{ price | value 715 | grad 1 }');
    expect(dot).toContain('{ apple_num | value 2 | grad 110 }');
    // @hpcc-js/wasm-graphviz ships only ESM, which Jest's CommonJS runtime cannot load: render in plain node.
    const script =
      "import { Graphviz } from '@hpcc-js/wasm-graphviz'; import { readFileSync } from 'node:fs'; const g = await Graphviz.load(); process.stdout.write(g.dot(readFileSync(0, 'utf8')));";
    const svg = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      input: dot,
      cwd: join(__dirname, '..'),
      encoding: 'utf8',
    });
    expect(svg).toContain('<svg');
    expect(svg).toContain('grad 110</text>');
    expect(svg).not.toContain('110.00000000000001');
  });

  it('writes the exact doubles with --exact', async () => {
    const dot = (await capture(['--dot', '--exact'])).join('\n');
    expect(dot).toContain('{ price | value 715.0000000000001 | grad 1 }');
    expect(dot).toContain('{ apple_num | value 2 | grad 110.00000000000001 }');
  });

  it('refuses an unknown explain format and unknown flags', async () => {
    await expect(capture(['--explain', 'yaml'])).rejects.toThrow(UsageError);
    await expect(capture(['--bogus'])).rejects.toThrow(/apple-orange: unknown option '--bogus'/);
  });
});
