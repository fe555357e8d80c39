// One process that loads @tapegrad/core through both `require` (the CommonJS build) and `import` (the ESM build)
// has one copy of the truth (shared.ts): tensors of one copy work in the other, and grad mode, anomaly mode, the
// random generator and the tape order are shared. The two builds are compiled from src into a temporary folder
// (types unchecked: `pnpm typecheck` does that) and mixed by a child Node process (fixtures/dual-load.mjs).
import * as path from 'node:path';
import { compileBothBuilds, dualLoadFindings } from './fixtures/compile-builds';

const found = dualLoadFindings(
  'tapegrad-dual-',
  path.join(__dirname, 'fixtures', 'dual-load.mjs'),
  (dir) => {
    compileBothBuilds(path.resolve(__dirname, '..'), dir);
    return dir;
  },
  120_000,
);

describe('@tapegrad/core loaded through both require and import', () => {
  it('really is two copies', () => {
    expect(found().twoCopies).toBe(true);
  });
  it("recognises the other copy's Tensors, Scalars, NDArrays, errors and generators with instanceof", () => {
    expect(found().brands).toEqual([true, true, true, true, false, true, true, true]);
  });
  it('recognises every exported class of the other copy, OpContext (the tape entry) included', () => {
    expect(found().unrecognisedClasses).toEqual([]);
  });
  it('mixes tensors of both copies in ops, concat and stack, and backward reaches both', () => {
    // y = sum(a*b) + sum([1,1] . I); z = sum(concat(a, b) * [b, a]) = 2 sum(a*b): dy+z/da = 3b, d/db = 3a
    expect(found().mixedOps).toEqual({ a: [9, 12], b: [3, 6] });
  });
  it('mixes Scalars of both copies, inline entries included', () => {
    // y = tanh(x w) + x at x = 2, w = 3: dy/dx = w (1 - tanh^2(6)) + 1, dy/dw = x (1 - tanh^2(6))
    const t = Math.tanh(6);
    const [gx, gw] = found().mixedScalars as number[];
    expect(gx).toBeCloseTo(3 * (1 - t * t) + 1, 14);
    expect(gw).toBeCloseTo(2 * (1 - t * t), 14);
  });
  it('carries noGrad and enableGrad across copies', () => {
    expect(found().noGradAcross).toEqual([false, true, true]);
  });
  it('carries seed across copies: one global generator', () => {
    expect(found().seedAcross).toBe(true);
  });
  it("throws errors the other copy's classes catch", () => {
    expect(found().errorsAcross).toEqual([true, true, expect.stringMatching(/^add: shapes \[2\] and \[3\] cannot be broadcast/)]);
  });
  it('sees a change through an alias made with the other copy (shared versions and mutation order)', () => {
    expect(found().versionAcross).toBe(true);
  });
  it('carries anomaly mode across copies', () => {
    expect(found().anomalyAcross).toBe(true);
  });
  it('keeps one tape order for entries recorded alternately by the two copies', () => {
    expect(found().sequenceAcross).toBe(true);
  });
  it('prints a tensor of one copy made from the other', () => {
    expect(found().printing).toBe('tensor([3., 8.], shape=[2], dtype=float64, gradFn=<MulBackward>)');
  });
});
