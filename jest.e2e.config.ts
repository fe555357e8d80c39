import type { Config } from 'jest';

// End-to-end tests: the built playground (packages/playground/dist, made by `pnpm --filter playground build`)
// served on a free localhost port and driven in Debian's chromium through playwright-core.
// `pnpm test:e2e` builds first; the main jest.config.ts ignores these files.
const config: Config = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/packages/playground/test/e2e/**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // Installing chromium (first run only) and training in the page take minutes, not seconds.
  testTimeout: 300_000,
  maxWorkers: 1,
};

export default config;
