// ESLint: typescript-eslint with type information, for the bugs a type checker alone lets through (a promise
// nobody awaits or handles, an `any` leaking through an API, a value stringified as "[object Object]", a switch
// that misses a case). Formatting is Prettier's job: eslint-config-prettier, last, turns off every rule that would
// fight it. `pnpm lint` runs Prettier's check, then this; `pnpm test` runs `pnpm lint` first.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const testFiles = ['**/test/**/*.ts', '**/*.test.ts', 'docs/test/**/*.ts', 'jest.*.ts'];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'coverage/**',
      'out/**',
      'docs/api/**',
      'bench-results/**',
      // Generated from packages/core/wasm and packages/nn/wasm by their wasm/build.mjs.
      'packages/core/src/ndarray/kernels/backend/wasm-kernels.generated.ts',
      'packages/nn/src/optim/wasm-kernels.generated.ts',
      // AssemblyScript, not TypeScript: asc checks it when wasm/build.mjs compiles it.
      'packages/core/wasm/*.ts',
      'packages/nn/wasm/*.ts',
      // A user's project against the packed packages: consumer.test.ts type-checks and runs it with its own configs.
      'test/consumer/fixture/**',
    ],
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  {
    files: ['**/*.{js,cjs,mjs}'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        // Explicit programs rather than `projectService`: the per-package tsconfig.json files leave tests out and
        // resolve @tapegrad/* to built `dist`, so the service would need a build and one program per package.
        // tsconfig.spec.json is the one program `pnpm typecheck` and Jest use (everything but the browser-only
        // code, @tapegrad/* mapped to sources); tsconfig.scripts.json the packages' ES-module scripts; the last two
        // add the DOM for the playground and threads' browser entry. One large program is also the fastest: each
        // program is built once per run.
        project: [
          './tsconfig.spec.json',
          './tsconfig.scripts.json',
          './packages/playground/tsconfig.lint.json',
          './packages/threads/tsconfig.browser-check.json',
        ],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Types that only exist for the compiler are imported as types: no runtime import, no import cycle at load.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/consistent-type-exports': 'error',
      '@typescript-eslint/no-import-type-side-effects': 'error',
      // `any` only where a function type must accept every function (`(...args: any[]) => R` is the one
      // parameter-variance escape TypeScript has); anywhere else say what it is, or `unknown`.
      '@typescript-eslint/no-explicit-any': ['error', { ignoreRestArgs: true }],
      // A `switch` over a union handles every member, or says `default`.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // `return promise` inside try/catch skips the catch when it rejects.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/no-deprecated': 'error',
      '@typescript-eslint/use-unknown-in-catch-callback-variable': 'error',
      '@typescript-eslint/no-unnecessary-template-expression': 'error',
      eqeqeq: ['error', 'smart'],
      // tsc reports these (noUnusedLocals, noUnusedParameters in tsconfig.base.json), `_`-prefixed names exempt.
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
  {
    // Tests poke at internals and build inputs from loosely typed tables; the unsafe-any family would mostly flag
    // that on purpose. The promise rules and the rest stay on: a floating promise in a test is a test that passes
    // without checking.
    files: testFiles,
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // jest.mock factories are hoisted above the imports, so they can only `require`.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  prettier,
);
