// The op case list stays complete: every op of OPS has a case in OP_CASES (the compiler checks the keys; this
// checks nothing was cast past it), and every case is run by exactly one op test file beside the op's source.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { OPS } from '../src/ops/index';
import { OP_CASES } from './op-cases';

const OPS_DIR = join(__dirname, '..', 'src', 'ops');

describe('the op case list', () => {
  it('has one case for every op of OPS, and no other', () => {
    expect(Object.keys(OP_CASES).sort()).toEqual(Object.keys(OPS).sort());
  });

  it("runs every op's case from exactly one test file in src/ops", () => {
    const calls = new Map<string, string[]>();
    for (const file of readdirSync(OPS_DIR).filter((f) => f.endsWith('.test.ts'))) {
      for (const m of readFileSync(join(OPS_DIR, file), 'utf8').matchAll(/describeOp\('(\w+)'\)/g)) {
        calls.set(m[1], [...(calls.get(m[1]) ?? []), file]);
      }
    }
    const problems = Object.keys(OPS).flatMap((name) => {
      const files = calls.get(name) ?? [];
      return files.length === 1 ? [] : [`${name}: ${files.length === 0 ? 'no test file runs describeOp' : `run by ${files.join(', ')}`}`];
    });
    expect(problems).toEqual([]);
  });
});
