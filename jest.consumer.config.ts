import type { Config } from 'jest';

// The consumer test (test/consumer): the packed packages installed into throwaway projects with npm, pnpm and
// yarn, then used from Node, TypeScript, Jest and a Vite bundle in headless Chromium. `pnpm test:consumer`; CI runs
// it after the e2e tests. Installs and builds take minutes, not seconds.
const config: Config = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/consumer/consumer.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 600_000,
  maxWorkers: 1,
};

export default config;
