/**
 * A bundler keeps only what an import reaches: `import { scalar } from '@tapegrad/core'` (the micrograd use) must
 * bring neither the Tensor class nor the matrix-product kernels, and what it does bring must still compute the
 * right gradients. esbuild bundles the packages' sources here, honouring each package.json's `sideEffects` as it
 * would for the built files; the byte budgets of the built packages are size-limit's (.size-limit.json, run by
 * `pnpm check:packages`).
 */
import { buildSync } from 'esbuild';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..');

/** Bundles `entry` (ESM source importing @tapegrad/*) into a script whose last expression's value it returns. */
function bundle(entry: string): { code: string; run: () => unknown } {
  const result = buildSync({
    stdin: { contents: entry, resolveDir: repoRoot, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'bundled',
    platform: 'browser',
    target: 'es2022',
    treeShaking: true,
    alias: {
      '@tapegrad/core': join(repoRoot, 'packages/core/src/index.ts'),
      '@tapegrad/nn': join(repoRoot, 'packages/nn/src/index.ts'),
    },
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].text;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs the bundle esbuild just made
  return { code, run: () => new Function(`${code}; return bundled.result;`)() };
}

/** Top-level declarations of these names survive in an unminified bundle as `class X` / `function X` / `var X =`. */
const declares = (code: string, name: string) => new RegExp(`\\b(class|function\\*?|var|let|const) ${name}\\d*\\b`).test(code);

describe('tree-shaking @tapegrad/core', () => {
  const onlyScalar = bundle(`
    import { scalar } from '@tapegrad/core';
    const x = scalar(0.5);
    const y = x.mul(x).add(x.tanh());   // dy/dx = 2x + 1 - tanh(x)^2
    y.backward();
    export const result = [y.value, x.grad];
  `);
  const everything = bundle(`import * as core from '@tapegrad/core'; export const result = Object.keys(core).length;`);

  test('importing only scalar leaves out Tensor, the ops a Scalar has no method for, matmul, the creation functions and the graph printers', () => {
    for (const name of ['Tensor', 'gemmSingleThread', 'randn', 'toDot', 'explain', 'Generator']) {
      expect([name, declares(everything.code, name)]).toEqual([name, true]);
      expect([name, declares(onlyScalar.code, name)]).toEqual([name, false]);
    }
    // Ops a Scalar has no method for: their definitions (`name: "matmul"`, ...) stay out too.
    for (const op of ['matmul', 'softmax', 'logSumExp', 'gather', 'concat', 'transpose']) {
      const defines = (code: string) => code.includes(`name: "${op}"`);
      expect([op, defines(everything.code)]).toEqual([op, true]);
      expect([op, defines(onlyScalar.code)]).toEqual([op, false]);
    }
    expect(onlyScalar.code.length).toBeLessThan(everything.code.length * 0.7);
  });

  test('what is left still computes the right value and gradient', () => {
    const [value, grad] = onlyScalar.run() as [number, number];
    expect(value).toBeCloseTo(0.25 + Math.tanh(0.5), 14);
    expect(grad).toBeCloseTo(2 * 0.5 + 1 - Math.tanh(0.5) ** 2, 14);
  });

  test('a Tensor program keeps what its backward pass needs (broadcast gradients summed back to each shape)', () => {
    const program = bundle(`
      import { tensor } from '@tapegrad/core';
      const a = tensor([[1, 2, 3]], { requiresGrad: true });       // [1, 3]
      const b = tensor([[10], [20]], { requiresGrad: true });      // [2, 1]
      a.mul(b).sum().backward();
      export const result = [a.grad.toArray(), b.grad.toArray()];
    `);
    // d/da sum(a * b) = sum over rows of b = 30 in each column; d/db = sum over columns of a = 6 in each row.
    expect(program.run()).toEqual([[[30, 30, 30]], [[6], [6]]]);
  });
});
