// One process that loads @tapegrad/nn through both `require` (the CommonJS build) and `import` (the ESM build)
// gets two copies of every nn class; brand.ts makes each copy recognise the other's modules, optimisers,
// schedulers and errors (core's own dual loading is tested in packages/core/test/dual-loading.test.ts). Both
// packages are compiled from src into a temporary folder laid out as an install (types unchecked: `pnpm typecheck`
// does that), and a child Node process mixes the copies (fixtures/dual-load.mjs).
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { compileBothBuilds, dualLoadFindings } from '../../core/test/fixtures/compile-builds';

const packages = path.resolve(__dirname, '..', '..');

const found = dualLoadFindings(
  'tapegrad-nn-dual-',
  path.join(__dirname, 'fixtures', 'dual-load.mjs'),
  (dir) => {
    const core = path.join(dir, 'node_modules', '@tapegrad', 'core');
    mkdirSync(core, { recursive: true });
    writeFileSync(
      path.join(core, 'package.json'),
      JSON.stringify({ name: '@tapegrad/core', exports: { '.': { import: './esm/index.js', require: './cjs/index.js' } } }),
    );
    compileBothBuilds(path.join(packages, 'core'), core);
    compileBothBuilds(path.join(packages, 'nn'), path.join(dir, 'nn'));
    return path.join(dir, 'nn');
  },
  180_000,
);

describe('@tapegrad/nn loaded through both require and import', () => {
  it('really is two copies', () => {
    expect(found().twoCopies).toBe(true);
  });
  it("recognises the other copy's modules, layers, optimisers, schedulers, loaders and errors with instanceof", () => {
    expect(found().brands).toEqual({
      Module: true,
      Linear: true,
      Sequential: true,
      MLP: true,
      ReLU: true,
      'MLP is a Linear': false,
      Optimizer: true,
      Adam: true,
      'AdamW is an Adam': true,
      'SGD is an Adam': false,
      LRScheduler: true,
      StepLR: true,
      ReduceLROnPlateau: true,
      DataLoader: true,
      SafetensorsError: true,
      'SafetensorsError is a TapegradError': true,
      StateDictError: true,
    });
  });
  it('recognises every exported class of the other copy, the layers added later included', () => {
    expect(found().unrecognisedClasses).toEqual([]);
  });
  it("builds a Sequential of the other copy's layers, finds their parameters and trains them", () => {
    // One step of SGD (lr 0.5) on y = w2 relu(w1 x + b1) + b2 with w1 = [[1], [-1]], b1 = 0, w2 = [[2, 3]], b2 = 0,
    // x = [[2]], loss = sum(y): y = 2 * relu(2) = 4; d/dw2 = [relu(2), relu(-2)] = [2, 0], d/db2 = 1,
    // d/dw1 = [[w2_0 * x], [0]] = [[4], [0]], d/db1 = [2, 0].
    expect(found().mixedModel).toEqual({
      names: ['0.weight', '0.bias', '2.weight', '2.bias'],
      text: 'Sequential(\n  (0): Linear(in_features=1, out_features=2, bias=true)\n  (1): ReLU()\n  (2): Linear(in_features=2, out_features=1, bias=true)\n)',
      loss: 4,
      after: [[-1, -1], [-1, 0], [1, 3], [-0.5]],
    });
  });
  it("catches the other copy's errors by class", () => {
    expect(found().errorsAcross).toEqual([true, true]);
  });
});
